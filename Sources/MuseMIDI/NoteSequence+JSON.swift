import Foundation

// JSON in proto3's canonical mapping of note_seq's `music.proto`, as `json_format.MessageToJson`
// writes it: lowerCamelCase field names, fields at their default (0, false, "", empty list)
// omitted, int64 fields (`quantizedStartStep`, `quantizedEndStep`, `quantizedStep`,
// `totalQuantizedSteps`) as strings, enums (`key`, `mode`) by name. Decoding accepts missing
// fields (defaults), int64 as string or number, and enums as name or number.

extension NoteSequence: Codable {
    enum CodingKeys: String, CodingKey {
        case ticksPerQuarter, timeSignatures, keySignatures, tempos, notes, totalTime, totalQuantizedSteps
        case pitchBends, controlChanges, instrumentInfos, quantizationInfo
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let quantization = try c.decodeIfPresent(QuantizationInfo.self, forKey: .quantizationInfo)
        let quantized = quantization != nil
        var notes = try c.decodeIfPresent([Note].self, forKey: .notes) ?? []
        var controls = try c.decodeIfPresent([ControlChange].self, forKey: .controlChanges) ?? []
        if quantized {  // proto3 drops step 0; restore it on quantized sequences
            for i in notes.indices {
                notes[i].quantizedStartStep = notes[i].quantizedStartStep ?? 0
                notes[i].quantizedEndStep = notes[i].quantizedEndStep ?? 0
            }
            for i in controls.indices { controls[i].quantizedStep = controls[i].quantizedStep ?? 0 }
        }
        self.init(notes: notes,
                  tempos: try c.decodeIfPresent([Tempo].self, forKey: .tempos) ?? [],
                  timeSignatures: try c.decodeIfPresent([TimeSignature].self, forKey: .timeSignatures) ?? [],
                  keySignatures: try c.decodeIfPresent([KeySignature].self, forKey: .keySignatures) ?? [],
                  controlChanges: controls,
                  pitchBends: try c.decodeIfPresent([PitchBend].self, forKey: .pitchBends) ?? [],
                  instrumentInfos: try c.decodeIfPresent([InstrumentInfo].self, forKey: .instrumentInfos) ?? [],
                  totalTime: try c.decodeIfPresent(Double.self, forKey: .totalTime) ?? 0,
                  ticksPerQuarter: try c.decodeIfPresent(Int.self, forKey: .ticksPerQuarter) ?? 0,
                  quantizationInfo: quantization,
                  totalQuantizedSteps: try c.decodeInt64IfPresent(forKey: .totalQuantizedSteps) ?? (quantized ? 0 : nil))
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeUnlessDefault(ticksPerQuarter, 0, forKey: .ticksPerQuarter)
        try c.encodeUnlessEmpty(timeSignatures, forKey: .timeSignatures)
        try c.encodeUnlessEmpty(keySignatures, forKey: .keySignatures)
        try c.encodeUnlessEmpty(tempos, forKey: .tempos)
        try c.encodeUnlessEmpty(notes, forKey: .notes)
        try c.encodeUnlessDefault(totalTime, 0, forKey: .totalTime)
        try c.encodeInt64UnlessDefault(totalQuantizedSteps, forKey: .totalQuantizedSteps)
        try c.encodeUnlessEmpty(pitchBends, forKey: .pitchBends)
        try c.encodeUnlessEmpty(controlChanges, forKey: .controlChanges)
        try c.encodeUnlessEmpty(instrumentInfos, forKey: .instrumentInfos)
        try c.encodeIfPresent(quantizationInfo, forKey: .quantizationInfo)
    }

    /// The sequence as note_seq-style JSON (UTF-8), keys sorted, optionally pretty-printed.
    public func jsonData(prettyPrinted: Bool = true) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = prettyPrinted ? [.prettyPrinted, .sortedKeys] : [.sortedKeys]
        return try encoder.encode(self)
    }

    /// Decodes note_seq-style JSON.
    public init(jsonData: Data) throws {
        self = try JSONDecoder().decode(NoteSequence.self, from: jsonData)
    }
}

