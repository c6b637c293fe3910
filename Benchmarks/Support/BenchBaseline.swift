// The committed baseline of `make bench-check` (Benchmarks/baseline.tsv) and the comparison of a
// run's ratios against it. Ratios, not times: a faster or slower machine moves ours and the peer's
// figures together, so a ratio that falls means Muse (or the peer) changed, not the machine.
import Foundation

/// Speed ratios (ours/peer) by row key, with the date they were measured.
public struct BenchBaseline: Equatable, Sendable {
    /// When the ratios were measured (`2026-12-02`), from the `# date:` header line.
    public var date: String
    /// Ratio by `BenchRow.key`.
    public var ratios: [String: Double]

    /// A baseline of `ratios` measured on `date`.
    public init(date: String, ratios: [String: Double]) {
        self.date = date
        self.ratios = ratios
    }

    /// Parses the baseline file: `#` comment lines (one of them `# date: YYYY-MM-DD`), then
    /// `key<TAB>ratio` lines.
    /// - Throws: `BenchBaselineError.malformedLine` naming the line number of a line that is neither.
    public init(parsing text: String) throws {
        var date = "unknown", ratios: [String: Double] = [:]
        for (index, line) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if trimmed.isEmpty { continue }
            if trimmed.hasPrefix("#") {
                let comment = trimmed.dropFirst().trimmingCharacters(in: .whitespaces)
                if comment.hasPrefix("date:") { date = comment.dropFirst(5).trimmingCharacters(in: .whitespaces) }
                continue
            }
            let fields = line.split(separator: "\t")
            guard fields.count == 2, let ratio = Double(fields[1].trimmingCharacters(in: .whitespaces)), ratio > 0 else {
                throw BenchBaselineError.malformedLine(number: index + 1, text: String(line))
            }
            ratios[String(fields[0])] = ratio
        }
        self.init(date: date, ratios: ratios)
    }

    /// The baseline of the measured speed rows of a run, dated `date`.
    public init(rows: [BenchRow], date: String) {
        var ratios: [String: Double] = [:]
        for row in rows where row.isMeasured && row.isSpeed { ratios[row.key] = row.ratio }
        self.init(date: date, ratios: ratios)
    }

    /// The file text: header comments with the date, then one `key<TAB>ratio` line per row, sorted.
    public var text: String {
        var lines = [
            "# Baseline of `make bench-check`: speed ratios ours/peer (> 1 means Muse is faster), one per row",
            "# of `make bench`. A row fails the check when its ratio falls more than 15% below the ratio here.",
            "# Rewrite it with `make bench-baseline` after a `make bench` on a quiet machine.",
            "# date: \(date)",
        ]
        for key in ratios.keys.sorted() { lines.append("\(key)\t\(String(format: "%.3f", ratios[key]!))") }
        return lines.joined(separator: "\n") + "\n"
    }
}

/// What is wrong with a baseline file.
public enum BenchBaselineError: Error, Equatable, CustomStringConvertible {
    /// Line `number` (1-based) is neither a comment nor `key<TAB>positive ratio`.
    case malformedLine(number: Int, text: String)

    public var description: String {
        switch self {
        case .malformedLine(let number, let text): return "baseline line \(number) is not 'key<TAB>ratio': \(text)"
        }
    }
}

/// One row of a run checked against the baseline.
public struct BenchCheckLine: Equatable, Sendable {
    /// How the row fared.
    public enum Status: String, Equatable, Sendable {
        /// At or above the baseline less the tolerance.
        case ok
        /// More than the tolerance below the baseline: fails the check.
        case regressed
        /// In the baseline but not measured in this run (benchmark not run, or its peer failed): fails the check.
        case notMeasured = "not measured"
        /// Measured but not in the baseline: shown, never fails.
        case new
    }

    /// `BenchRow.key`.
    public var key: String
    /// The baseline's ratio, nil for a new row.
    public var baseline: Double?
    /// This run's ratio, nil when not measured.
    public var current: Double?
    /// The verdict.
    public var status: Status

    /// Whether this line fails the check.
    public var fails: Bool { status == .regressed || status == .notMeasured }
}

/// The comparison of a run against the baseline.
public enum BenchCheck {
    /// The largest fall below the baseline that still passes: 15%.
    public static let defaultTolerance = 0.15

    /// Checks `rows` against `baseline`: a row regresses when its ratio is below
    /// `baseline × (1 − tolerance)`. Lines come in the baseline's key order, then new rows.
    public static func compare(_ rows: [BenchRow], against baseline: BenchBaseline,
                               tolerance: Double = defaultTolerance) -> [BenchCheckLine] {
        var current: [String: Double] = [:]
        for row in rows where row.isMeasured && row.isSpeed { current[row.key] = row.ratio }
        var lines: [BenchCheckLine] = []
        for key in baseline.ratios.keys.sorted() {
            let expected = baseline.ratios[key]!
            guard let ratio = current[key] else {
                lines.append(BenchCheckLine(key: key, baseline: expected, current: nil, status: .notMeasured))
                continue
            }
            let status: BenchCheckLine.Status = ratio < expected * (1 - tolerance) ? .regressed : .ok
            lines.append(BenchCheckLine(key: key, baseline: expected, current: ratio, status: status))
        }
        for key in current.keys.sorted() where baseline.ratios[key] == nil {
            lines.append(BenchCheckLine(key: key, baseline: nil, current: current[key], status: .new))
        }
        return lines
    }
}
