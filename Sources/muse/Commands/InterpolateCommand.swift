import ArgumentParser
import Foundation
import MuseAudio
import MuseCore
import MuseTraining
import MuseEncoding
import MuseMIDI
import MuseAudioModels
import MuseImage
import MuseModels
import MuseSynth
import MuseText

/// `muse interpolate --bundle runs/musicvae a.mid b.mid --steps 8 -o output/interp.mid`: walks
/// the latent line between two inputs and writes the decoded steps one after another.
struct InterpolateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "interpolate",
        abstract: "Interpolate between two inputs in a VAE's latent space.",
        discussion: """
            MusicVAE bundles (MIDI in, MIDI out): encodes the first 2-bar melody window of each file to its latent \
            mean, decodes --steps points from A to B (both included) and writes them as consecutive 2-bar windows.
            Spectrogram VAE bundles (audio in, WAV out): encodes each clip's log-mel spectrogram to its latent \
            sequence; both clips are cut to the shorter one (and to --seconds), so the sequences align frame by frame. \
            --mode steps decodes --steps points of each latent frame's path (A first, B last) and plays them one \
            after another with --gap-seconds of silence between; --mode morph decodes one clip whose latent frames \
            move from A's to B's over its length. The spectrogram is inverted mel → linear → Griffin-Lim; --png \
            draws it. (Older patch-VAE bundles encode the first patch of each clip.)
            DCGAN and image-VAE bundles (no inputs, PNG out): walks from the noise (latent) drawn with --seed to the \
            one drawn with --seed + 1 and writes the --steps decoded pictures as one row.
            Text-VAE bundles (two lines of text in, lines out): encodes each line to its posterior mean and prints the \
            --steps lines decoded from the points between them (greedily; --temperature above 0 samples).
            """)

    @Option(help: "Model bundle folder, or a `muse train music-vae`/`spec-vae` output folder (its newest checkpoint is used).")
    var bundle = "runs/musicvae"

    @Argument(help: "The start input (MIDI for a MusicVAE, audio for a spectrogram VAE, a line of text for a text VAE; none for a DCGAN).")
    var a: String?

    @Argument(help: "The end input.")
    var b: String?

    @Option(help: "Points on the latent path, both ends included (at least 2).")
    var steps = 8

    @Flag(help: "Walk the great circle (slerp) instead of the straight line.")
    var slerp = false

    @Option(help: "Sampling temperature of the decoder; 0 decodes greedily (argmax). Default: Magenta's 0.5 for a MusicVAE, 0 for a text VAE.")
    var temperature: Float?

    @Option(help: "Random seed for sampling.")
    var seed: UInt64 = 0

    @Option(name: [.short, .customLong("output")], help: "Where to write the MIDI (MusicVAE) or WAV (spectrogram VAE) file.")
    var output = "output/interp.mid"

    @Option(help: "Spectrogram picture of the interpolation (PNG, spectrogram VAE only); none if omitted.")
    var png: String?

    @Option(name: .customLong("n-iter"), help: "Griffin-Lim iterations (spectrogram VAE only).")
    var nIter = SpectrogramSequenceVAE.defaultIterations

    @Option(help: "steps: --steps clips from A to B; morph: one clip changing from A into B (spectrogram VAE only).")
    var mode = "steps"

    @Option(help: "Seconds of each clip used at most (spectrogram VAE only; both are cut to the shorter one).")
    var seconds = 4.0

    @Option(name: .customLong("gap-seconds"), help: "Silence between the steps (spectrogram VAE, --mode steps).")
    var gapSeconds = 0.25

    @Option(help: "Also render the MusicVAE interpolation to this WAV file through the SoundFont synthesizer.")
    var wav: String?

    @Option(help: "SoundFont for --wav (default: the usual lookup, else the built-in instruments).")
    var soundfont: String?

    func validate() throws {
        guard steps >= 2 else { throw ValidationError("--steps must be at least 2 (the two endpoints), got \(steps)") }
        guard (temperature ?? 0) >= 0 else { throw ValidationError("--temperature must not be negative") }
        guard SpectrogramInterpolationMode(rawValue: mode) != nil else { throw ValidationError("--mode must be steps or morph, got \(mode)") }
        guard seconds > 0, gapSeconds >= 0, nIter > 0 else { throw ValidationError("--seconds and --n-iter must be positive, --gap-seconds not negative") }
    }

    func run() throws {
        let model = try naming(bundle) { try bundleRegistry.load(URL(fileURLWithPath: bundle), for: .interpolate).model }
        switch model {
        case let vae as MusicVAE: try interpolateMIDI(vae)
        case let vae as SpectrogramSequenceVAE: try interpolateAudio(vae)
        case let vae as SpectrogramVAE: try interpolateAudio(vae)
        case let generator as any PictureGenerator: try interpolateImages(generator)
        case let vae as TextVAEModel: try interpolateText(vae)
        default: preconditionFailure("a registered kind can interpolate but this command does not handle it")
        }
    }

    /// MIDI in, MIDI (and WAV) out.
    func interpolateMIDI(_ model: MusicVAE) throws {
        let (a, b) = try inputs()
        let converter = model.config.converter
        let start = try naming(a) { try converter.firstWindow(of: NoteSequence(contentsOfMIDIFile: a), file: a) }
        let end = try naming(b) { try converter.firstWindow(of: NoteSequence(contentsOfMIDIFile: b), file: b) }
        var rng = SplitMix64(seed: seed)
        let path = try model.interpolate(from: start, to: end, steps: steps, spherical: slerp, temperature: temperature ?? 0.5, using: &rng)
        let sequence = try converter.sequence(fromClassWindows: path)
        try createParentDirectory(of: output)
        try sequence.writeMIDI(to: output)
        print("wrote \(output): \(steps) steps × 2 bars, \(sequence.notes.count) notes (\(slerp ? "slerp" : "linear"))")
        if let wav { try renderWAV(sequence, to: wav, soundfont: soundfont) }
    }

    /// Audio in, WAV (and PNG) out, through a latent sequence.
    func interpolateAudio(_ model: SpectrogramSequenceVAE) throws {
        let (a, b) = try inputs()
        let clipA = try naming(a) { try AudioFile.read(a) }
        let clipB = try naming(b) { try AudioFile.read(b) }
        let walk = SpectrogramInterpolationMode(rawValue: mode) ?? .steps
        let result = try model.interpolateAudio(clipA, named: a, clipB, named: b, steps: steps, spherical: slerp, mode: walk,
                                                maxSeconds: seconds, gapSeconds: gapSeconds, iterations: nIter)
        try createParentDirectory(of: output)
        try AudioFile.write(result.audio, to: output)
        if let png { try createParentDirectory(of: png); try model.writePicture(result.decibels, to: png) }
        print("wrote \(output): " + (walk == .morph ? "one morph" : "\(steps) steps") + String(format: " of %.2f s, %.2f s in all", result.stepSeconds, result.audio.durationSeconds)
              + " (\(slerp ? "slerp" : "linear"))" + (png.map { ", picture \($0)" } ?? ""))
        if !result.stepErrors.isEmpty {
            print("log-mel error of each step heard (dB, each referred to its own peak) from A and from B:")
            for (k, e) in result.stepErrors.enumerated() {
                print(String(format: "  step %d: %6.2f from A  %6.2f from B", k + 1, e.fromA, e.fromB))
            }
        }
    }

    /// Audio in, WAV (and PNG) out, through an older patch VAE.
    func interpolateAudio(_ model: SpectrogramVAE) throws {
        let (a, b) = try inputs()
        let clipA = try naming(a) { try AudioFile.read(a) }
        let clipB = try naming(b) { try AudioFile.read(b) }
        let result = try model.interpolateAudio(clipA, named: a, clipB, named: b, steps: steps, spherical: slerp, iterations: nIter)
        try createParentDirectory(of: output)
        try AudioFile.write(result.audio, to: output)
        if let png { try createParentDirectory(of: png); try model.writePicture(result.decibels, to: png) }
        print("wrote \(output): \(steps) steps, \(String(format: "%.2f", result.audio.durationSeconds)) s (\(slerp ? "slerp" : "linear"))"
              + (png.map { ", picture \($0)" } ?? ""))
    }
}

