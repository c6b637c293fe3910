import ArgumentParser
import Foundation
import MuseStudio

/// `muse studio [--port 8080] [--host 127.0.0.1] [--runs runs]`: the local web page.
struct StudioCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "studio",
        abstract: "Serve a local web page to continue, generate and interpolate with the bundles under --runs, render and listen.",
        discussion: """
            Open http://HOST:PORT/ in a browser. The page and its JSON API (described at /api/openapi.json) are \
            served by this process; nothing is fetched from the internet. Listens on loopback only unless --host \
            says otherwise. Results are written under --output. Stop with Ctrl-C.
            """)

    @Option(help: "Port to listen on (0 picks a free one).")
    var port: Int = 8080

    @Option(help: "Address to listen on (127.0.0.1: this machine only; 0.0.0.0: every network it is on).")
    var host: String = "127.0.0.1"

    @Option(help: "Folder whose sub-folders are model bundles or training runs.")
    var runs: String = "runs"

    @Option(help: "Folder for uploads and results.")
    var output: String = "output/studio"

    @Option(help: "SoundFont (.sf2) for rendering results (default: $MUSE_SOUNDFONT, then soundfonts/, then /usr/share/sounds/sf2/; built-in oscillators if none).")
    var soundfont: String?

    func validate() throws {
        guard (0...65535).contains(port) else { throw ValidationError("--port must be 0...65535") }
    }

    func run() throws {
        var settings = StudioConfiguration(runsDirectory: URL(fileURLWithPath: runs), outputDirectory: URL(fileURLWithPath: output),
                                           registry: bundleRegistry)
        settings.host = host
        settings.port = port
        settings.soundFont = soundfont
        let server = try StudioServer(configuration: settings)
        let host = self.host
        let count = server.engine.catalog.entries().count
        let outcome = BlockingOutcome()
        Task.detached {
            do {
                try await server.run { port in
                    print("muse studio: http://\(host.contains(":") ? "[\(host)]" : host):\(port)/ (\(count) bundle\(count == 1 ? "" : "s") under \(runs)/; Ctrl-C stops)")
                    fflush(stdout)
                }
                outcome.finish(nil)
            } catch {
                outcome.finish(error)
            }
        }
        if let error = outcome.wait() { throw error }
    }
}

/// Waits on the calling thread for the server task's end (`muse`'s commands are synchronous).
final class BlockingOutcome: @unchecked Sendable {
    private let done = DispatchSemaphore(value: 0)
    private var error: Error?

    /// Records the end and wakes `wait`.
    func finish(_ error: Error?) {
        self.error = error
        done.signal()
    }

    /// Blocks until `finish`; returns its error.
    func wait() -> Error? {
        done.wait()
        return error
    }
}
