import Foundation

/// The raw contents of a SoundFont 2 file (RIFF form `sfbk`), as the SF2.01 spec lays it out:
/// the INFO strings, the 16-bit sample pool (`smpl`, plus the optional `sm24` low bytes) and the
/// nine hydra tables of `pdta`. Every chunk size and hydra index is checked before use; nothing
/// is resolved yet (that is `SoundFont`).
public struct SoundFontFile: Sendable {
    /// `phdr` record: one preset and the first of its zones (bags) in `pbag`.
    public struct PresetHeader: Sendable {
        public var name: String
        public var program: Int
        public var bank: Int
        public var bagIndex: Int
    }
    /// `inst` record: one instrument and the first of its zones in `ibag`.
    public struct InstrumentHeader: Sendable {
        public var name: String
        public var bagIndex: Int
    }
    /// `pbag`/`ibag` record: the first generator and modulator of one zone.
    public struct Bag: Sendable {
        public var generatorIndex: Int
        public var modulatorIndex: Int
    }
    /// `pgen`/`igen` record: generator operator and its 16-bit amount (signed, or a lo/hi range).
    public struct GeneratorRecord: Sendable {
        public var oper: Int
        public var amount: Int16
        /// The amount read as unsigned 16 bits.
        public var unsignedAmount: Int { Int(UInt16(bitPattern: amount)) }
        /// The amount read as a byte range (keyRange, velRange): low byte, high byte.
        public var range: (lo: Int, hi: Int) { (unsignedAmount & 0xff, unsignedAmount >> 8) }
    }
    /// `pmod`/`imod` record (SF2.01 section 7.4).
    public struct ModulatorRecord: Sendable {
        public var source: UInt16
        public var destination: UInt16
        public var amount: Int16
        public var amountSource: UInt16
        public var transform: UInt16
    }
    /// `shdr` record: where one sample lies in the pool, in sample frames from the pool's start.
    public struct SampleHeader: Sendable {
        public var name: String
        public var start: Int
        public var end: Int
        public var loopStart: Int
        public var loopEnd: Int
        /// Hz.
        public var sampleRate: Int
        /// MIDI key of the recorded pitch.
        public var originalPitch: Int
        /// Cents to add to reach the recorded pitch.
        public var pitchCorrection: Int
        public var sampleLink: Int
        public var sampleType: Int
        /// True for samples in ROM (type bit 0x8000): not in this file, never played.
        public var isROM: Bool { sampleType & 0x8000 != 0 }
    }

    /// Path (or label) the data came from, used in every error.
    public let path: String
    /// INFO strings by chunk id (`INAM` name, `ICOP` copyright, `ifil` is not a string and is absent).
    public var info: [String: String] = [:]
    /// SoundFont version from `ifil` (major, minor).
    public var version: (major: Int, minor: Int) = (2, 1)
    /// The sample pool (`smpl`, plus `sm24` when present and as long), loaded once.
    public var samples = SamplePool([])
    public var presetHeaders: [PresetHeader] = []
    public var presetBags: [Bag] = []
    public var presetModulators: [ModulatorRecord] = []
    public var presetGenerators: [GeneratorRecord] = []
    public var instrumentHeaders: [InstrumentHeader] = []
    public var instrumentBags: [Bag] = []
    public var instrumentModulators: [ModulatorRecord] = []
    public var instrumentGenerators: [GeneratorRecord] = []
    public var sampleHeaders: [SampleHeader] = []
    /// Byte offset of each hydra chunk's data, for error messages.
    public var chunkOffsets: [String: Int] = [:]

    /// Reads and validates a SoundFont file. The file is read once (memory-mapped).
    /// - Throws: `SynthError` naming the file, chunk and offset of the first problem.
    public init(contentsOf url: URL) throws {
        let data: Data
        do {
            data = try Data(contentsOf: url, options: .alwaysMapped)
        } catch {
            throw SynthError.unreadable(file: url.path, reason: error.localizedDescription)
        }
        try self.init(data: data, path: url.path)
    }

