import Foundation
import MuseAudio
import MuseAudioModels
import MuseCore
import MuseDSP
import MuseEncoding
import MuseMIDI
import MuseModels
import MuseSynth
import MuseTraining

/// What `muse studio` does for each API call, without HTTP: checks a request (so bad ones are
/// refused at once, before a job exists), then queues a job that calls the same library code as
/// `muse generate`, `muse sample` and `muse interpolate`, and writes every result as MIDI, WAV
/// (SoundFont synthesizer) and a PNG picture.
public final class StudioEngine: @unchecked Sendable {
    /// The bundles offered.
    public let catalog: BundleCatalog
    /// Uploaded files.
    public let uploads: UploadStore
    /// Jobs and their results.
    public let jobs: JobQueue
    /// Limits on counts and lengths.
    public let limits: StudioLimits
    private let soundFontPath: String?
    private let fontLock = NSLock()
    private var font: SoundFont?

    /// An engine over `configuration`'s runs folder, writing uploads and results under its output folder.
    /// - Throws: file errors creating the folders.
    public init(configuration: StudioConfiguration) throws {
        catalog = BundleCatalog(runsDirectory: configuration.runsDirectory, registry: configuration.registry)
        uploads = try UploadStore(directory: configuration.outputDirectory.appendingPathComponent("uploads"), limits: configuration.limits)
        jobs = JobQueue(directory: configuration.outputDirectory.appendingPathComponent("jobs"), maxJobs: configuration.limits.maxJobs)
        limits = configuration.limits
        soundFontPath = configuration.soundFont
    }

    /// The SoundFont results are rendered with, loaded on first use as `muse generate --wav` finds
    /// it (`--soundfont`, `$MUSE_SOUNDFONT`, `soundfonts/`, `/usr/share/sounds/sf2/`, else the
    /// built-in instruments).
    public func soundFont() throws -> SoundFont {
        try fontLock.withLock {
            if let font { return font }
            let (loaded, notice) = try SoundFontLocator.loadOrBuiltIn(explicit: soundFontPath)
            if let notice { FileHandle.standardError.write(Data(("muse studio: " + notice + "\n").utf8)) }
            font = loaded
            return loaded
        }
    }

    // MARK: Requests

    /// Checks `request` and queues a continuation job.
    /// - Throws: `StudioError` (400 bad values, 404 unknown bundle or upload, 422 wrong kind).
    public func submit(_ request: ContinueRequest) throws -> StudioJob {
        let count = try checked(request.count ?? 2, "count", 1...limits.maxCount)
        let temperature = request.temperature ?? 1
        guard temperature > 0, temperature.isFinite, temperature <= 10 else { throw StudioError.badRequest("temperature must be in (0, 10]") }
        let primerSeconds = request.primerSeconds ?? 5
        guard primerSeconds > 0, primerSeconds <= 600 else { throw StudioError.badRequest("primerSeconds must be in (0, 600]") }
        let seed = request.seed ?? 0
        let upload = try request.primerUpload.map { try uploads.file($0, kind: .midi, field: "primerUpload") }
        let model = try catalog.load(request.bundle, for: .generate)
        switch model {
        case let rnn as MelodyRNN:
            let length = try checked(request.length ?? 64, "length", 1...limits.maxLength)
            let sampler = MelodySampler(model: rnn)
            let primer: [Int]
            if let upload {
                primer = try melodyPrimer(of: upload, seconds: primerSeconds, config: rnn.config)
            } else {
                do { primer = try Melody.parsePrimer(request.primer ?? "[60]") } catch { throw StudioError.badRequest("primer: \(error)") }
                guard !primer.isEmpty else { throw StudioError.badRequest("primer: give at least one event, e.g. [60]") }
            }
            do { try sampler.validate(primer: primer) } catch { throw StudioError.badRequest("primer: \(error)") }
            return try jobs.submit(kind: "continue") { job in
                var options = MelodyGenerationOptions()
                options.numSteps = primer.count + length
                options.temperature = temperature
                options.seed = seed
                var generator = SplitMix64(seed: seed)
                for k in 0..<count {
                    try job.report(Double(k) / Double(count), "continuation \(k + 1) of \(count)")
                    let events = try sampler.generate(primer: primer, options: options, using: &generator).events
                    try self.addPiece(sampler.noteSequence(events: events), title: "continuation \(k + 1)", stem: String(format: "continuation_%02d", k + 1), to: job)
                }
            }
        case let transformer as MusicTransformer:
            let length = try checked(request.length ?? 256, "length", 1...limits.maxLength)
            let sampler = MusicTransformerSampler(model: transformer)
            let primer: [Int]
            if let upload {
                do { primer = try sampler.primer(midiFile: upload.path, seconds: primerSeconds) } catch {
                    throw StudioError.badRequest("primerUpload: \(String(describing: error).replacingOccurrences(of: upload.path, with: "upload"))")
                }
            } else {
                guard request.primer == nil else {
                    throw StudioError.badRequest("primer: a Music Transformer is primed by a MIDI upload (primerUpload), not a melody list")
                }
                primer = []
            }
            return try transformerJob(sampler, kind: "continue", title: "continuation", primer: primer, length: length,
                                      temperature: temperature, count: count, seed: seed)
        default:
            throw StudioError.unsupported("\(request.bundle): continue works with melody-rnn and music-transformer bundles")
        }
    }

