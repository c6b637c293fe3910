// One figure of Muse beside its peer's, as every benchmark records it for the summary table of
// `make bench` (output/bench.md, output/bench.png) and the regression check of `make bench-check`.
import Foundation

/// One row of the summary table: a figure of ours beside the same figure of a peer (and, where
/// there is one, of the bare library underneath: the floor), from one run.
public struct BenchRow: Equatable, Sendable {
    /// The benchmark that measured it: `midi` for bench-midi.
    public var benchmark: String
    /// What was measured, short: `folk files, 1 thread`.
    public var name: String
    /// The peer program: `symusic`, `torch 2 threads`, `librosa`.
    public var peer: String
    /// Unit of `ours`, `theirs` and `floor`: `ms`, `notes/s`, `steps/s`.
    public var unit: String
    /// Our figure, in `unit`.
    public var ours: Double
    /// The peer's figure, in `unit`.
    public var theirs: Double
    /// True for rates (more is faster: notes/s), false for times (less is faster: ms).
    public var higherIsBetter: Bool
    /// The floor's figure in `unit` (raw FFTW, OpenBLAS alone), nil when there is none.
    public var floor: Double?

    /// A row; see the properties for the meaning of each argument.
    public init(benchmark: String, name: String, peer: String, unit: String, ours: Double, theirs: Double,
                higherIsBetter: Bool, floor: Double? = nil) {
        self.benchmark = benchmark
        self.name = name
        self.peer = peer
        self.unit = unit
        self.ours = ours
        self.theirs = theirs
        self.higherIsBetter = higherIsBetter
        self.floor = floor
    }

    /// Our speed over the peer's: above 1 when Muse is faster. NaN when a figure is missing.
    public var ratio: Double { higherIsBetter ? ours / theirs : theirs / ours }

    /// How many times slower than the floor we are (1 = at the floor), nil without a floor.
    public var floorRatio: Double? { floor.map { higherIsBetter ? $0 / ours : ours / $0 } }

    /// The row's identity across runs, as the baseline file names it: `midi: folk files, 1 thread vs symusic`.
    public var key: String { "\(benchmark): \(name) vs \(peer)" }

    /// Whether both figures were measured (a peer that failed leaves NaN or 0).
    public var isMeasured: Bool { ratio.isFinite && ratio > 0 }

    /// Units of quality rows (a sample-quality score such as a GAN's Fréchet distance): shown in
    /// the table beside the speed rows, but left out of the baseline and of `make bench-check`,
    /// since they move with the seed by more than the 15% a speed may.
    public static let qualityUnits: Set<String> = ["FD"]

    /// Whether the row measures speed (what the baseline keeps and the check compares).
    public var isSpeed: Bool { !Self.qualityUnits.contains(unit) }

    /// Column names of the TSV form, in order.
    public static let tsvHeader = "benchmark\tname\tpeer\tunit\tours\ttheirs\thigher_is_better\tfloor\tratio"

    /// The row as one tab-separated line (no newline); `floor` is `-` when absent, `ratio` is
    /// written for readers and recomputed when parsed.
    public var tsvLine: String {
        [benchmark, name, peer, unit, Self.format(ours), Self.format(theirs), higherIsBetter ? "1" : "0",
         floor.map(Self.format) ?? "-", Self.format(ratio)].joined(separator: "\t")
    }

    /// Parses a line written by `tsvLine`; nil for the header, comments, blank or malformed lines.
    public init?(tsvLine line: Substring) {
        let fields = line.split(separator: "\t", omittingEmptySubsequences: false).map(String.init)
        guard fields.count >= 8, fields[0] != "benchmark", !fields[0].hasPrefix("#"),
              let ours = Double(fields[4]), let theirs = Double(fields[5]) else { return nil }
        self.init(benchmark: fields[0], name: fields[1], peer: fields[2], unit: fields[3], ours: ours, theirs: theirs,
                  higherIsBetter: fields[6] == "1", floor: Double(fields[7]))
    }

    /// Every row in `text` (TSV lines as `tsvLine` writes them).
    public static func parse(tsv text: String) -> [BenchRow] {
        text.split(separator: "\n").compactMap { BenchRow(tsvLine: $0) }
    }

    static func format(_ value: Double) -> String {
        value.isFinite ? String(format: "%.6g", value) : "nan"
    }
}

/// Collects a benchmark's rows and writes them, one TSV file per benchmark, into the folder
/// `$MUSE_BENCH_ROWS` (default: `output/bench/` under the repository root) as `<benchmark>.tsv`.
/// A later run of the same benchmark replaces its file; the collector of `make bench` reads them all.
public final class BenchRows {
    /// The benchmark's short name (`midi`, `core`).
    public let benchmark: String
    /// Rows added so far.
    public private(set) var rows: [BenchRow] = []

    /// An empty set of rows of `benchmark`.
    public init(_ benchmark: String) { self.benchmark = benchmark }

    /// Adds a row of a time (less is faster), in seconds, shown in ms.
    public func time(_ name: String, peer: String, ours seconds: Double, theirs peerSeconds: Double, floor floorSeconds: Double? = nil) {
        rows.append(BenchRow(benchmark: benchmark, name: name, peer: peer, unit: "ms", ours: seconds * 1e3, theirs: peerSeconds * 1e3,
                             higherIsBetter: false, floor: floorSeconds.map { $0 * 1e3 }))
    }

    /// Adds a row of a rate (more is faster) in `unit`.
    public func rate(_ name: String, peer: String, unit: String, ours: Double, theirs: Double, floor: Double? = nil) {
        rows.append(BenchRow(benchmark: benchmark, name: name, peer: peer, unit: unit, ours: ours, theirs: theirs,
                             higherIsBetter: true, floor: floor))
    }

    /// Adds a row of a score where less is better (a Fréchet distance), in `unit`; its ratio is
    /// the peer's score over ours, above 1 when ours is better.
    public func score(_ name: String, peer: String, unit: String, ours: Double, theirs: Double) {
        rows.append(BenchRow(benchmark: benchmark, name: name, peer: peer, unit: unit, ours: ours, theirs: theirs,
                             higherIsBetter: false))
    }

    /// The folder the rows go to.
    public static var folder: URL {
        if let folder = ProcessInfo.processInfo.environment["MUSE_BENCH_ROWS"], !folder.isEmpty {
            return URL(fileURLWithPath: folder)
        }
        return repositoryRoot.appendingPathComponent("output/bench")
    }

    /// Writes the rows to `<folder>/<benchmark>.tsv` (temporary file + rename) and prints where.
    public func write() {
        let folder = Self.folder
        let url = folder.appendingPathComponent("\(benchmark).tsv")
        let text = ([BenchRow.tsvHeader] + rows.map(\.tsvLine)).joined(separator: "\n") + "\n"
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let temporary = folder.appendingPathComponent(".\(benchmark).tsv.\(getpid())")
            try Data(text.utf8).write(to: temporary)
            guard rename(temporary.path, url.path) == 0 else {
                throw PeerFailure(description: "rename failed: \(String(cString: strerror(errno)))")
            }
            print("rows: \(rows.count) written to \(url.path)")
        } catch {
            print("rows: cannot write \(url.path): \(error)")
        }
    }
}
