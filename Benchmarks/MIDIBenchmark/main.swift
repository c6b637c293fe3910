// bench-midi: parse every .mid under a folder with Muse, pretty_midi and symusic in one run and
// print files/s, notes/s and ours/peer ratios.
//
//   swift run -c release bench-midi [--corpus DIR] [--repeats N]
//
// Every pass reads each file from its path and builds the full note list (Muse: NoteSequence
// in seconds; pretty_midi: PrettyMIDI; symusic: Score in ticks). Muse is timed on one thread
// (like for like with the single-threaded peers) and on all cores (MIDICorpus.read); figures
// are the best of N passes after one warm-up pass that fills the page cache.
import BenchSupport
import Foundation
import MuseMIDI

var corpus = "corpora"
var repeats = 5
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--corpus": corpus = arguments.next() ?? corpus
    case "--repeats": repeats = Int(arguments.next() ?? "") ?? repeats
    default:
        print("usage: bench-midi [--corpus DIR] [--repeats N]")
        exit(2)
    }
}

let paths: [String]
do { paths = try MIDICorpus.files(in: corpus) } catch {
    print("bench-midi: \(error) (build the corpora first, or pass --corpus DIR)")
    exit(1)
}
guard !paths.isEmpty else { print("bench-midi: no MIDI files under \(corpus)"); exit(1) }

func museNotes(threads: Int) -> (notes: Int, failed: Int) {
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

func best(_ body: () -> (notes: Int, failed: Int)) -> (seconds: Double, notes: Int, failed: Int) {
    _ = body()
    var result = (seconds: Double.infinity, notes: 0, failed: 0)
    for _ in 0..<repeats {
        let start = DispatchTime.now().uptimeNanoseconds
        let (notes, failed) = body()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        if seconds < result.seconds { result = (seconds, notes, failed) }
    }
    return result
}

let cores = ProcessInfo.processInfo.activeProcessorCount
print("bench-midi: \(paths.count) files under \(corpus), best of \(repeats) passes")
let single = best { museNotes(threads: 1) }
let parallel = best { museNotes(threads: cores) }

// Peers, same files, same run.
let listURL = FileManager.default.temporaryDirectory.appendingPathComponent("bench-midi-\(getpid()).txt")
try paths.joined(separator: "\n").write(to: listURL, atomically: true, encoding: .utf8)
defer { try? FileManager.default.removeItem(at: listURL) }
var peers: [String: [String: Double]] = [:]
do {
    peers = try runJSON(peerPython, [peerScript("bench_midi_peer.py"), listURL.path, String(repeats)])
        .compactMapValues { $0 as? [String: Double] }
} catch {
    print("bench-midi: cannot run peer script with \(peerPython): \(error)")
}

func row(_ name: String, _ seconds: Double, _ files: Int, _ notes: Int, _ failed: Int) {
    print(name.padding(toLength: 18, withPad: " ", startingAt: 0)
          + String(format: "%9.0f files/s %12.0f notes/s %9d notes %4d failed %8.3f s", Double(files) / seconds, Double(notes) / seconds, notes, failed, seconds))
}
row("muse (1 thread)", single.seconds, paths.count - single.failed, single.notes, single.failed)
row("muse (\(cores) threads)", parallel.seconds, paths.count - parallel.failed, parallel.notes, parallel.failed)
for name in ["symusic", "pretty_midi"] {
    guard let peer = peers[name], let seconds = peer["seconds"] else { print("\(name): no result"); continue }
    row(name, seconds, Int(peer["files"] ?? 0), Int(peer["notes"] ?? 0), Int(peer["failed"] ?? 0))
}
print("ratios (ours/peer, files per second; > 1 means Muse is faster):")
for name in ["symusic", "pretty_midi"] {
    guard let seconds = peers[name]?["seconds"] else { continue }
    print("  vs " + name.padding(toLength: 12, withPad: " ", startingAt: 0)
          + String(format: " 1 thread %7.2fx   %d threads %7.2fx", seconds / single.seconds, cores, seconds / parallel.seconds))
}
