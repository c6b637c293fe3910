import ArgumentParser
import Foundation
import MuseAudio
import MuseMIDI
import MuseModels
import MuseSynth

/// `muse generate melody-rnn --bundle runs/melody --primer-melody "[60, -2, 60, -2]" …`.
struct GenerateMelodyRNNCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "melody-rnn",
        abstract: "Generate melodies with a trained melody RNN; write them as MIDI and WAV files, and play the first with --play.")

    @Option(help: "Model bundle folder (or a training output folder: its newest checkpoint is used).")
    var bundle: String = "runs/melody"

    @Option(name: [.customLong("primer-melody"), .customLong("primer_melody")],
            help: "Primer events: pitches, -1 note off, -2 no event (Magenta's syntax).")
    var primerMelody: String = "[60]"

    @Option(name: [.customLong("num-outputs"), .customLong("num_outputs")], help: "Melodies to generate.")
    var numOutputs: Int = 4

    @Option(name: [.customLong("num-steps"), .customLong("num_steps")], help: "Length of each melody in steps, primer included.")
    var numSteps: Int = 128

    @Option(help: "Sampling temperature (> 0).")
    var temperature: Float = 1.0

    @Option(name: [.customLong("beam-size"), .customLong("beam_size")], help: "Beam size (1 = plain sampling).")
    var beamSize: Int = 1

    @Option(name: [.customLong("branch-factor"), .customLong("branch_factor")], help: "Branches per beam entry per iteration.")
    var branchFactor: Int = 1

    @Option(name: [.customLong("steps-per-iteration"), .customLong("steps_per_iteration")], help: "Steps per beam-search iteration.")
    var stepsPerIteration: Int = 1

    @Option(help: "Tempo of the written MIDI files, quarter notes per minute.")
    var qpm: Double = 120

    @Option(name: [.customLong("output-dir"), .customLong("output_dir")], help: "Folder for the MIDI files.")
    var outputDir: String = "output/melodies"

    @Option(help: "Seed of the sampling.")
    var seed: UInt64 = 0

    @Flag(inversion: .prefixedNo, help: "Also render each melody to a WAV file beside its MIDI file (MuseSynth).")
    var wav = true

    @Flag(help: "Play the first melody on the sound card after writing the files.")
    var play = false

    @Option(help: "ALSA device for --play (\"default\", \"null\", \"hw:0,0\", …).")
    var device: String = "default"

    @OptionGroup var synth: SynthOptions

    func validate() throws {
        guard numOutputs > 0, numSteps > 0 else { throw ValidationError("--num-outputs and --num-steps must be positive") }
        guard temperature > 0 else { throw ValidationError("--temperature must be positive") }
        guard beamSize > 0, branchFactor > 0, stepsPerIteration > 0 else {
            throw ValidationError("--beam-size, --branch-factor and --steps-per-iteration must be positive")
        }
        _ = try parsePrimerMelody(primerMelody)
    }

    func run() throws {
        let primer = try parsePrimerMelody(primerMelody)
        do {
            let model = try naming(bundle) { try bundleRegistry.load(MelodyRNN.self, from: URL(fileURLWithPath: bundle), for: .generate) }
            let sampler = MelodySampler(model: model)
            var options = MelodyGenerationOptions()
            options.numSteps = numSteps
            options.temperature = temperature
            options.beamSize = beamSize
            options.branchFactor = branchFactor
            options.stepsPerIteration = stepsPerIteration
            options.seed = seed
            try sampler.validate(primer: primer)
            try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
            let melodies = try sampler.generate(count: numOutputs, primer: primer, options: options)
            let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "-")
            let sequences = try melodies.map { try sampler.noteSequence(events: $0, qpm: qpm) }
            for (k, sequence) in sequences.enumerated() {
                let path = (outputDir as NSString).appendingPathComponent(String(format: "%@_%02d.mid", stamp, k + 1))
                try sequence.writeMIDI(to: path)
                print("wrote \(path): \(sequence.notes.count) notes, \(melodies[k].count) steps")
            }
            try renderGenerated(sequences, stamp: stamp, outputDir: outputDir, wav: wav, play: play, device: device, synth: synth)
        }
    }
}
