/// One MIDI channel's controllers and program, with FluidSynth's reset values: volume (CC7)
/// 100, pan (CC10) 64, expression (CC11) 127, sound controllers 64, pitch wheel centred (8192)
/// with a sensitivity of 2 semitones, everything else 0.
public struct ChannelState: Sendable {
    /// Controller values 0...127, indexed by controller number.
    public var controllers = [Int](repeating: 0, count: 128)
    /// 0...16383, 8192 centred.
    public var pitchBend = 8192
    /// Semitones for a full bend (RPN 0).
    public var pitchWheelSensitivity = 2
    public var channelPressure = 0
    /// 0-based General MIDI program.
    public var program = 0
    /// Bank (CC0); drum channels use 128.
    public var bank = 0
    public var isDrum = false
    /// The preset notes start, resolved at program/bank change.
    var preset: SoundFont.Preset?

    public init(isDrum: Bool = false) {
        self.isDrum = isDrum
        bank = isDrum ? 128 : 0
        controllers[7] = 100
        controllers[10] = 64
        controllers[8] = 64
        controllers[11] = 127
        for c in 70...79 { controllers[c] = 64 }
        controllers[100] = 127; controllers[101] = 127; controllers[98] = 127; controllers[99] = 127
    }

    /// True while the sustain pedal (CC64) is down.
    public var isSustained: Bool { controllers[64] >= 64 }
}
