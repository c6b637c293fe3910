/// Piecewise-constant tempo: converts ticks to seconds exactly as pretty_midi 0.2.11 does.
///
/// pretty_midi keeps `(tick, secondsPerTick)` segments, starting with 120 qpm at tick 0. A tempo
/// event at tick 0 replaces the whole list; a later one is appended unless its seconds-per-tick
/// equals the last segment's (repeats are ignored). Seconds-per-tick is
/// `60 / ((6e7 / microsecondsPerQuarter) * ticksPerQuarter)`, and the time of tick `t` in segment
/// `i` is `startSeconds[i] + secondsPerTick[i] * (t - startTick[i])`, each segment starting where
/// the previous one ends — the same floating-point operations, so the same bits.
public struct TempoMap: Equatable, Sendable {
    /// Time division the map was built for.
    public let ticksPerQuarter: Int
    /// First tick of each segment (ascending; equal ticks allowed).
    public private(set) var startTicks: [Int]
    /// Seconds per tick in each segment.
    public private(set) var secondsPerTick: [Double]
    /// Time in seconds of each segment's first tick.
    public private(set) var startSeconds: [Double]

    /// A map at 120 qpm from tick 0.
    public init(ticksPerQuarter: Int) {
        self.ticksPerQuarter = ticksPerQuarter
        startTicks = [0]
        secondsPerTick = [60.0 / (120.0 * Double(ticksPerQuarter))]
        startSeconds = [0]
    }

    /// Adds a set-tempo event (in file order) with pretty_midi's rules.
    /// - Parameters:
    ///   - tick: absolute tick of the event.
    ///   - microsecondsPerQuarter: the event's tempo, > 0.
    public mutating func addTempo(atTick tick: Int, microsecondsPerQuarter: Int) {
        let scale = 60.0 / ((6e7 / Double(microsecondsPerQuarter)) * Double(ticksPerQuarter))
        if tick == 0 {
            startTicks = [0]; secondsPerTick = [scale]; startSeconds = [0]
        } else if scale != secondsPerTick[secondsPerTick.count - 1] {
            let last = startTicks.count - 1
            startSeconds.append(startSeconds[last] + secondsPerTick[last] * Double(tick - startTicks[last]))
            startTicks.append(tick)
            secondsPerTick.append(scale)
        }
    }

    /// Seconds at `tick` (ticks >= 0).
    @inlinable
    public func seconds(atTick tick: Int) -> Double {
        let i = segment(containingTick: tick)
        return startSeconds[i] + secondsPerTick[i] * Double(tick - startTicks[i])
    }

    /// Index of the last segment starting at or before `tick`.
    @inlinable
    public func segment(containingTick tick: Int) -> Int {
        var low = 0, high = startTicks.count - 1
        if startTicks[high] <= tick { return high }
        while low < high {  // invariant: startTicks[low] <= tick < startTicks[high + 1…]
            let mid = (low + high + 1) / 2
            if startTicks[mid] <= tick { low = mid } else { high = mid - 1 }
        }
        return low
    }

    /// Nearest tick to `seconds` (rounded half away from zero); the inverse of `seconds(atTick:)`.
    public func tick(atSeconds seconds: Double) -> Int {
        var i = startSeconds.count - 1
        while i > 0 && startSeconds[i] > seconds { i -= 1 }
        return startTicks[i] + Int((( seconds - startSeconds[i]) / secondsPerTick[i]).rounded())
    }

    /// The tempo list as pretty_midi's `get_tempo_changes()` returns it, in seconds and qpm
    /// (`60 / (secondsPerTick * ticksPerQuarter)`).
    public var tempos: [NoteSequence.Tempo] {
        startTicks.indices.map {
            NoteSequence.Tempo(time: startSeconds[$0], qpm: 60.0 / (secondsPerTick[$0] * Double(ticksPerQuarter)))
        }
    }

    /// A map with the given tempos (seconds, qpm), for writing a sequence at `ticksPerQuarter`.
    /// Each tempo's tick is the nearest tick to its time under the tempos before it; a tempo at
    /// time 0 (or none) sets the initial tempo, default 120 qpm.
    public init(tempos: [NoteSequence.Tempo], ticksPerQuarter: Int) {
        self.init(ticksPerQuarter: ticksPerQuarter)
        for tempo in tempos.sorted(by: { $0.time < $1.time }) where tempo.qpm > 0 {
            let tick = tempo.time <= 0 ? 0 : self.tick(atSeconds: tempo.time)
            let microseconds = TempoMap.microsecondsPerQuarter(qpm: tempo.qpm)
            addTempo(atTick: tick, microsecondsPerQuarter: microseconds)
        }
    }

    /// Whole microseconds per quarter note for a tempo in qpm, clamped to the 24-bit field.
    public static func microsecondsPerQuarter(qpm: Double) -> Int {
        min(max(Int((6e7 / qpm).rounded()), 1), 0xFF_FFFF)
    }
}
