// muse-bench-report: the summary of `make bench` and the regression check of `make bench-check`,
// from the rows every benchmark writes to output/bench/<benchmark>.tsv (see BenchRows).
//
//   muse-bench-report table [BENCHMARK…]   print one table of every row; write output/bench.md and
//                                          output/bench.png (rows of the named benchmarks first, in order)
//   muse-bench-report check [--baseline F] compare the ratios with F (Benchmarks/baseline.tsv); exit 1
//                                          when a row is more than 15% below it or was not measured
//   muse-bench-report baseline [--date D]  write the current ratios as the baseline, dated D (today)
import BenchSupport
import Foundation
import MuseDSP

let folder = BenchRows.folder
let outputFolder = folder.deletingLastPathComponent()
let baselineURL = repositoryRoot.appendingPathComponent("Benchmarks/baseline.tsv")

/// Every row under `folder`, the named benchmarks' first in the given order, then the rest by name.
func loadRows(order: [String]) -> [BenchRow] {
    let files = ((try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []).filter { $0.hasSuffix(".tsv") }
    let names = files.map { String($0.dropLast(4)) }
    let ordered = order.filter(names.contains) + names.filter { !order.contains($0) }.sorted()
    return ordered.flatMap { name -> [BenchRow] in
        guard let text = try? String(contentsOf: folder.appendingPathComponent(name + ".tsv"), encoding: .utf8) else { return [] }
        return BenchRow.parse(tsv: text)
    }
}

func fail(_ message: String) -> Never {
    FileHandle.standardError.write(Data("muse-bench-report: \(message)\n".utf8))
    exit(1)
}

func option(_ name: String, in arguments: [String]) -> String? {
    guard let index = arguments.firstIndex(of: name), index + 1 < arguments.count else { return nil }
    return arguments[index + 1]
}

let arguments = Array(CommandLine.arguments.dropFirst())
switch arguments.first ?? "table" {
case "table":
    let rows = loadRows(order: Array(arguments.dropFirst()))
    guard !rows.isEmpty else { fail("no rows under \(folder.path): run make bench first") }
    let table = BenchTable.markdown(rows)
    let stamp = ISO8601DateFormatter().string(from: Date())
    let markdown = "# make bench, \(stamp), \(ProcessInfo.processInfo.activeProcessorCount) cores\n\n"
        + "ours/peer speed: above 1 means Muse is faster (times: peer ÷ ours; rates: ours ÷ peer). "
        + "ours/floor time: how many times the bare library's time ours takes (1 = at the floor).\n\n" + table
    let image = BarChart().draw(rows, title: "MUSE SPEED / PEER SPEED, LOG AXIS (> 1: MUSE FASTER), \(stamp.prefix(10))")
    do {
        try Data(markdown.utf8).write(to: outputFolder.appendingPathComponent("bench.md"))
        try image.writePNG(to: outputFolder.appendingPathComponent("bench.png").path)
    } catch {
        fail("cannot write the summary: \(error)")
    }
    print(table)
    print("written: \(outputFolder.appendingPathComponent("bench.md").path), \(outputFolder.appendingPathComponent("bench.png").path)")
case "check":
    let path = option("--baseline", in: arguments) ?? baselineURL.path
    let baseline: BenchBaseline
    do { baseline = try BenchBaseline(parsing: String(contentsOfFile: path, encoding: .utf8)) } catch {
        fail("cannot read the baseline \(path): \(error)")
    }
    let rows = loadRows(order: [])
    guard !rows.isEmpty else { fail("no rows under \(folder.path): run make bench first") }
    let lines = BenchCheck.compare(rows, against: baseline)
    print("bench-check against \(path) (measured \(baseline.date)); a row fails more than \(Int(BenchCheck.defaultTolerance * 100))% below it")
    for line in lines {
        let before = line.baseline.map { String(format: "%6.2f×", $0) } ?? "      -"
        let now = line.current.map { String(format: "%6.2f×", $0) } ?? "      -"
        print("  \(line.status.rawValue.padding(toLength: 12, withPad: " ", startingAt: 0)) \(before) → \(now)  \(line.key)")
    }
    let failures = lines.filter(\.fails)
    if !failures.isEmpty { fail("\(failures.count) row(s) below the baseline or not measured") }
    print("bench-check: \(lines.count) rows, none more than \(Int(BenchCheck.defaultTolerance * 100))% below the baseline")
case "baseline":
    let rows = loadRows(order: [])
    guard !rows.isEmpty else { fail("no rows under \(folder.path): run make bench first") }
    let formatter = DateFormatter()
    formatter.dateFormat = "yyyy-MM-dd"
    formatter.timeZone = TimeZone(identifier: "UTC")
    let baseline = BenchBaseline(rows: rows, date: option("--date", in: arguments) ?? formatter.string(from: Date()))
    do { try Data(baseline.text.utf8).write(to: baselineURL) } catch { fail("cannot write \(baselineURL.path): \(error)") }
    print("baseline: \(baseline.ratios.count) ratios written to \(baselineURL.path)")
default:
    fail("usage: muse-bench-report table [BENCHMARK…] | check [--baseline FILE] | baseline [--date YYYY-MM-DD]")
}
