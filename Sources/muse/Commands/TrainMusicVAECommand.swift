import ArgumentParser
import Dispatch
import Foundation
import MuseModels

/// `muse train music-vae --corpus DIR --output runs/musicvae`: a 2-bar melody MusicVAE.
struct TrainMusicVAECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "music-vae",
        abstract: "Train a 2-bar melody MusicVAE (Magenta's cat-mel_2bar, sized for a CPU).",
        discussion: """
            Resumes from --output when it holds a checkpoint (unless --fresh). Ctrl-C saves a checkpoint and stops.
            Held-out files (--eval-ratio) are never trained on; their reconstruction accuracy is printed at the end.
            """)

    @Option(help: "Folder of MIDI files (searched recursively).")
    var corpus: String

    @Option(name: [.short, .customLong("output")], help: "Bundle folder for checkpoints and the final model.")
    var output = "runs/musicvae"

    @Option(name: [.customLong("num-steps"), .customLong("num_steps")], help: "Train until this many optimizer steps in total.")
    var numSteps = 3000

    @Option(name: [.customLong("batch-size"), .customLong("batch_size")], help: "Windows per step (Magenta: 512).")
    var batchSize = MusicVAEConfig().batchSize

    @Option(name: [.customLong("z-size"), .customLong("z_size")], help: "Latent size (Magenta: 256 small, 512 big).")
    var zSize = MusicVAEConfig().zSize

    @Option(name: .customLong("encoder-hidden-size"), help: "Encoder LSTM size per direction (Magenta: 512 small).")
    var encoderHiddenSize = MusicVAEConfig().encoderHiddenSize

    @Option(name: .customLong("decoder-hidden-size"), help: "Decoder LSTM size (Magenta: 256 small).")
    var decoderHiddenSize = MusicVAEConfig().decoderHiddenSize

    @Option(name: .customLong("decoder-layers"), help: "Decoder LSTM layers (Magenta: 2 small).")
    var decoderLayers = MusicVAEConfig().decoderLayers

    @Option(name: [.customLong("free-bits"), .customLong("free_bits")], help: "KL in bits that costs nothing.")
    var freeBits = MusicVAEConfig().freeBits

    @Option(name: [.customLong("max-beta"), .customLong("max_beta")], help: "Final KL weight β.")
    var maxBeta = MusicVAEConfig().maxBeta

    @Option(name: [.customLong("beta-rate"), .customLong("beta_rate")], help: "β = (1 − rate^step)·max-beta.")
    var betaRate = MusicVAEConfig().betaRate

    @Option(name: [.customLong("sampling-schedule"), .customLong("sampling_schedule")],
            help: "Scheduled sampling: inverse_sigmoid or constant.")
    var samplingSchedule = MusicVAEConfig().samplingSchedule

    @Option(name: [.customLong("sampling-rate"), .customLong("sampling_rate")],
            help: "k of inverse_sigmoid, or the probability for constant (0 = pure teacher forcing).")
    var samplingRate = MusicVAEConfig().samplingRate

    @Option(name: [.customLong("learning-rate"), .customLong("learning_rate")], help: "Adam learning rate at step 0.")
    var learningRate = MusicVAEConfig().learningRate

    @Option(name: .customLong("eval-ratio"), help: "Fraction of files held out.")
    var evalRatio = 0.1

    @Option(name: .customLong("checkpoint-every"), help: "Steps between checkpoints.")
    var checkpointEvery = 250

    @Option(name: .customLong("log-every"), help: "Steps between progress lines.")
    var logEvery = 50

    @Option(help: "Random seed (weights, split, batches).")
    var seed: UInt64 = 0

    @Flag(help: "Start from scratch even if --output holds a checkpoint.")
    var fresh = false

    func validate() throws {
        guard numSteps > 0, batchSize > 0, checkpointEvery > 0, logEvery > 0 else {
            throw ValidationError("--num-steps, --batch-size, --checkpoint-every and --log-every must be positive")
        }
        guard (0..<1).contains(evalRatio) else { throw ValidationError("--eval-ratio must lie in [0, 1)") }
    }

    func run() throws {
        try exitingOnVAEError(file: corpus) {
            var config = MusicVAEConfig()
            (config.batchSize, config.zSize, config.encoderHiddenSize, config.decoderHiddenSize, config.decoderLayers) =
                (batchSize, zSize, encoderHiddenSize, decoderHiddenSize, decoderLayers)
            (config.freeBits, config.maxBeta, config.betaRate) = (freeBits, maxBeta, betaRate)
            (config.samplingSchedule, config.samplingRate, config.learningRate, config.seed) =
                (samplingSchedule, samplingRate, learningRate, seed)
            let data = try MusicVAEDataset.build(directory: corpus, converter: config.converter, evalRatio: evalRatio, seed: seed)
            print("corpus \(corpus): \(data.summary)")
            let folder = URL(fileURLWithPath: output)
            let canResume = FileManager.default.fileExists(atPath: folder.appendingPathComponent("trainer_state.json").path)
            let trainer = canResume && !fresh ? try MusicVAETrainer.resume(from: folder) : MusicVAETrainer(model: try MusicVAE(config: config))
            if canResume && !fresh { print("resuming \(output) at step \(trainer.step)") }
            print("model: \(trainer.model.parameterCount) parameters, z \(trainer.model.config.zSize), batch \(trainer.model.config.batchSize)")
            let stop = StopFlag()
            let started = Date()
            var lastLog = (date: started, step: trainer.step)
            try trainer.train(windows: data.train, totalSteps: numSteps, checkpointEvery: checkpointEvery, directory: folder,
                              shouldStop: { stop.isSet }) { p in
                guard p.step % logEvery == 0 || p.step == numSteps else { return }
                let now = Date()
                let rate = Double(p.step - lastLog.step) / max(now.timeIntervalSince(lastLog.date), 1e-9)
                lastLog = (now, p.step)
                print(String(format: "step %d/%d  loss %.2f  recon %.2f  kl %.2f  β %.3f  sampling %.3f  acc %.3f  %.1f steps/s",
                             p.step, numSteps, p.loss, p.reconstruction, p.kl, p.beta, p.samplingProbability, p.accuracy, rate))
                fflush(stdout)
            }
            if stop.isSet { print("interrupted: checkpoint saved at step \(trainer.step) in \(output)") }
            trainer.model.eval()
            let held = Array(data.eval.prefix(2000))
            if !held.isEmpty {
                print("held-out reconstruction accuracy: \(try trainer.model.reconstructionAccuracy(held))")
            }
            print("wrote \(output) (step \(trainer.step))")
        }
    }
}

/// Set from a SIGINT handler, polled by the training loop between steps.
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var set = false
    private let source: DispatchSourceSignal

    /// Installs the SIGINT handler for the flag's lifetime.
    init() {
        signal(SIGINT, SIG_IGN)
        source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.resume()
        source.setEventHandler { [weak self] in
            guard let self else { return }
            self.lock.lock(); self.set = true; self.lock.unlock()
            FileHandle.standardError.write(Data("muse: stopping after this step (Ctrl-C again to abort)\n".utf8))
            signal(SIGINT, SIG_DFL)
        }
    }

    deinit { source.cancel(); signal(SIGINT, SIG_DFL) }

    /// Whether SIGINT arrived.
    var isSet: Bool { lock.lock(); defer { lock.unlock() }; return set }
}
