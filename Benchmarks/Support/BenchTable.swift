// The one table of every row that `make bench` ends with (and writes as output/bench.md).
import Foundation

/// Renders rows as one Markdown table.
public enum BenchTable {
    /// A figure with three significant digits at most and no exponent (`1234567` → `1,230,000`).
    public static func figure(_ value: Double) -> String {
        guard value.isFinite else { return "n/a" }
        let magnitude = abs(value)
        if magnitude >= 1000 {
            let digits = Int(log10(magnitude)) + 1
            let unit = pow(10, Double(digits - 3))
            let rounded = Int((value / unit).rounded()) * Int(unit)
            let formatter = NumberFormatter()
            formatter.numberStyle = .decimal
            formatter.groupingSeparator = ","
            formatter.usesGroupingSeparator = true
            return formatter.string(from: NSNumber(value: rounded)) ?? String(rounded)
        }
        if magnitude >= 100 { return String(format: "%.0f", value) }
        if magnitude >= 10 { return String(format: "%.1f", value) }
        return String(format: "%.2f", value)
    }

    /// A ratio as `1.23×`, `n/a` when not finite.
    public static func ratio(_ value: Double?) -> String {
        guard let value, value.isFinite else { return "" }
        return String(format: "%.2f×", value)
    }

    /// The Markdown table: one line per row, in the given order.
    public static func markdown(_ rows: [BenchRow]) -> String {
        var lines = [
            "| benchmark | row | unit | ours | peer | peer's | ours/peer speed | floor | ours/floor time |",
            "|---|---|---|--:|---|--:|--:|--:|--:|",
        ]
        for row in rows {
            let cells = [row.benchmark, row.name, row.unit, figure(row.ours), row.peer, figure(row.theirs),
                         row.isMeasured ? "**" + ratio(row.ratio) + "**" : "n/a",
                         row.floor.map(figure) ?? "", ratio(row.floorRatio)]
            lines.append("| " + cells.joined(separator: " | ") + " |")
        }
        return lines.joined(separator: "\n") + "\n"
    }
}
