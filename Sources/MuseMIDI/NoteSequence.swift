/// A piece of symbolic music: Muse's one symbolic currency, with the meanings and JSON field names
/// of Magenta's `note_seq.NoteSequence` protocol buffer.
///
/// Times are in seconds unless a field says steps. A sequence is *quantized* when
/// `quantizationInfo` is set; then every note's `quantizedStartStep`/`quantizedEndStep` is filled
/// in (steps of `1 / stepsPerQuarter` quarter notes) and `totalQuantizedSteps` holds the length.
/// Programs are 0-based General MIDI numbers; `instrument` is an index that groups the notes of
/// one part (one pretty_midi `Instrument`: a track and channel with one program).
///
/// JSON encoding follows proto3's JSON mapping as note_seq emits it (`startTime`, `isDrum`,
/// `ticksPerQuarter`, …); fields at their default value may be absent when decoding.
public struct NoteSequence: Equatable, Sendable {
    /// One sounding note.
    public struct Note: Equatable, Sendable {
        /// MIDI pitch, 0...127 (60 is middle C).
        public var pitch: Int
        /// MIDI velocity, 1...127.
        public var velocity: Int
        /// Onset in seconds.
        public var startTime: Double
        /// Release in seconds (`>= startTime`).
        public var endTime: Double
        /// General MIDI program, 0-based (0 is Acoustic Grand Piano).
        public var program: Int
        /// True for notes on the General MIDI percussion channel (channel 10, index 9).
        public var isDrum: Bool
        /// Index of the part this note belongs to.
        public var instrument: Int
        /// Onset in quantized steps, when the sequence is quantized.
        public var quantizedStartStep: Int?
        /// Release in quantized steps, when the sequence is quantized.
        public var quantizedEndStep: Int?

        public init(pitch: Int, velocity: Int, startTime: Double, endTime: Double,
                    program: Int = 0, isDrum: Bool = false, instrument: Int = 0,
                    quantizedStartStep: Int? = nil, quantizedEndStep: Int? = nil) {
            self.pitch = pitch
            self.velocity = velocity
            self.startTime = startTime
            self.endTime = endTime
            self.program = program
            self.isDrum = isDrum
            self.instrument = instrument
            self.quantizedStartStep = quantizedStartStep
            self.quantizedEndStep = quantizedEndStep
        }

        /// Duration in seconds.
        public var durationSeconds: Double { endTime - startTime }
    }

    /// A tempo in force from `time` on.
    public struct Tempo: Equatable, Sendable {
        /// Seconds.
        public var time: Double
        /// Quarter notes per minute.
        public var qpm: Double
        public init(time: Double, qpm: Double) { self.time = time; self.qpm = qpm }
    }

    /// A time signature in force from `time` on.
    public struct TimeSignature: Equatable, Sendable {
        /// Seconds.
        public var time: Double
        public var numerator: Int
        /// Note value of one beat (4 is a quarter note).
        public var denominator: Int
        public init(time: Double, numerator: Int, denominator: Int) {
            self.time = time; self.numerator = numerator; self.denominator = denominator
        }
    }

    /// A key signature in force from `time` on.
    public struct KeySignature: Equatable, Sendable {
        /// Major or minor, as note_seq's `KeySignature.Mode`.
        public enum Mode: Int, Codable, Sendable { case major = 0, minor = 1 }
        /// Seconds.
        public var time: Double
        /// Tonic as a pitch class, 0 (C) ... 11 (B), as note_seq's `KeySignature.Key`.
        public var key: Int
        public var mode: Mode
        public init(time: Double, key: Int, mode: Mode) { self.time = time; self.key = key; self.mode = mode }
    }

    /// A MIDI control change (sustain pedal is control 64).
    public struct ControlChange: Equatable, Sendable {
        /// Seconds.
        public var time: Double
        public var controlNumber: Int
        public var controlValue: Int
        public var instrument: Int
        public var program: Int
        public var isDrum: Bool
        /// Step of the event, when the sequence is quantized.
        public var quantizedStep: Int?
        public init(time: Double, controlNumber: Int, controlValue: Int, instrument: Int = 0,
                    program: Int = 0, isDrum: Bool = false, quantizedStep: Int? = nil) {
            self.time = time; self.controlNumber = controlNumber; self.controlValue = controlValue
            self.instrument = instrument; self.program = program; self.isDrum = isDrum
            self.quantizedStep = quantizedStep
        }
    }

    /// A pitch-wheel position.
    public struct PitchBend: Equatable, Sendable {
        /// Seconds.
        public var time: Double
        /// -8192 ... 8191, 0 is centred (the wheel's sensitivity is the synthesizer's business).
        public var bend: Int
        public var instrument: Int
        public var program: Int
        public var isDrum: Bool
        public init(time: Double, bend: Int, instrument: Int = 0, program: Int = 0, isDrum: Bool = false) {
            self.time = time; self.bend = bend; self.instrument = instrument
            self.program = program; self.isDrum = isDrum
        }
    }

    /// The name of one part, as read from its track name.
    public struct InstrumentInfo: Equatable, Sendable {
        public var instrument: Int
        public var name: String
        public init(instrument: Int, name: String) { self.instrument = instrument; self.name = name }
    }

    /// How a quantized sequence was quantized.
    public struct QuantizationInfo: Equatable, Sendable {
        /// Steps per quarter note (Magenta's melody default is 4: sixteenth notes).
        public var stepsPerQuarter: Int
        public init(stepsPerQuarter: Int) { self.stepsPerQuarter = stepsPerQuarter }
    }

    /// Notes in the order the reader found them (pretty_midi's order: by instrument, then in the
    /// order their note-offs came, which is by end time).
    public var notes: [Note]
    public var tempos: [Tempo]
    public var timeSignatures: [TimeSignature]
    public var keySignatures: [KeySignature]
    public var controlChanges: [ControlChange]
    public var pitchBends: [PitchBend]
    public var instrumentInfos: [InstrumentInfo]
    /// End of the last note, in seconds.
    public var totalTime: Double
    /// MIDI time division (pulses per quarter note) of the file this came from; 220 by default
    /// as note_seq's `STANDARD_PPQ`.
    public var ticksPerQuarter: Int
    /// Set when the sequence is quantized.
    public var quantizationInfo: QuantizationInfo?
    /// Length in steps, when quantized.
    public var totalQuantizedSteps: Int?

    /// note_seq's `constants.STANDARD_PPQ`.
    public static let standardTicksPerQuarter = 220

    public init(notes: [Note] = [], tempos: [Tempo] = [], timeSignatures: [TimeSignature] = [],
                keySignatures: [KeySignature] = [], controlChanges: [ControlChange] = [],
                pitchBends: [PitchBend] = [], instrumentInfos: [InstrumentInfo] = [],
                totalTime: Double? = nil, ticksPerQuarter: Int = NoteSequence.standardTicksPerQuarter,
                quantizationInfo: QuantizationInfo? = nil, totalQuantizedSteps: Int? = nil) {
        self.notes = notes
        self.tempos = tempos
        self.timeSignatures = timeSignatures
        self.keySignatures = keySignatures
        self.controlChanges = controlChanges
        self.pitchBends = pitchBends
        self.instrumentInfos = instrumentInfos
        self.totalTime = totalTime ?? notes.reduce(0) { max($0, $1.endTime) }
        self.ticksPerQuarter = ticksPerQuarter
        self.quantizationInfo = quantizationInfo
        self.totalQuantizedSteps = totalQuantizedSteps
    }

    /// True when `quantizationInfo` is set and notes carry step times.
    public var isQuantized: Bool { quantizationInfo != nil }
}