    /// Checks `request` and queues a generation job.
    /// - Throws: `StudioError` as `submit(_: ContinueRequest)`.
    public func submit(_ request: GenerateRequest) throws -> StudioJob {
        let count = try checked(request.count ?? 4, "count", 1...limits.maxCount)
        let seed = request.seed ?? 0
        let entry = try catalog.entry(request.bundle)
        if entry.kind == MusicVAE.bundleKind.name {
            let temperature = request.temperature ?? 0.5
            guard temperature >= 0, temperature.isFinite, temperature <= 10 else { throw StudioError.badRequest("temperature must be in [0, 10]") }
            guard let vae = try catalog.load(request.bundle, for: .sample) as? MusicVAE else {
                throw StudioError.unsupported("\(request.bundle) is not a MusicVAE")
            }
            return try jobs.submit(kind: "generate") { job in
                try job.report(0, "sampling \(count) melodies")
                var generator = SplitMix64(seed: seed)
                let windows = try vae.sample(count: count, temperature: temperature, using: &generator)
                for (k, window) in windows.enumerated() {
                    try job.report(Double(k) / Double(count), "rendering sample \(k + 1) of \(count)")
                    try self.addPiece(vae.config.converter.sequence(fromClassWindows: [window]), title: "sample \(k + 1)",
                                      stem: String(format: "sample_%02d", k + 1), to: job)
                }
            }
        }
        guard let transformer = try catalog.load(request.bundle, for: .generate) as? MusicTransformer else {
            throw StudioError.unsupported("\(request.bundle) is a \(entry.kind) bundle; generate works with music-vae and music-transformer (continue a melody RNN instead)")
        }
        let temperature = request.temperature ?? 1
        guard temperature > 0, temperature.isFinite, temperature <= 10 else { throw StudioError.badRequest("temperature must be in (0, 10]") }
        let length = try checked(request.length ?? 256, "length", 1...limits.maxLength)
        return try transformerJob(MusicTransformerSampler(model: transformer), kind: "generate", title: "sample", primer: [],
                                  length: length, temperature: temperature, count: count, seed: seed)
    }

    /// Checks `request` and queues an interpolation job.
    /// - Throws: `StudioError` as `submit(_: ContinueRequest)`.
    public func submit(_ request: InterpolateRequest) throws -> StudioJob {
        let steps = try checked(request.steps ?? 5, "steps", 2...limits.maxSteps)
        let slerp = request.slerp ?? false
        let seed = request.seed ?? 0
        let model = try catalog.load(request.bundle, for: .interpolate)
        switch model {
        case let vae as MusicVAE:
            let temperature = request.temperature ?? 0.5
            guard temperature >= 0, temperature.isFinite, temperature <= 10 else { throw StudioError.badRequest("temperature must be in [0, 10]") }
            let a = try uploads.file(request.a, kind: .midi, field: "a"), b = try uploads.file(request.b, kind: .midi, field: "b")
            let converter = vae.config.converter
            let start = try window(converter, a, field: "a"), end = try window(converter, b, field: "b")
            return try jobs.submit(kind: "interpolate") { job in
                try job.report(0, "interpolating \(steps) steps")
                var generator = SplitMix64(seed: seed)
                let path = try vae.interpolate(from: start, to: end, steps: steps, spherical: slerp, temperature: temperature, using: &generator)
                try job.report(0.5, "rendering")
                try self.addPiece(converter.sequence(fromClassWindows: path), title: "interpolation, \(steps) steps", stem: "interpolation", to: job)
            }
        case let vae as SpectrogramSequenceVAE:
            guard let mode = SpectrogramInterpolationMode(rawValue: request.mode ?? "steps") else {
                throw StudioError.badRequest("mode must be steps or morph")
            }
            let (a, b) = try audioPair(request)
            return try jobs.submit(kind: "interpolate") { job in
                try job.report(0, "encoding and decoding (Griffin-Lim)")
                let result = try vae.interpolateAudio(a, named: "a", b, named: "b", steps: steps, spherical: slerp, mode: mode,
                                                      maxSeconds: 4, gapSeconds: 0.25, iterations: SpectrogramSequenceVAE.defaultIterations)
                try job.report(0.9, "writing")
                try self.addAudio(result, title: "interpolation, " + (mode == .morph ? "morph" : "\(steps) steps"), to: job) { try vae.writePicture($0, to: $1) }
            }
        case let vae as SpectrogramVAE:
            let (a, b) = try audioPair(request)
            return try jobs.submit(kind: "interpolate") { job in
                try job.report(0, "encoding and decoding (Griffin-Lim)")
                let result = try vae.interpolateAudio(a, named: "a", b, named: "b", steps: steps, spherical: slerp, iterations: 32)
                try job.report(0.9, "writing")
                try self.addAudio(result, title: "interpolation, \(steps) steps", to: job) { try vae.writePicture($0, to: $1) }
            }
        default:
            throw StudioError.unsupported("\(request.bundle): interpolate works with music-vae and spectrogram VAE bundles")
        }
    }

