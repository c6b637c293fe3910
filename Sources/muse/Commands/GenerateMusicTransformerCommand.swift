import ArgumentParser
import Foundation
import MuseAudio
import MuseMIDI
import MuseModels
import MuseSynth

/// `muse generate music-transformer --bundle runs/transformer [--primer F.mid] …`.
struct GenerateMusicTransformerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "music-transformer",
        abstract: "Generate performances with a trained Music Transformer; write them as MIDI (and WAV) files, play the first with --play.",
        discussion: "Sampling uses a key/value cache (the relative term included), so each event costs O(events so far).")

    @Option(help: "Model bundle folder (or a training output folder: its newest checkpoint is used).")
    var bundle: String = "runs/transformer"

    @Option(help: "MIDI file whose opening primes the model (default: generate from nothing).")
    var primer: String?

    @Option(name: .customLong("primer-seconds"), help: "Seconds of the primer file to use.")
    var primerSeconds: Double = 5

    @Option(name: .customLong("num-outputs"), help: "Performances to generate.")
    var numOutputs: Int = 2

    @Option(name: .customLong("max-events"), help: "Events generated after the primer (fewer if the model ends the piece).")
    var maxEvents: Int = 1024

    @Option(help: "Sampling temperature (> 0).")
    var temperature: Float = 1.0

    @Option(name: .customLong("top-k"), help: "Sample among the k most likely events only (0 = all).")
    var topK: Int = 0

    @Option(name: .customLong("top-p"), help: "Sample within the smallest set of events holding this probability (1 = all).")
    var topP: Float = 1.0

    @Option(name: .customLong("output-dir"), help: "Folder for the MIDI (and WAV) files.")
    var outputDir: String = "output/transformer"

    @Option(help: "Seed of the sampling.")
    var seed: UInt64 = 0

    @Flag(inversion: .prefixedNo, help: "Also render each performance to a WAV file beside its MIDI file (MuseSynth).")
    var wav = true

    @Flag(help: "Play the first performance on the sound card after writing the files.")
    var play = false

    @Option(help: "ALSA device for --play (\"default\", \"null\", \"hw:0,0\", …).")
    var device: String = "default"

    @OptionGroup var synth: SynthOptions

    func validate() throws {
        guard numOutputs > 0, maxEvents > 0 else { throw ValidationError("--num-outputs and --max-events must be positive") }
        guard temperature > 0 else { throw ValidationError("--temperature must be positive") }
        guard topK >= 0 else { throw ValidationError("--top-k must not be negative") }
        guard topP > 0 && topP <= 1 else { throw ValidationError("--top-p must lie in (0, 1]") }
        guard primerSeconds > 0 else { throw ValidationError("--primer-seconds must be positive") }
    }

    func run() throws {
        let model = try naming(bundle) { try bundleRegistry.load(MusicTransformer.self, from: URL(fileURLWithPath: bundle), for: .generate) }
        let sampler = MusicTransformerSampler(model: model)
        let primerEvents = try primer.map { p in try naming(p) { try sampler.primer(midiFile: p, seconds: primerSeconds) } } ?? []
        var options = MusicTransformerSamplingOptions()
        options.maxEvents = maxEvents
        options.temperature = temperature
        options.topK = topK
        options.topP = topP
        options.seed = seed
        try FileManager.default.createDirectory(atPath: outputDir, withIntermediateDirectories: true)
        let start = Date()
        let performances = try sampler.generate(count: numOutputs, primer: primerEvents, options: options)
        let generated = performances.reduce(0) { $0 + $1.count - primerEvents.count }
        let seconds = Date().timeIntervalSince(start)
        print(String(format: "generated %d events in %.1f s (%.2f ms per event), primer %d events",
                     generated, seconds, 1000 * seconds / Double(max(generated, 1)), primerEvents.count))
        let stamp = ISO8601DateFormatter().string(from: Date()).replacingOccurrences(of: ":", with: "-")
        let sequences = try performances.map { try sampler.noteSequence(classIndices: $0) }
        for (k, sequence) in sequences.enumerated() {
            let path = (outputDir as NSString).appendingPathComponent(String(format: "%@_%02d.mid", stamp, k + 1))
            try sequence.writeMIDI(to: path)
            print(String(format: "wrote %@: %d notes, %d events, %.1f s", path, sequence.notes.count, performances[k].count, sequence.totalTime))
        }
        try renderGenerated(sequences, stamp: stamp, outputDir: outputDir, wav: wav, play: play, device: device, synth: synth)
    }
}
