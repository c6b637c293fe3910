import Foundation
import XCTest

/// The page in a real browser: Debian's `chromium` in headless mode loads the studio, picks the
/// melody bundle, continues a primer (through the page's deep link, which fills the Continue form
/// and submits it as a click would), and the test reads the DOM it ends with: a result card with
/// an `<audio>` whose source is a WAV file the server serves, and a piano-roll picture the page
/// itself found not to be one flat colour (`data-blank="0"`, set from its pixels after loading).
/// A phone-sized screenshot is kept at `$MUSE_STUDIO_SCREENSHOT` when that is set.
final class StudioBrowserTests: StudioTestCase {
    /// The browser, or nil when none is installed.
    static var chromium: String? {
        for path in ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
        where FileManager.default.isExecutableFile(atPath: path) { return path }
        return nil
    }

    /// Runs chromium headless on `url` with `arguments`; returns standard output.
    func runChromium(_ arguments: [String], url: URL) throws -> String {
        let browser = try XCTUnwrap(Self.chromium)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: browser)
        let profile = folder.appendingPathComponent("chromium-profile-\(UUID().uuidString)")
        process.arguments = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                             "--user-data-dir=\(profile.path)", "--virtual-time-budget=90000", "--enable-logging=stderr", "--v=0"] + arguments + [url.absoluteString]
        let out = Pipe()
        process.standardOutput = out
        // The page's console (errors included) goes to standard error with --enable-logging=stderr;
        // kept beside the screenshot when one is asked for.
        let log = ProcessInfo.processInfo.environment["MUSE_STUDIO_SCREENSHOT"].map { $0 + ".log" }
        if let log { FileManager.default.createFile(atPath: log, contents: nil) }
        process.standardError = FileHandle(forWritingAtPath: log ?? "/dev/null")
        try process.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    func testChromiumContinuesAPrimerAndShowsAudioAndPianoRoll() async throws {
        guard Self.chromium != nil else {
            throw XCTSkip("chromium is not installed (apt-get install chromium, or scripts/setup.sh); the browser test needs it")
        }
        _ = try server.engine.soundFont()  // loaded before the browser's clock starts
        var components = URLComponents(url: base, resolvingAgainstBaseURL: false)!
        components.path = "/"
        components.queryItems = [.init(name: "panel", value: "continue"), .init(name: "bundle", value: "melody"),
                                 .init(name: "primer", value: "[62, -2, 65, -2, 69, -2, -1, 67]"), .init(name: "length", value: "24"),
                                 .init(name: "count", value: "1"), .init(name: "go", value: "1")]
        let url = try XCTUnwrap(components.url)
        let dom = try runChromium(["--dump-dom"], url: url)
        if let keep = ProcessInfo.processInfo.environment["MUSE_STUDIO_SCREENSHOT"] {
            try Data(dom.utf8).write(to: URL(fileURLWithPath: keep).deletingPathExtension().appendingPathExtension("html"))
        }
        XCTAssertTrue(dom.contains("class=\"card bundle selected\" data-id=\"melody\""), "the bundle is picked")
        let audio = try XCTUnwrap(dom.range(of: #"<audio[^>]*src="(/api/jobs/[^"]+\.wav)""#, options: .regularExpression), "no <audio> with a WAV source:\n\(dom.suffix(3000))")
        let tag = String(dom[audio])
        let src = String(tag[tag.range(of: "/api/jobs/")!.lowerBound...].dropLast())
        let wav = try await request("GET", src)
        XCTAssertEqual(wav.status, 200)
        XCTAssertEqual(wav.type, "audio/wav")
        XCTAssertEqual(wav.data.prefix(4), Data("RIFF".utf8))
        XCTAssertNotNil(dom.range(of: #"<img class="roll" alt="piano roll" src="/api/jobs/[^"]+\.png" data-blank="0">"#, options: .regularExpression),
                        "the piano roll did not load or is one flat colour:\n\(dom.suffix(3000))")
        XCTAssertTrue(dom.contains("continue done"), "status line")

        let screenshot = ProcessInfo.processInfo.environment["MUSE_STUDIO_SCREENSHOT"].map { URL(fileURLWithPath: $0) }
            ?? folder.appendingPathComponent("studio.png")
        _ = try runChromium(["--screenshot=\(screenshot.path)", "--window-size=412,1600", "--hide-scrollbars"], url: url)
        let png = try Data(contentsOf: screenshot)
        XCTAssertEqual(png.prefix(4), Data([0x89, 0x50, 0x4E, 0x47]))
    }
}
