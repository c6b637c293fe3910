import Foundation
@testable import MuseSynth

/// Writes a minimal valid SoundFont 2 file (one preset → one instrument → one looped sine
/// sample) whose fields tests can spoil one at a time.
struct TestSoundFontBuilder {
    var sampleFrames = 2000
    var sampleStart = 0
    var sampleEnd = 2000
    var loopStart = 100
    var loopEnd = 1100           // 10 cycles of a 100-frame sine: 441 Hz at 44.1 kHz
    var sampleRate = 44100
    var originalPitch = 69
    var instrumentIndex = 0      // pgen instrument amount
    var sampleID = 0             // igen sampleID amount
    var presetBagIndex = 0
    var smplSizeOverride: UInt32? = nil
    /// Low bytes for an `sm24` chunk (one per frame), if any.
    var sm24: [UInt8]? = nil

    func le16(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8((v >> 8) & 0xff)] }
    func le32(_ v: Int) -> [UInt8] { [UInt8(v & 0xff), UInt8((v >> 8) & 0xff), UInt8((v >> 16) & 0xff), UInt8((v >> 24) & 0xff)] }
    func name(_ s: String) -> [UInt8] { Array(s.utf8.prefix(20)) + [UInt8](repeating: 0, count: 20 - min(20, s.utf8.count)) }
    func chunk(_ id: String, _ body: [UInt8], size: UInt32? = nil) -> [UInt8] {
        Array(id.utf8) + le32(Int(size ?? UInt32(body.count))) + body + (body.count & 1 == 1 ? [0] : [])
    }
    func list(_ type: String, _ chunks: [[UInt8]]) -> [UInt8] { chunk("LIST", Array(type.utf8) + chunks.flatMap { $0 }) }

    func bytes() -> [UInt8] {
        var smpl: [UInt8] = []
        for i in 0..<sampleFrames {
            let v = Int(20000 * sin(2 * Double.pi * Double(i) / 100))
            smpl += le16(v & 0xffff)
        }
        let info = list("INFO", [chunk("ifil", le16(2) + le16(1)), chunk("INAM", Array("Test Font\0".utf8))])
        let sdta = list("sdta", [chunk("smpl", smpl, size: smplSizeOverride)] + (sm24.map { [chunk("sm24", $0)] } ?? []))
        let phdr = name("Sine") + le16(0) + le16(0) + le16(presetBagIndex) + le32(0) + le32(0) + le32(0)
            + name("EOP") + le16(0) + le16(0) + le16(1) + le32(0) + le32(0) + le32(0)
        let pbag = le16(0) + le16(0) + le16(1) + le16(0)
        let pmod = [UInt8](repeating: 0, count: 10)
        let pgen = le16(41) + le16(instrumentIndex) + le16(0) + le16(0)
        let inst = name("SineInst") + le16(0) + name("EOI") + le16(1)
        let ibag = le16(0) + le16(0) + le16(2) + le16(0)
        let imod = [UInt8](repeating: 0, count: 10)
        let igen = le16(54) + le16(1) + le16(53) + le16(sampleID) + le16(0) + le16(0)
        let shdr = name("sine") + le32(sampleStart) + le32(sampleEnd) + le32(loopStart) + le32(loopEnd) + le32(sampleRate)
            + [UInt8(originalPitch), 0] + le16(0) + le16(1)
            + name("EOS") + le32(0) + le32(0) + le32(0) + le32(0) + le32(0) + [0, 0] + le16(0) + le16(0)
        let pdta = list("pdta", [chunk("phdr", phdr), chunk("pbag", pbag), chunk("pmod", pmod), chunk("pgen", pgen),
                                 chunk("inst", inst), chunk("ibag", ibag), chunk("imod", imod), chunk("igen", igen),
                                 chunk("shdr", shdr)])
        let body = Array("sfbk".utf8) + info + sdta + pdta
        return Array("RIFF".utf8) + le32(body.count) + body
    }

    func load(path: String = "test.sf2") throws -> SoundFont {
        try SoundFont(file: SoundFontFile(data: Data(bytes()), path: path))
    }
}
