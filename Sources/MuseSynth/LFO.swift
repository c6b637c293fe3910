/// A triangle LFO stepped once per block (FluidSynth's `fluid_lfo`): value in -1...1 starting at
/// 0 going up, after a delay in frames.
struct LFO {
    var value: Double = 0
    /// Frames before it starts.
    var delayFrames: UInt32 = 0
    /// Change per block (4 × 64 × Hz / sampleRate).
    var increment: Double = 0

    mutating func step(ticks: UInt32) {
        if ticks < delayFrames { return }
        value += increment
        if value > 1 { increment = -increment; value = 2 - value }
        else if value < -1 { increment = -increment; value = -2 - value }
    }
}