extension NoteSequence.Note: Codable {
    enum CodingKeys: String, CodingKey {
        case pitch, velocity, startTime, endTime, program, isDrum, instrument, quantizedStartStep, quantizedEndStep
    }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(pitch: try c.decodeIfPresent(Int.self, forKey: .pitch) ?? 0,
                  velocity: try c.decodeIfPresent(Int.self, forKey: .velocity) ?? 0,
                  startTime: try c.decodeIfPresent(Double.self, forKey: .startTime) ?? 0,
                  endTime: try c.decodeIfPresent(Double.self, forKey: .endTime) ?? 0,
                  program: try c.decodeIfPresent(Int.self, forKey: .program) ?? 0,
                  isDrum: try c.decodeIfPresent(Bool.self, forKey: .isDrum) ?? false,
                  instrument: try c.decodeIfPresent(Int.self, forKey: .instrument) ?? 0,
                  quantizedStartStep: try c.decodeInt64IfPresent(forKey: .quantizedStartStep),
                  quantizedEndStep: try c.decodeInt64IfPresent(forKey: .quantizedEndStep))
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeUnlessDefault(pitch, 0, forKey: .pitch)
        try c.encodeUnlessDefault(velocity, 0, forKey: .velocity)
        try c.encodeUnlessDefault(startTime, 0, forKey: .startTime)
        try c.encodeUnlessDefault(endTime, 0, forKey: .endTime)
        try c.encodeUnlessDefault(program, 0, forKey: .program)
        try c.encodeUnlessDefault(isDrum, false, forKey: .isDrum)
        try c.encodeUnlessDefault(instrument, 0, forKey: .instrument)
        try c.encodeInt64UnlessDefault(quantizedStartStep, forKey: .quantizedStartStep)
        try c.encodeInt64UnlessDefault(quantizedEndStep, forKey: .quantizedEndStep)
    }
}

extension NoteSequence.Tempo: Codable {
    enum CodingKeys: String, CodingKey { case time, qpm }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(time: try c.decodeIfPresent(Double.self, forKey: .time) ?? 0,
                  qpm: try c.decodeIfPresent(Double.self, forKey: .qpm) ?? 0)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeUnlessDefault(time, 0, forKey: .time)
        try c.encodeUnlessDefault(qpm, 0, forKey: .qpm)
    }
}

extension NoteSequence.TimeSignature: Codable {
    enum CodingKeys: String, CodingKey { case time, numerator, denominator }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(time: try c.decodeIfPresent(Double.self, forKey: .time) ?? 0,
                  numerator: try c.decodeIfPresent(Int.self, forKey: .numerator) ?? 0,
                  denominator: try c.decodeIfPresent(Int.self, forKey: .denominator) ?? 0)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeUnlessDefault(time, 0, forKey: .time)
        try c.encodeUnlessDefault(numerator, 0, forKey: .numerator)
        try c.encodeUnlessDefault(denominator, 0, forKey: .denominator)
    }
}

extension NoteSequence.KeySignature: Codable {
    enum CodingKeys: String, CodingKey { case time, key, mode }
    /// note_seq's `KeySignature.Key` names by pitch class (the first of each alias pair).
    static let keyNames = ["C", "C_SHARP", "D", "D_SHARP", "E", "F", "F_SHARP", "G", "G_SHARP", "A", "A_SHARP", "B"]
    static let keyAliases = ["D_FLAT": 1, "E_FLAT": 3, "G_FLAT": 6, "A_FLAT": 8, "B_FLAT": 10]
    static let modeNames = ["MAJOR", "MINOR"]

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let time = try c.decodeIfPresent(Double.self, forKey: .time) ?? 0
        var key = 0, mode = 0
        if let name = try? c.decodeIfPresent(String.self, forKey: .key) {
            guard let value = Self.keyNames.firstIndex(of: name) ?? Self.keyAliases[name] else {
                throw DecodingError.dataCorruptedError(forKey: .key, in: c, debugDescription: "unknown key \(name)")
            }
            key = value
        } else { key = try c.decodeIfPresent(Int.self, forKey: .key) ?? 0 }
        if let name = try? c.decodeIfPresent(String.self, forKey: .mode) {
            guard let value = Self.modeNames.firstIndex(of: name) else {
                throw DecodingError.dataCorruptedError(forKey: .mode, in: c, debugDescription: "unsupported mode \(name)")
            }
            mode = value
        } else { mode = try c.decodeIfPresent(Int.self, forKey: .mode) ?? 0 }
        guard (0..<12).contains(key), let parsedMode = Mode(rawValue: mode) else {
            throw DecodingError.dataCorruptedError(forKey: .key, in: c, debugDescription: "key \(key) mode \(mode) out of range")
        }
        self.init(time: time, key: key, mode: parsedMode)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeUnlessDefault(time, 0, forKey: .time)
        if key != 0 { try c.encode(Self.keyNames[((key % 12) + 12) % 12], forKey: .key) }
        if mode != .major { try c.encode(Self.modeNames[mode.rawValue], forKey: .mode) }
    }
}