    /// Parses SoundFont bytes held in memory; `path` labels errors.
    public init(data: Data, path: String = "<memory>") throws {
        self.path = path
        try data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) in
            try parse(RawReader(bytes: raw, path: path))
        }
    }

    private mutating func parse(_ r: RawReader) throws {
        guard r.count >= 12 else { throw SynthError.truncated(file: path, chunk: "RIFF", offset: 0, needed: 12 - r.count) }
        guard r.fourCC(0) == "RIFF" else { throw SynthError.badMagic(file: path, chunk: "RIFF", offset: 0, found: r.fourCC(0)) }
        let riffSize = Int(r.u32(4))
        guard riffSize >= 4, riffSize <= r.count - 8 else {
            throw SynthError.chunkPastEnd(file: path, chunk: "RIFF", offset: 0, size: riffSize, available: r.count - 8)
        }
        guard r.fourCC(8) == "sfbk" else { throw SynthError.badMagic(file: path, chunk: "sfbk", offset: 8, found: r.fourCC(8)) }
        var lists: [String: Range<Int>] = [:]
        for chunk in try r.chunks(in: 12..<(8 + riffSize), parent: "sfbk") where chunk.id == "LIST" {
            guard chunk.data.count >= 4 else {
                throw SynthError.truncated(file: path, chunk: "LIST", offset: chunk.data.lowerBound, needed: 4 - chunk.data.count)
            }
            lists[r.fourCC(chunk.data.lowerBound)] = (chunk.data.lowerBound + 4)..<chunk.data.upperBound
        }
        guard let infoRange = lists["INFO"] else { throw SynthError.missingChunk(file: path, chunk: "INFO") }
        guard let sdtaRange = lists["sdta"] else { throw SynthError.missingChunk(file: path, chunk: "sdta") }
        guard let pdtaRange = lists["pdta"] else { throw SynthError.missingChunk(file: path, chunk: "pdta") }

        for chunk in try r.chunks(in: infoRange, parent: "INFO") {
            if chunk.id == "ifil" {
                guard chunk.data.count >= 4 else {
                    throw SynthError.truncated(file: path, chunk: "ifil", offset: chunk.data.lowerBound, needed: 4 - chunk.data.count)
                }
                version = (Int(r.u16(chunk.data.lowerBound)), Int(r.u16(chunk.data.lowerBound + 2)))
            } else {
                info[chunk.id] = r.string(chunk.data.lowerBound, min(chunk.data.count, 65536))
            }
        }

        var smpl: Range<Int>? = nil
        var sm24: Range<Int>? = nil
        for chunk in try r.chunks(in: sdtaRange, parent: "sdta") {
            if chunk.id == "smpl" { smpl = chunk.data }
            if chunk.id == "sm24" { sm24 = chunk.data }
        }
        if let smpl {
            let frames = smpl.count / 2
            samples = SamplePool(littleEndianBytes: UnsafeRawBufferPointer(rebasing: r.bytes[smpl]), count: frames)
            // SF2.04: sm24 is used only when it holds one byte per smpl frame (padding allowed).
            if let sm24, sm24.count >= frames, sm24.count <= frames + 1 {
                samples.attachLowBytes(UnsafeRawBufferPointer(rebasing: r.bytes[sm24]))
            }
        }

        var hydra: [String: Range<Int>] = [:]
        for chunk in try r.chunks(in: pdtaRange, parent: "pdta") {
            hydra[chunk.id] = chunk.data
            chunkOffsets[chunk.id] = chunk.data.lowerBound
        }
        func table(_ id: String, _ recordSize: Int) throws -> (Range<Int>, Int) {
            guard let range = hydra[id] else { throw SynthError.missingChunk(file: path, chunk: id) }
            guard range.count >= recordSize, range.count % recordSize == 0 else {
                throw SynthError.badRecordSize(file: path, chunk: id, offset: range.lowerBound, size: range.count, recordSize: recordSize)
            }
            return (range, range.count / recordSize)
        }
        let (phdr, nPresets) = try table("phdr", 38)
        presetHeaders = (0..<nPresets).map { i in
            let o = phdr.lowerBound + 38 * i
            return PresetHeader(name: r.string(o, 20), program: Int(r.u16(o + 20)), bank: Int(r.u16(o + 22)), bagIndex: Int(r.u16(o + 24)))
        }
        let (inst, nInst) = try table("inst", 22)
        instrumentHeaders = (0..<nInst).map { i in
            let o = inst.lowerBound + 22 * i
            return InstrumentHeader(name: r.string(o, 20), bagIndex: Int(r.u16(o + 20)))
        }
        func bags(_ id: String) throws -> [Bag] {
            let (range, n) = try table(id, 4)
            return (0..<n).map { i in
                let o = range.lowerBound + 4 * i
                return Bag(generatorIndex: Int(r.u16(o)), modulatorIndex: Int(r.u16(o + 2)))
            }
        }
        func gens(_ id: String) throws -> [GeneratorRecord] {
            let (range, n) = try table(id, 4)
            return (0..<n).map { i in
                let o = range.lowerBound + 4 * i
                return GeneratorRecord(oper: Int(r.u16(o)), amount: Int16(bitPattern: r.u16(o + 2)))
            }
        }
        func mods(_ id: String) throws -> [ModulatorRecord] {
            let (range, n) = try table(id, 10)
            return (0..<n).map { i in
                let o = range.lowerBound + 10 * i
                return ModulatorRecord(source: r.u16(o), destination: r.u16(o + 2), amount: Int16(bitPattern: r.u16(o + 4)),
                                       amountSource: r.u16(o + 6), transform: r.u16(o + 8))
            }
        }
        presetBags = try bags("pbag")
        instrumentBags = try bags("ibag")
        presetGenerators = try gens("pgen")
        instrumentGenerators = try gens("igen")
        presetModulators = try mods("pmod")
        instrumentModulators = try mods("imod")
        let (shdr, nSamples) = try table("shdr", 46)
        sampleHeaders = (0..<nSamples).map { i in
            let o = shdr.lowerBound + 46 * i
            return SampleHeader(name: r.string(o, 20), start: Int(r.u32(o + 20)), end: Int(r.u32(o + 24)),
                                loopStart: Int(r.u32(o + 28)), loopEnd: Int(r.u32(o + 32)),
                                sampleRate: Int(r.u32(o + 36)), originalPitch: Int(r.bytes[o + 40]),
                                pitchCorrection: Int(Int8(bitPattern: r.bytes[o + 41])),
                                sampleLink: Int(r.u16(o + 42)), sampleType: Int(r.u16(o + 44)))
        }
        try validateIndices()
    }

    /// Checks that every header's bag index, and every bag's generator and modulator index, lies
    /// inside its table and never goes backwards (SF2.01 section 7.2-7.7); the last record of each
    /// table is the terminal one.
    private func validateIndices() throws {
        func monotone(_ indices: [Int], chunk: String, recordSize: Int, field: String, count: Int) throws {
            var previous = 0
            for (i, index) in indices.enumerated() {
                if index < previous || index >= count {
                    throw SynthError.indexOutOfRange(file: path, chunk: chunk, offset: (chunkOffsets[chunk] ?? 0) + recordSize * i,
                                                     field: field, index: index, count: count)
                }
                previous = index
            }
        }
        try monotone(presetHeaders.map(\.bagIndex), chunk: "phdr", recordSize: 38, field: "preset bag index", count: presetBags.count)
        try monotone(instrumentHeaders.map(\.bagIndex), chunk: "inst", recordSize: 22, field: "instrument bag index", count: instrumentBags.count)
        try monotone(presetBags.map(\.generatorIndex), chunk: "pbag", recordSize: 4, field: "generator index", count: presetGenerators.count)
        try monotone(presetBags.map(\.modulatorIndex), chunk: "pbag", recordSize: 4, field: "modulator index", count: presetModulators.count)
        try monotone(instrumentBags.map(\.generatorIndex), chunk: "ibag", recordSize: 4, field: "generator index", count: instrumentGenerators.count)
        try monotone(instrumentBags.map(\.modulatorIndex), chunk: "ibag", recordSize: 4, field: "modulator index", count: instrumentModulators.count)
        let instrumentCount = instrumentHeaders.count - 1
        for (i, g) in presetGenerators.enumerated() where g.oper == GeneratorType.instrument.rawValue {
            if g.unsignedAmount >= instrumentCount {
                throw SynthError.indexOutOfRange(file: path, chunk: "pgen", offset: (chunkOffsets["pgen"] ?? 0) + 4 * i,
                                                 field: "instrument", index: g.unsignedAmount, count: instrumentCount)
            }
        }
        let sampleCount = sampleHeaders.count - 1
        for (i, g) in instrumentGenerators.enumerated() where g.oper == GeneratorType.sampleID.rawValue {
            if g.unsignedAmount >= sampleCount {
                throw SynthError.indexOutOfRange(file: path, chunk: "igen", offset: (chunkOffsets["igen"] ?? 0) + 4 * i,
                                                 field: "sampleID", index: g.unsignedAmount, count: sampleCount)
            }
        }
        let pool = samples.count
        for (i, s) in sampleHeaders.dropLast().enumerated() where !s.isROM {
            let offset = (chunkOffsets["shdr"] ?? 0) + 46 * i
            func bad(_ problem: String) -> SynthError {
                SynthError.badSample(file: path, chunk: "shdr", offset: offset, sample: s.name, problem: problem)
            }
            if s.end > pool || s.start > s.end { throw bad("data \(s.start)..<\(s.end) outside the \(pool)-frame sample pool") }
            if s.end == s.start { throw bad("zero length") }
            if s.loopStart > pool || s.loopEnd > pool { throw bad("loop \(s.loopStart)..<\(s.loopEnd) outside the \(pool)-frame sample pool") }
            if s.sampleRate <= 0 || s.sampleRate > 1_000_000 { throw bad("sample rate \(s.sampleRate) Hz") }
        }
    }
}

