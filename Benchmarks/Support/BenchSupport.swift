// What every benchmark needs besides its own workload: a monotonic clock, repeated timing, peak
// memory, and running its Python peer (pinned in scripts/peers-requirements.txt) in the same run.
import Foundation

/// Seconds on the monotonic clock.
public func now() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_MONOTONIC, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// The seconds of each of `runs` calls of `body`, after `warmups` untimed calls (plans, page
/// faults, thread pools).
public func timedRuns(_ runs: Int, warmups: Int = 1, _ body: () throws -> Void) rethrows -> [Double] {
    for _ in 0..<warmups { try body() }
    var times: [Double] = []
    for _ in 0..<runs {
        let t0 = now()
        try body()
        times.append(now() - t0)
    }
    return times
}

/// Median seconds of `body` over `runs` timed calls after `warmups` untimed ones.
public func medianSeconds(_ runs: Int, warmups: Int = 1, _ body: () throws -> Void) rethrows -> Double {
    try timedRuns(runs, warmups: warmups, body).sorted()[runs / 2]
}

/// Best (smallest) seconds of `body` over `runs` timed calls after one warm-up. On a VM shared
/// with other work, interference only ever adds time, so the minimum is the repeatable figure
/// (Python's timeit reports the same).
public func bestSeconds(_ runs: Int, _ body: () throws -> Void) rethrows -> Double {
    try timedRuns(runs, body).min()!
}

/// This process's peak resident memory in MB.
public func peakRSSMegabytes() -> Double {
    var usage = rusage()
    getrusage(RUSAGE_SELF.rawValue, &usage)
    return Double(usage.ru_maxrss) / 1024
}

/// The peers' Python: `$MUSE_PEER_PYTHON`, else the python of the venv `scripts/peers_venv.sh`
/// makes: `$MUSE_PEERS_VENV/bin/python`, else `.venv-peers/bin/python` under the current folder,
/// else under the repository root.
public let peerPython: String = {
    let environment = ProcessInfo.processInfo.environment
    if let python = environment["MUSE_PEER_PYTHON"] { return python }
    if let venv = environment["MUSE_PEERS_VENV"] { return venv + "/bin/python" }
    let inVenv = ".venv-peers/bin/python"
    let here = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(inVenv).path
    if FileManager.default.isExecutableFile(atPath: here) { return here }
    return repositoryRoot.appendingPathComponent(inVenv).path
}()

/// The repository's root folder.
public let repositoryRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent()

/// Path of `scripts/<name>`.
public func peerScript(_ name: String) -> String {
    repositoryRoot.appendingPathComponent("scripts").appendingPathComponent(name).path
}

/// A peer that failed: its command and everything it printed.
public struct PeerFailure: Error, CustomStringConvertible {
    public let description: String
}

/// Runs `executable arguments…` (with `environment` added to ours) and returns its standard output.
/// - Throws: `PeerFailure` when it cannot start or exits non-zero.
public func runProcess(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> String {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    if !environment.isEmpty {
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
    }
    let pipe = Pipe()
    process.standardOutput = pipe
    do { try process.run() } catch { throw PeerFailure(description: "cannot run \(executable): \(error)") }
    let text = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
    process.waitUntilExit()
    guard process.terminationStatus == 0 else {
        throw PeerFailure(description: "\(executable) \(arguments.first ?? "") exited \(process.terminationStatus): \(text)")
    }
    return text
}

/// Runs `executable arguments…` (with `environment` added to ours) and parses the JSON object it
/// prints last on standard output.
/// - Throws: `PeerFailure` when it fails or its last line is not a JSON object.
public func runJSON(_ executable: String, _ arguments: [String], environment: [String: String] = [:]) throws -> [String: Any] {
    let text = try runProcess(executable, arguments, environment: environment)
    guard let line = text.split(separator: "\n").last,
          let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any] else {
        throw PeerFailure(description: "\(executable) \(arguments.first ?? "") printed no JSON object: \(text)")
    }
    return object
}

/// `object[key]` as a number, NaN when missing.
public func number(_ object: [String: Any], _ key: String) -> Double {
    (object[key] as? NSNumber)?.doubleValue ?? .nan
}

/// The environment that pins a Muse process to one thread (MuseCore's loops and OpenBLAS).
public let oneThreadEnvironment = ["MUSE_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"]

/// Prints `object` as one line of JSON (what a benchmark's child process reports to its parent).
public func printJSON(_ object: [String: Any]) {
    guard let data = try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys]) else { return }
    print(String(decoding: data, as: UTF8.self))
}
