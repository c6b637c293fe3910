// bench-midi: parse every .mid under a folder with Muse, pretty_midi and symusic in one run and
// print files/s, notes/s and ours/peer ratios, for two kinds of file: the bundled corpora (small
// folk tunes and chorales) and dense generated files (DenseMIDIFiles: thousands of notes, 8–16
// tracks, controllers, pitch bends, tempo changes), written to a temporary folder.
//
//   swift run -c release bench-midi [--corpus DIR] [--repeats N] [--dense N] [--dense-out DIR] [--only corpora|dense] [--no-peers]
//
// Every pass reads each file from its path and builds the full note list (Muse: NoteSequence
// in seconds; pretty_midi: PrettyMIDI; symusic: Score in ticks). Muse is timed on one thread
// (like for like with the single-threaded peers) and on all cores (MIDICorpus.read); figures
// are the best of N passes after one warm-up pass that fills the page cache. One-thread figures
// are CPU time of the process on both sides (on a shared machine, wall time mostly measures the
// other users); all-core figures are wall time. Notes per second are the notes Muse finds divided
// by each program's time, so their ratio is the ratio of times; pretty_midi (seconds per dense
// file) reads only the first 10 dense files, and its rate is its own notes over its own time.
import BenchSupport
import Foundation
import MuseMIDI

var corpus = "corpora"
var repeats = 5
var denseCount = 200
var denseOut: String?
var only: String?
var noPeers = false
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--corpus": corpus = arguments.next() ?? corpus
    case "--repeats": repeats = Int(arguments.next() ?? "") ?? repeats
    case "--dense": denseCount = Int(arguments.next() ?? "") ?? denseCount
    case "--dense-out": denseOut = arguments.next()
    case "--only": only = arguments.next()
    case "--no-peers": noPeers = true
    default:
        print("usage: bench-midi [--corpus DIR] [--repeats N] [--dense N] [--dense-out DIR] [--only corpora|dense] [--no-peers]")
        exit(2)
    }
}

let cores = ProcessInfo.processInfo.activeProcessorCount
let rows = BenchRows("midi")
defer { rows.write() }

func museNotes(_ paths: [String], threads: Int) -> (notes: Int, failed: Int) {
    var notes = 0, failed = 0
    if threads == 1 {
        for path in paths {
            if let sequence = try? NoteSequence(contentsOfMIDIFile: path) { notes += sequence.notes.count } else { failed += 1 }
        }
    } else {
        for result in MIDICorpus.read(paths, threads: threads) {
            if case .success(let sequence) = result { notes += sequence.notes.count } else { failed += 1 }
        }
    }
    return (notes, failed)
}

/// CPU seconds this process has used (all threads).
func cpuSeconds() -> Double {
    var ts = timespec()
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts)
    return Double(ts.tv_sec) + Double(ts.tv_nsec) * 1e-9
}

/// The best of `repeats` passes of `body` after a warm-up: CPU seconds when `cpu`, else wall seconds.
func best(cpu: Bool, _ body: () -> (notes: Int, failed: Int)) -> (seconds: Double, notes: Int, failed: Int) {
    _ = body()
    var result = (seconds: Double.infinity, notes: 0, failed: 0)
    for _ in 0..<repeats {
        let start = cpu ? cpuSeconds() : now()
        let (notes, failed) = body()
        let seconds = (cpu ? cpuSeconds() : now()) - start
        if seconds < result.seconds { result = (seconds, notes, failed) }
    }
    return result
}