extension NoteSequence.ControlChange: Codable {
    enum CodingKeys: String, CodingKey { case time, quantizedStep, controlNumber, controlValue, instrument, program, isDrum }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(time: try c.decodeIfPresent(Double.self, forKey: .time) ?? 0,
                  controlNumber: try c.decodeIfPresent(Int.self, forKey: .controlNumber) ?? 0,
                  controlValue: try c.decodeIfPresent(Int.self, forKey: .controlValue) ?? 0,
                  instrument: try c.decodeIfPresent(Int.self, forKey: .instrument) ?? 0,
                  program: try c.decodeIfPresent(Int.self, forKey: .program) ?? 0,
                  isDrum: try c.decodeIfPresent(Bool.self, forKey: .isDrum) ?? false,
                  quantizedStep: try c.decodeInt64IfPresent(forKey: .quantizedStep))
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeUnlessDefault(time, 0, forKey: .time)
        try c.encodeInt64UnlessDefault(quantizedStep, forKey: .quantizedStep)
        try c.encodeUnlessDefault(controlNumber, 0, forKey: .controlNumber)
        try c.encodeUnlessDefault(controlValue, 0, forKey: .controlValue)
        try c.encodeUnlessDefault(instrument, 0, forKey: .instrument)
        try c.encodeUnlessDefault(program, 0, forKey: .program)
        try c.encodeUnlessDefault(isDrum, false, forKey: .isDrum)
    }
}

extension NoteSequence.PitchBend: Codable {
    enum CodingKeys: String, CodingKey { case time, bend, instrument, program, isDrum }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(time: try c.decodeIfPresent(Double.self, forKey: .time) ?? 0,
                  bend: try c.decodeIfPresent(Int.self, forKey: .bend) ?? 0,
                  instrument: try c.decodeIfPresent(Int.self, forKey: .instrument) ?? 0,
                  program: try c.decodeIfPresent(Int.self, forKey: .program) ?? 0,
                  isDrum: try c.decodeIfPresent(Bool.self, forKey: .isDrum) ?? false)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeUnlessDefault(time, 0, forKey: .time)
        try c.encodeUnlessDefault(bend, 0, forKey: .bend)
        try c.encodeUnlessDefault(instrument, 0, forKey: .instrument)
        try c.encodeUnlessDefault(program, 0, forKey: .program)
        try c.encodeUnlessDefault(isDrum, false, forKey: .isDrum)
    }
}

extension NoteSequence.InstrumentInfo: Codable {
    enum CodingKeys: String, CodingKey { case name, instrument }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(instrument: try c.decodeIfPresent(Int.self, forKey: .instrument) ?? 0,
                  name: try c.decodeIfPresent(String.self, forKey: .name) ?? "")
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeUnlessDefault(name, "", forKey: .name)
        try c.encodeUnlessDefault(instrument, 0, forKey: .instrument)
    }
}

extension NoteSequence.QuantizationInfo: Codable {
    enum CodingKeys: String, CodingKey { case stepsPerQuarter }
    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(stepsPerQuarter: try c.decodeIfPresent(Int.self, forKey: .stepsPerQuarter) ?? 0)
    }
    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encodeUnlessDefault(stepsPerQuarter, 0, forKey: .stepsPerQuarter)
    }
}

extension KeyedEncodingContainer {
    mutating func encodeUnlessDefault<T: Encodable & Equatable>(_ value: T, _ defaultValue: T, forKey key: Key) throws {
        if value != defaultValue { try encode(value, forKey: key) }
    }
    mutating func encodeUnlessEmpty<T: Encodable>(_ values: [T], forKey key: Key) throws {
        if !values.isEmpty { try encode(values, forKey: key) }
    }
    /// proto3 int64: a decimal string, omitted when nil or 0.
    mutating func encodeInt64UnlessDefault(_ value: Int?, forKey key: Key) throws {
        if let value, value != 0 { try encode(String(value), forKey: key) }
    }
}

extension KeyedDecodingContainer {
    /// proto3 int64: accepts a decimal string or a number.
    func decodeInt64IfPresent(forKey key: Key) throws -> Int? {
        guard contains(key) else { return nil }
        if let text = try? decode(String.self, forKey: key) {
            guard let value = Int(text) else {
                throw DecodingError.dataCorruptedError(forKey: key, in: self, debugDescription: "not an integer: \(text)")
            }
            return value
        }
        return try decodeIfPresent(Int.self, forKey: key)
    }
}
