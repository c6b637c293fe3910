import Foundation
import ArgumentParser
import MuseAudio
import MuseMIDI
import MuseSynth

/// Synthesizer flags shared by `muse render` and `muse play`.
struct SynthOptions: ParsableArguments {
    @Option(help: "SoundFont (.sf2) to play with (default: $MUSE_SOUNDFONT, then soundfonts/, then /usr/share/sounds/sf2/; built-in oscillators if none).")
    var soundfont: String?

    @Option(help: "Output sample rate in Hz.")
    var sampleRate: Int = 44100

    @Option(parsing: .unconditional, help: "Gain in dB relative to FluidSynth's default level (synth.gain 0.2); negative values allowed (--gain-db -6).")
    var gainDb: Double = 0

    @Option(parsing: .unconditional, help: ArgumentHelp("Scale rendered files so their peak is at this level in dBFS (e.g. -1); by default they keep FluidSynth's level, where a lone melody peaks near -25 dBFS.", valueName: "dBFS"))
    var normalize: Double?

    @Flag(help: "Turn the reverb off (on by default, like FluidSynth).")
    var noReverb = false

    @Flag(help: "Turn the chorus off (on by default, like FluidSynth).")
    var noChorus = false

    @Option(help: "Most voices sounding at once (FluidSynth's synth.polyphony).")
    var polyphony: Int = 256

    func validate() throws {
        guard (8000...192_000).contains(sampleRate) else { throw ValidationError("--sample-rate must be 8000...192000 Hz") }
        guard gainDb.isFinite, (-60...40).contains(gainDb) else { throw ValidationError("--gain-db must be -60...40") }
        guard (1...4096).contains(polyphony) else { throw ValidationError("--polyphony must be 1...4096") }
        if let normalize {
            guard normalize.isFinite, (-60...0).contains(normalize) else { throw ValidationError("--normalize must be -60...0 dBFS") }
        }
    }

    /// `audio` as these flags want it written: peak-normalised when `--normalize` is given (a
    /// silent rendering stays silent).
    func finished(_ audio: AudioBuffer) -> AudioBuffer {
        guard let normalize else { return audio }
        return audio.peakNormalized(toDecibels: normalize)
    }

    /// The engine settings these flags ask for.
    var settings: Synthesizer.Settings {
        var s = Synthesizer.Settings(sampleRate: Double(sampleRate), polyphony: polyphony,
                                     reverbEnabled: !noReverb, chorusEnabled: !noChorus)
        s.gainDecibels = gainDb
        return s
    }
}

/// Writes `<stamp>_NN.wav` beside each generated `<stamp>_NN.mid` in `outputDir` (rendered through
/// the SoundFont synthesizer) when `wav`, and plays the first on `device` when `play`: what every
/// `muse generate …` command does after writing its MIDI files.
func renderGenerated(_ sequences: [NoteSequence], stamp: String, outputDir: String, wav: Bool, play: Bool,
                     device: String, synth: SynthOptions) throws {
    guard wav || play else { return }
    let (font, notice) = try SoundFontLocator.loadOrBuiltIn(explicit: synth.soundfont)
    if let notice { FileHandle.standardError.write(Data((notice + "\n").utf8)) }
    if wav {
        for (k, sequence) in sequences.enumerated() {
            let path = (outputDir as NSString).appendingPathComponent(String(format: "%@_%02d.wav", stamp, k + 1))
            try AudioFile.write(synth.finished(Renderer.render(sequence, font: font, settings: synth.settings)), to: path, format: .wavPCM16)
            print("wrote \(path)")
        }
    }
    if play, let first = sequences.first {
        let renderer = Renderer(sequence: first, font: font, settings: synth.settings)
        let report = try AudioPlayer(sink: ALSASink(device: device)).play(renderer)
        print(String(format: "%@ %.2f s on %@", report.stoppedEarly ? "stopped after" : "played",
                     Double(report.framesPlayed) / renderer.sampleRate, device))
    }
}