/// Bounds-checked little-endian reads over the file bytes; callers check ranges first.
struct RawReader {
    let bytes: UnsafeRawBufferPointer
    let path: String
    var count: Int { bytes.count }

    func u16(_ o: Int) -> UInt16 { UInt16(bytes[o]) | UInt16(bytes[o + 1]) << 8 }
    func u32(_ o: Int) -> UInt32 {
        UInt32(bytes[o]) | UInt32(bytes[o + 1]) << 8 | UInt32(bytes[o + 2]) << 16 | UInt32(bytes[o + 3]) << 24
    }
    func fourCC(_ o: Int) -> String {
        guard o + 4 <= count else { return "" }
        return String(decoding: (0..<4).map { c -> UInt8 in
            let b = bytes[o + c]; return (b >= 32 && b < 127) ? b : UInt8(ascii: "?")
        }, as: UTF8.self)
    }
    /// A zero-terminated string of at most `length` bytes at `o`.
    func string(_ o: Int, _ length: Int) -> String {
        var chars: [UInt8] = []
        for i in 0..<length {
            let b = bytes[o + i]
            if b == 0 { break }
            chars.append(b)
        }
        return String(decoding: chars, as: UTF8.self).trimmingCharacters(in: .whitespaces)
    }

    /// The sub-chunks in `range`: id and data range, each checked to lie inside `range`.
    func chunks(in range: Range<Int>, parent: String) throws -> [(id: String, data: Range<Int>)] {
        var out: [(id: String, data: Range<Int>)] = []
        var o = range.lowerBound
        while o < range.upperBound {
            guard range.upperBound - o >= 8 else {
                throw SynthError.truncated(file: path, chunk: parent, offset: o, needed: 8 - (range.upperBound - o))
            }
            let id = fourCC(o)
            let size = Int(u32(o + 4))
            let available = range.upperBound - (o + 8)
            guard size <= available else {
                throw SynthError.chunkPastEnd(file: path, chunk: id, offset: o, size: size, available: available)
            }
            out.append((id, (o + 8)..<(o + 8 + size)))
            o += 8 + size + (size & 1)
        }
        return out
    }
}