    // MARK: Helpers

    /// `value` when it lies in `range`.
    func checked(_ value: Int, _ name: String, _ range: ClosedRange<Int>) throws -> Int {
        guard range.contains(value) else { throw StudioError.badRequest("\(name) must be in \(range.lowerBound)...\(range.upperBound), got \(value)") }
        return value
    }

    /// The melody of the first `seconds` of a MIDI upload, as primer events for `config`'s model
    /// (Magenta's melody extraction without the minimum length, squashed into its pitch range).
    func melodyPrimer(of url: URL, seconds: Double, config: MelodyRNNConfig) throws -> [Int] {
        let sequence = try NoteSequence(contentsOfMIDIFile: url.path).sliced(fromSeconds: 0, toSeconds: seconds)
        var pipeline = config.pipeline
        pipeline.minBars = 0
        pipeline.minUniquePitches = 1
        pipeline.transpositions = [0]
        pipeline.transposeToKey = nil
        guard let melody = pipeline.melodies(from: sequence).melodies.first(where: { !$0.isEmpty }) else {
            throw StudioError.badRequest("primerUpload: no melody found in its first \(seconds) s")
        }
        return melody
    }

    /// The first 2-bar window of MIDI upload `url`, as a MusicVAE encodes it.
    func window(_ converter: MelodyWindowConverter, _ url: URL, field: String) throws -> [Int] {
        do {
            return try converter.firstWindow(of: NoteSequence(contentsOfMIDIFile: url.path), file: field)
        } catch {
            let message = String(describing: error).replacingOccurrences(of: url.path, with: field)
            throw StudioError.badRequest(message.hasPrefix(field + ":") ? message : "\(field): \(message)")
        }
    }

    /// The two audio uploads of `request`, read.
    func audioPair(_ request: InterpolateRequest) throws -> (AudioBuffer, AudioBuffer) {
        let a = try uploads.file(request.a, kind: .audio, field: "a"), b = try uploads.file(request.b, kind: .audio, field: "b")
        do {
            return (try AudioFile.read(a.path), try AudioFile.read(b.path))
        } catch {
            throw StudioError.badRequest("audio upload: \(error)")
        }
    }

    /// A job drawing `count` Transformer performances, one per seed `seed + k`.
    func transformerJob(_ sampler: MusicTransformerSampler, kind: String, title: String, primer: [Int], length: Int,
                        temperature: Float, count: Int, seed: UInt64) throws -> StudioJob {
        try jobs.submit(kind: kind) { job in
            for k in 0..<count {
                try job.report(Double(k) / Double(count), "\(title) \(k + 1) of \(count)")
                var options = MusicTransformerSamplingOptions()
                options.maxEvents = length
                options.temperature = temperature
                options.seed = seed &+ UInt64(k)
                let events = try sampler.generate(count: 1, primer: primer, options: options)[0]
                try self.addPiece(sampler.noteSequence(classIndices: events), title: "\(title) \(k + 1)", stem: String(format: "%@_%02d", title, k + 1), to: job)
            }
        }
    }

    /// Writes `sequence` as `stem.mid`, `stem.wav` (SoundFont rendering) and `stem.png` (piano roll) and adds it to `job`.
    func addPiece(_ sequence: NoteSequence, title: String, stem: String, to job: StudioJob) throws {
        let folder = job.directory
        try sequence.writeMIDI(to: folder.appendingPathComponent(stem + ".mid").path)
        let audio = Renderer.render(sequence, font: try soundFont())
        try AudioFile.write(audio, to: folder.appendingPathComponent(stem + ".wav").path, format: .wavPCM16)
        try PianoRollImage.render(sequence).writePNG(to: folder.appendingPathComponent(stem + ".png").path)
        let base = "/api/jobs/\(job.id)/files/\(stem)"
        job.add(StudioResult(title: title, midi: base + ".mid", wav: base + ".wav", png: base + ".png", notes: sequence.notes.count,
                             seconds: audio.durationSeconds),
                files: [stem + ".mid", stem + ".wav", stem + ".png"])
    }

    /// Writes decoded audio as `interpolation.wav` and its spectrogram as `interpolation.png` and adds it to `job`.
    func addAudio(_ result: AudioInterpolation, title: String, to job: StudioJob,
                  picture: (Spectrogram, String) throws -> Void) throws {
        let stem = "interpolation"
        try AudioFile.write(result.audio, to: job.directory.appendingPathComponent(stem + ".wav").path, format: .wavPCM16)
        try picture(result.decibels, job.directory.appendingPathComponent(stem + ".png").path)
        let base = "/api/jobs/\(job.id)/files/\(stem)"
        job.add(StudioResult(title: title, midi: nil, wav: base + ".wav", png: base + ".png", notes: nil, seconds: result.audio.durationSeconds),
                files: [stem + ".wav", stem + ".png"])
    }
}
