import Foundation
import MuseTraining

/// Training curves of one run for the page's chart: per metric name, `(step, value)` points in
/// step order. Training metrics come from every checkpoint's `training_state.json` (the last
/// step's loss before it was written); evaluations (named `eval_<metric>`) from the newest one,
/// which records all of them.
public struct RunCurves: Codable, Equatable, Sendable {
    /// One point of a curve.
    public struct Point: Codable, Equatable, Sendable {
        /// Optimizer step.
        public var step: Int
        /// Metric value there.
        public var value: Double
    }
    /// The run folder's name.
    public var run: String
    /// Checkpoint steps found, oldest first.
    public var checkpoints: [Int]
    /// Curves by metric name (`loss`, `eval_loss`, …).
    public var series: [String: [Point]]

    /// Reads the curves of run folder `folder` (named `name` in the answer).
    /// - Throws: `StudioError.notFound` when the folder holds no readable checkpoint.
    public static func read(run name: String, folder: URL) throws -> RunCurves {
        let checkpoints = Checkpoint.list(in: folder)
        var series: [String: [Point]] = [:]
        var newest: TrainingState?
        for (step, url) in checkpoints {
            guard let state = try? Checkpoint.readState(url) else { continue }
            newest = state
            if let metrics = state.lastTrainingMetrics, !metrics.isEmpty {
                for (key, value) in metrics.entries where value.isFinite { series[key, default: []].append(Point(step: step, value: value)) }
            } else if let loss = state.lastTrainingLoss, loss.isFinite {
                series["loss", default: []].append(Point(step: step, value: loss))
            }
        }
        guard let newest else { throw StudioError.notFound("\(name) has no training checkpoints") }
        for record in newest.evaluations {
            for (key, value) in record.metrics.entries where value.isFinite {
                series["eval_" + key, default: []].append(Point(step: record.step, value: value))
            }
        }
        for key in series.keys { series[key]?.sort { $0.step < $1.step } }
        return RunCurves(run: name, checkpoints: checkpoints.map(\.step), series: series)
    }
}
