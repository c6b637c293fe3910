import BenchSupport
import XCTest

/// The comparison of `make bench-check`: ratios against the committed baseline, no timing.
final class BenchCheckTests: XCTestCase {
    func row(_ name: String, ours: Double, theirs: Double, higherIsBetter: Bool = false) -> BenchRow {
        BenchRow(benchmark: "dsp", name: name, peer: "librosa", unit: higherIsBetter ? "notes/s" : "ms",
                 ours: ours, theirs: theirs, higherIsBetter: higherIsBetter)
    }

    func testRatioIsPeerTimeOverOursForTimesAndOursOverPeerForRates() {
        XCTAssertEqual(row("stft", ours: 10, theirs: 25).ratio, 2.5)
        XCTAssertEqual(row("parse", ours: 300, theirs: 100, higherIsBetter: true).ratio, 3)
    }

    func testFloorRatioIsHowManyTimesTheFloorsTime() {
        var time = row("istft", ours: 30, theirs: 60)
        time.floor = 10
        XCTAssertEqual(time.floorRatio, 3)
        var rate = row("gemm", ours: 50, theirs: 60, higherIsBetter: true)
        rate.floor = 100
        XCTAssertEqual(rate.floorRatio, 2)
        XCTAssertNil(row("mel", ours: 1, theirs: 1).floorRatio)
    }

    func testScoreRowKeepsItsUnitAndRatesALowerScoreAboveOne() {
        let rows = BenchRows("dcgan")
        rows.score("Fréchet distance", peer: "torch", unit: "FD", ours: 20, theirs: 25)
        XCTAssertEqual(rows.rows.map(\.unit), ["FD"])
        XCTAssertEqual(rows.rows.map(\.ours), [20], "not scaled as a time is")
        XCTAssertEqual(rows.rows.first?.ratio, 1.25)
    }

    /// A quality score (a GAN's Fréchet distance) is shown but neither kept in the baseline nor
    /// checked against it: it moves with the seed by more than a speed may.
    func testQualityScoreRowsStayOutOfTheBaselineAndTheCheck() {
        let rows = BenchRows("dcgan")
        rows.score("Fréchet distance", peer: "torch", unit: "FD", ours: 40, theirs: 20)
        let speed = row("stft", ours: 10, theirs: 20)
        XCTAssertEqual(BenchBaseline(rows: rows.rows + [speed], date: "2026-12-02").ratios, ["dsp: stft vs librosa": 2])
        let lines = BenchCheck.compare(rows.rows + [speed], against: BenchBaseline(date: "2026-12-01", ratios: [:]))
        XCTAssertEqual(lines.map(\.key), ["dsp: stft vs librosa"])
    }

    func testRowSurvivesItsTSVLine() {
        var original = row("istft", ours: 31.25, theirs: 66.5)
        original.floor = 10.5
        XCTAssertEqual(BenchRow(tsvLine: Substring(original.tsvLine)), original)
        XCTAssertEqual(BenchRow.parse(tsv: BenchRow.tsvHeader + "\n" + original.tsvLine + "\n"), [original])
    }

    func testRowWithinFifteenPercentBelowBaselinePasses() {
        let baseline = BenchBaseline(date: "2026-12-01", ratios: ["dsp: stft vs librosa": 2.0])
        let lines = BenchCheck.compare([row("stft", ours: 10, theirs: 17.2)], against: baseline)  // 1.72 ≥ 1.70
        XCTAssertEqual(lines.map(\.status), [.ok])
        XCTAssertFalse(lines.contains(where: \.fails))
    }

    func testRowMoreThanFifteenPercentBelowBaselineFails() {
        let baseline = BenchBaseline(date: "2026-12-01", ratios: ["dsp: stft vs librosa": 2.0])
        let lines = BenchCheck.compare([row("stft", ours: 10, theirs: 16.9)], against: baseline)  // 1.69 < 1.70
        XCTAssertEqual(lines.map(\.status), [.regressed])
        XCTAssertTrue(lines[0].fails)
    }

    func testImprovementPasses() {
        let baseline = BenchBaseline(date: "2026-12-01", ratios: ["dsp: stft vs librosa": 2.0])
        XCTAssertEqual(BenchCheck.compare([row("stft", ours: 1, theirs: 50)], against: baseline).map(\.status), [.ok])
    }

    func testBaselineRowMissingOrUnmeasuredFails() {
        let baseline = BenchBaseline(date: "2026-12-01", ratios: ["dsp: stft vs librosa": 2.0, "dsp: mel vs librosa": 3.0])
        let lines = BenchCheck.compare([row("stft", ours: 10, theirs: .nan)], against: baseline)
        XCTAssertEqual(lines.map(\.status), [.notMeasured, .notMeasured])
        XCTAssertTrue(lines.allSatisfy(\.fails))
    }

    func testRowNotInBaselineIsNewAndPasses() {
        let baseline = BenchBaseline(date: "2026-12-01", ratios: [:])
        let lines = BenchCheck.compare([row("istft", ours: 10, theirs: 20)], against: baseline)
        XCTAssertEqual(lines.map(\.status), [.new])
        XCTAssertFalse(lines[0].fails)
    }

    func testToleranceIsAnArgument() {
        let baseline = BenchBaseline(date: "2026-12-01", ratios: ["dsp: stft vs librosa": 2.0])
        let rows = [row("stft", ours: 10, theirs: 19)]  // 1.9: 5% below
        XCTAssertEqual(BenchCheck.compare(rows, against: baseline, tolerance: 0.01).map(\.status), [.regressed])
        XCTAssertEqual(BenchCheck.compare(rows, against: baseline, tolerance: 0.10).map(\.status), [.ok])
    }

    func testBaselineFileRoundTripsWithItsDate() throws {
        let baseline = BenchBaseline(rows: [row("stft", ours: 10, theirs: 25), row("mel", ours: 5, theirs: .nan)], date: "2026-12-02")
        XCTAssertEqual(baseline.ratios, ["dsp: stft vs librosa": 2.5])
        let parsed = try BenchBaseline(parsing: baseline.text)
        XCTAssertEqual(parsed.date, "2026-12-02")
        XCTAssertEqual(parsed.ratios, baseline.ratios)
    }

    func testMalformedBaselineLineIsNamedByNumber() {
        XCTAssertThrowsError(try BenchBaseline(parsing: "# date: 2026-12-02\ndsp: stft vs librosa 2.5\n")) { error in
            XCTAssertEqual(error as? BenchBaselineError, .malformedLine(number: 2, text: "dsp: stft vs librosa 2.5"))
        }
        XCTAssertThrowsError(try BenchBaseline(parsing: "dsp: stft vs librosa\t-1\n"))
    }
}