/// Times Muse and the peers on `paths`, prints the figures and adds the rows of `kind`.
func measure(_ kind: String, _ paths: [String], from source: String, prettyMIDIFiles: Int = 0) {
    print("bench-midi, \(kind): \(paths.count) files under \(source), best of \(repeats) passes (1 thread: CPU time; all cores: wall time)")
    let single = best(cpu: true) { museNotes(paths, threads: 1) }
    let parallel = best(cpu: false) { museNotes(paths, threads: cores) }
    if noPeers {
        print(String(format: "  muse: 1 thread %.0f notes/s, %d threads %.0f notes/s (%d notes)", Double(single.notes) / single.seconds,
                     cores, Double(parallel.notes) / parallel.seconds, single.notes))
        return
    }

    // Peers, same files, same run.
    let listURL = FileManager.default.temporaryDirectory.appendingPathComponent("bench-midi-\(getpid()).txt")
    defer { try? FileManager.default.removeItem(at: listURL) }
    var peers: [String: [String: Double]] = [:]
    do {
        try paths.joined(separator: "\n").write(to: listURL, atomically: true, encoding: .utf8)
        peers = try runJSON(peerPython, [peerScript("bench_midi_peer.py"), listURL.path, String(repeats), String(prettyMIDIFiles)])
            .compactMapValues { $0 as? [String: Double] }
    } catch {
        print("bench-midi: cannot run peer script with \(peerPython): \(error)")
    }

    func row(_ name: String, _ seconds: Double, _ files: Int, _ notes: Int, _ failed: Int) {
        print("  " + name.padding(toLength: 20, withPad: " ", startingAt: 0)
              + String(format: "%9.0f files/s %12.0f notes/s %9d notes %4d failed %8.3f s", Double(files) / seconds, Double(notes) / seconds, notes, failed, seconds))
    }
    row("muse (1 thread, CPU)", single.seconds, paths.count - single.failed, single.notes, single.failed)
    row("muse (\(cores) threads)", parallel.seconds, paths.count - parallel.failed, parallel.notes, parallel.failed)
    for name in ["symusic", "pretty_midi"] {
        guard let peer = peers[name], let seconds = peer["cpu_seconds"], let wall = peer["seconds"] else { print("  \(name): no result"); continue }
        row(name + " (CPU)", seconds, Int(peer["files"] ?? 0), Int(peer["notes"] ?? 0), Int(peer["failed"] ?? 0))
        row(name + " (wall)", wall, Int(peer["files"] ?? 0), Int(peer["notes"] ?? 0), Int(peer["failed"] ?? 0))
    }
    print("  ratios (ours/peer notes per second; > 1 means Muse is faster):")
    for name in ["symusic", "pretty_midi"] {
        let peer = peers[name] ?? [:]
        // The peer's own notes over its own time when it read a subset, else Muse's notes (same files).
        let subset = Int(peer["files"] ?? 0) + Int(peer["failed"] ?? 0) < paths.count
        let peerNotes = subset ? peer["notes"] ?? .nan : Double(single.notes)
        let oneThread = peerNotes / (peer["cpu_seconds"] ?? .nan), allCores = peerNotes / (peer["seconds"] ?? .nan)
        let ours1 = Double(single.notes) / single.seconds, oursN = Double(parallel.notes) / parallel.seconds
        rows.rate("\(kind) files, 1 thread", peer: name, unit: "notes/s", ours: ours1, theirs: oneThread)
        if name == "symusic" {
            rows.rate("\(kind) files, all cores", peer: name, unit: "notes/s", ours: oursN, theirs: allCores)
        }
        print("    vs " + name.padding(toLength: 12, withPad: " ", startingAt: 0)
              + String(format: " 1 thread %7.2fx   %d threads %7.2fx", ours1 / oneThread, cores, oursN / allCores))
    }
}

if only != "dense" {
    do {
        let paths = try MIDICorpus.files(in: corpus)
        if paths.isEmpty { print("bench-midi: no MIDI files under \(corpus)") } else { measure("corpora", paths, from: corpus) }
    } catch {
        print("bench-midi: \(error) (build the corpora first, or pass --corpus DIR)")
    }
}
if only != "corpora" {
    let folder = denseOut.map { URL(fileURLWithPath: $0) }
        ?? FileManager.default.temporaryDirectory.appendingPathComponent("muse-bench-midi-dense-\(getpid())")
    defer { if denseOut == nil { try? FileManager.default.removeItem(at: folder) } }
    do {
        let paths = try DenseMIDIFiles(count: denseCount).write(into: folder)
        print("")
        measure("dense", paths, from: folder.path, prettyMIDIFiles: 10)
    } catch {
        print("bench-midi: cannot write the dense files into \(folder.path): \(error)")
    }
}
