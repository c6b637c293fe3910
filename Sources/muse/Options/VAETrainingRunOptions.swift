import ArgumentParser
import MuseTraining

/// Held-out split, evaluation, checkpoint and logging flags shared by `muse train music-vae` and
/// `muse train spec-vae`.
struct VAETrainingRunOptions: ParsableArguments {
    @Option(name: .customLong("eval-ratio"), help: "Fraction of files held out for evaluation.")
    var evalRatio = 0.1

    @Option(name: .customLong("eval-every"), help: "Evaluate on the held-out data every N steps.")
    var evalEvery = 250

    @Option(name: .customLong("checkpoint-every"), help: "Steps between checkpoints.")
    var checkpointEvery = 250

    @Option(name: .customLong("keep-checkpoints"), help: "Checkpoints kept.")
    var keepCheckpoints = 3

    @Option(name: .customLong("log-every"), help: "Steps between progress lines when standard error is not a terminal.")
    var logEvery = 50

    func validate() throws {
        guard checkpointEvery > 0, logEvery > 0 else { throw ValidationError("--checkpoint-every and --log-every must be positive") }
        guard evalRatio >= 0 && evalRatio < 1 else { throw ValidationError("--eval-ratio must lie in [0, 1)") }
        guard evalEvery >= 0, keepCheckpoints > 0 else { throw ValidationError("--eval-every must be >= 0 and --keep-checkpoints positive") }
    }

    /// Copies the evaluation and checkpoint cadence into the trainer's options.
    func apply(to options: inout TrainerOptions) {
        (options.evalEvery, options.checkpointEvery, options.keepCheckpoints) = (evalEvery, checkpointEvery, keepCheckpoints)
    }
}
