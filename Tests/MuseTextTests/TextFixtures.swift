import Foundation
import XCTest

/// The peer expectations of `scripts/make_text_fixtures.py` (Python's UTF-8 decoder, GPT-2's
/// pattern through the `regex` module, a plain recount-everything BPE).
struct TextFixtures: Decodable {
    struct UTF8Case: Decodable {
        var hex: String
        var offset: Int
        var reason: String
        var replaced: String
        var bytes: [UInt8] {
            stride(from: 0, to: hex.count, by: 2).map { i in
                let start = hex.index(hex.startIndex, offsetBy: i)
                return UInt8(hex[start..<hex.index(start, offsetBy: 2)], radix: 16) ?? 0
            }
        }
    }
    struct ChunkCase: Decodable {
        var text: String
        var chunks: [String]
    }
    struct Encoding: Decodable {
        var text: String
        var ids: [Int32]
    }
    struct BPE: Decodable {
        var train: String
        var vocab_size: Int
        var merges: [[Int32]]
        var encodings: [Encoding]
    }
    var utf8: [UTF8Case]
    var chunks: [ChunkCase]
    var bpe: BPE

    static func load() throws -> TextFixtures {
        let folder = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let data = try Data(contentsOf: folder.appendingPathComponent("text_cases.json"))
        return try JSONDecoder().decode(TextFixtures.self, from: data)
    }
}

/// Text in many scripts for round trips: English, Chinese, emoji (with modifiers and joiners),
/// combining marks, right-to-left and Indic scripts, control characters.
let mixedScripts = [
    "ROMEO:\nBut, soft! what light through yonder window breaks?\n",
    "床前明月光，疑是地上霜。举头望明月，低头思故乡。",
    "emoji 👍🏽 👨‍👩‍👧 🎵🎶 and flags 🇫🇷",
    "combining e\u{301}, n\u{303}o, a\u{30A}\u{301} and precomposed é ñ",
    "Ωμέγα, Привет, مرحبا, नमस्ते, 日本語のテキスト, 한국어",
    "tabs\tand\r\nnew\u{0}lines\u{7F} \u{A0}\u{2003}\u{3000}",
    "I'll say it's 3.14159 or ²³ — “quoted” 'single'",
]

/// Every directory of a test's scratch files, removed when the test ends.
func scratchDirectory(_ test: XCTestCase) throws -> URL {
    let url = FileManager.default.temporaryDirectory.appendingPathComponent("MuseTextTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(at: url) }
    return url
}