extension InterpolateCommand {
    /// The two input files a VAE bundle needs.
    /// - Throws: `ValidationError` when one is missing.
    func inputs() throws -> (String, String) {
        guard let a, let b else { throw ValidationError("this bundle interpolates between two input files: give A and B") }
        return (a, b)
    }

    /// Two lines of text in, `steps` lines printed (greedy unless --temperature is given).
    func interpolateText(_ model: TextVAEModel) throws {
        let (a, b) = try inputs()
        var rng = SplitMix64(seed: seed)
        for line in try model.interpolate(from: a, to: b, steps: steps, spherical: slerp, temperature: temperature ?? 0, using: &rng) {
            print(line)
        }
    }

    /// Noise or latents in, one row of PNG pictures out.
    func interpolateImages(_ model: any PictureGenerator) throws {
        guard a == nil, b == nil else { throw ValidationError("a picture bundle takes no input files (it walks between --seed and --seed + 1)") }
        var first = SplitMix64(seed: seed), second = SplitMix64(seed: seed &+ 1)
        let size = model.latentSize
        let start = Tensor.randn([size], using: &first), end = Tensor.randn([size], using: &second)
        let path = LatentPath.points(from: start.scalars, to: end.scalars, steps: steps, spherical: slerp)
        let images = try model.pictures(fromLatents: Tensor(path.flatMap { $0 }, shape: [steps, size]))
        let png = output.hasSuffix(".mid") ? (output as NSString).deletingPathExtension + ".png" : output
        try createParentDirectory(of: png)
        try ImageGrid.write(tensor: images, rows: 1, columns: steps, to: png)
        print("wrote \(png): \(steps) pictures from seed \(seed) to \(seed &+ 1) (\(slerp ? "slerp" : "linear"))")
    }
}

/// Renders `sequence` through the SoundFont synthesizer to a WAV file (44.1 kHz stereo).
func renderWAV(_ sequence: NoteSequence, to path: String, soundfont: String?) throws {
    let (font, notice) = try SoundFontLocator.loadOrBuiltIn(explicit: soundfont)
    if let notice { FileHandle.standardError.write(Data((notice + "\n").utf8)) }
    let audio = Renderer.render(sequence, font: font)
    try createParentDirectory(of: path)
    try AudioFile.write(audio, to: path)
    print("wrote \(path): \(String(format: "%.2f", audio.durationSeconds)) s")
}

/// Creates the folder that will hold `path`.
func createParentDirectory(of path: String) throws {
    let parent = (path as NSString).deletingLastPathComponent
    if !parent.isEmpty { try FileManager.default.createDirectory(atPath: parent, withIntermediateDirectories: true) }
}
