import ArgumentParser
import Foundation
import MuseTraining
#if canImport(Glibc)
import Glibc
#endif

/// Flags every `muse train …` command shares: starting over, gradient accumulation and clipping.
struct TrainerFlags: ParsableArguments {
    @Flag(help: "Delete the checkpoints in --output and start over instead of resuming.")
    var fresh = false

    @Option(name: [.customLong("grad-accum-steps"), .customLong("gradient_accumulation_steps")],
            help: "Micro-batches whose gradients are summed before each update (an N-times larger batch).")
    var gradAccumSteps = 1

    @Option(name: .customLong("clip-norm"), help: "Clip the global gradient norm to this (0 = no clipping; default: the model's).")
    var clipNorm: Float?

    func validate() throws {
        silenceOtherRanks()
        guard gradAccumSteps >= 1 else { throw ValidationError("--grad-accum-steps must be at least 1") }
        if let clipNorm { guard clipNorm >= 0 else { throw ValidationError("--clip-norm must not be negative") } }
    }

    /// Under `mpirun`, sends the standard output of every rank but 0 to /dev/null before the
    /// command prints anything (errors and standard error still show, one line per rank).
    func silenceOtherRanks() {
        let environment = ProcessInfo.processInfo.environment
        guard DataParallel.launchedWorldSize(environment: environment) != nil,
              let rank = environment["OMPI_COMM_WORLD_RANK"].flatMap({ Int($0) }), rank != 0 else { return }
        let null = open("/dev/null", O_WRONLY)
        guard null >= 0 else { return }
        fflush(stdout)
        dup2(null, STDOUT_FILENO)
        close(null)
    }

    /// Copies the flags into the trainer's options.
    func apply(to options: inout TrainerOptions) {
        options.fresh = fresh
        options.gradientAccumulationSteps = gradAccumSteps
        if let clipNorm { options.clipNorm = clipNorm > 0 ? clipNorm : nil }
    }
}

/// Runs `task` under the shared `Trainer` (Ctrl-C stops after the current step and saves; the
/// progress bar goes to standard error), printing the resume point, `header` and the final
/// checkpoint. Started by `mpirun -np N`, trains data-parallel (`DataParallel`): `--batch-size`
/// stays the global batch, rank 0 alone prints and writes checkpoints.
/// - Throws: `ExitCode(130)` when stopped before `options.numSteps`.
func runTraining(task: any TrainingTask, options: TrainerOptions, logEvery: Int = 50, header: String) throws {
    let parallel = try DataParallel.fromEnvironment()
    var options = options
    if let parallel {
        options.shard = parallel.shard
        parallel.shareCores()
    }
    let primary = options.shard.isPrimary
    let interrupt = InterruptMonitor()
    interrupt.start()
    defer { interrupt.stop() }
    let trainer = try Trainer(task: task, options: options, progress: ProgressReporter(silent: !primary, plainEvery: logEvery), interrupt: interrupt)
    try parallel?.attach(to: trainer)
    if primary {
        if let from = trainer.resumedFrom { print("resuming from \(from.path) at step \(trainer.state.step)") }
        if let parallel {
            print("data-parallel on \(parallel.shard.worldSize) processes (\(parallel.threadsPerProcess) thread(s) each), global batch split between them")
        }
        print(header)
    }
    let startStep = trainer.state.step
    let state = try trainer.run()
    if primary {
        let saved = Checkpoint.list(in: options.outputDirectory).last?.url.path ?? options.outputDirectory.path
        print("step \(state.step)/\(options.numSteps): checkpoint \(saved)")
        let steps = state.step - startStep
        if let parallel, parallel.allReduceCount > 0, steps > 0 {
            // Per training step (a GAN's step averages two optimizers' gradients).
            print(String(format: "all-reduce: %.2f ms per step (%d values, %d steps from step %d",
                         1000 * parallel.allReduceSeconds / Double(steps), parallel.lastReducedValues, steps, startStep)
                  + (parallel.overlap ? ", overlapped with back-propagation)" : ")"))
        }
    }
    parallel?.finalize()
    if trainer.wasStopped { throw ExitCode(130) }
    // What a command does after training (samples, summaries) is rank 0's alone.
    if !primary { throw ExitCode.success }
}
