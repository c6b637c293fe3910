import Foundation
import XCTest
import MuseAudio
import MuseMIDI
@testable import MuseSynth

/// Engine behaviour: polyphony, exclusive classes, streaming, effects, built-in instruments and
/// SoundFont lookup.
final class SynthesizerTests: XCTestCase {
    func render(_ synth: Synthesizer, frames: Int) -> (left: [Float], right: [Float]) {
        var l = [Float](repeating: 0, count: frames), r = l
        synth.render(frameCount: frames, left: &l, right: &r)
        return (l, r)
    }

    func rms(_ x: ArraySlice<Float>) -> Double {
        (x.reduce(0.0) { $0 + Double($1 * $1) } / Double(max(1, x.count))).squareRoot()
    }

    func testPolyphonyLimitStealsVoices() throws {
        let font = try TestSoundFontBuilder().load()
        let synth = Synthesizer(font: font, settings: .init(polyphony: 4, reverbEnabled: false, chorusEnabled: false))
        for k in 60..<68 {
            synth.send(.noteOn(channel: 0, key: k, velocity: 100))
            _ = render(synth, frames: 64)
        }
        XCTAssertEqual(synth.activeVoiceCount, 4)
        XCTAssertEqual(Set(synth.voices.filter(\.isPlaying).map(\.key)), Set(64..<68), "the oldest voices are stolen")
    }

    func testNoteOffReleasesAndVoiceFinishes() throws {
        let font = try TestSoundFontBuilder().load()
        let synth = Synthesizer(font: font, settings: .init(reverbEnabled: false, chorusEnabled: false))
        synth.send(.noteOn(channel: 0, key: 69, velocity: 100))
        let on = render(synth, frames: 4410)
        XCTAssertGreaterThan(rms(on.left[2000...]), 0.01)
        synth.send(.noteOff(channel: 0, key: 69))
        _ = render(synth, frames: 44100) // default release is 1 ms; the voice ends
        XCTAssertEqual(synth.activeVoiceCount, 0)
        XCTAssertEqual(rms(render(synth, frames: 1000).left[...]), 0)
    }

    func testSustainPedalHoldsReleasedNotes() throws {
        let font = try TestSoundFontBuilder().load()
        let synth = Synthesizer(font: font, settings: .init(reverbEnabled: false, chorusEnabled: false))
        synth.send(.controlChange(channel: 0, controller: 64, value: 127))
        synth.send(.noteOn(channel: 0, key: 69, velocity: 100))
        _ = render(synth, frames: 2048)
        synth.send(.noteOff(channel: 0, key: 69))
        _ = render(synth, frames: 8192)
        XCTAssertEqual(synth.activeVoiceCount, 1, "held by the pedal")
        synth.send(.controlChange(channel: 0, controller: 64, value: 0))
        _ = render(synth, frames: 8192)
        XCTAssertEqual(synth.activeVoiceCount, 0)
    }

    func testPitchBendRaisesPitchByTheWheelSensitivity() throws {
        let font = try TestSoundFontBuilder().load()
        func frequency(bend: Int) -> Double {
            let synth = Synthesizer(font: font, settings: .init(reverbEnabled: false, chorusEnabled: false))
            synth.send(.pitchBend(channel: 0, value: bend))
            synth.send(.noteOn(channel: 0, key: 69, velocity: 100))
            let x = render(synth, frames: 44100).left
            var crossings = 0
            for i in 4411..<44100 where x[i - 1] < 0 && x[i] >= 0 { crossings += 1 }
            return Double(crossings) / (Double(44100 - 4411) / 44100)
        }
        let base = frequency(bend: 8192)
        XCTAssertEqual(base, 441, accuracy: 1.5, "100-frame sine cycle at 44.1 kHz, root key 69")
        // Full bend up: 12700 × (16383/16384 × 2 − 1) × 2/128 cents (FluidSynth's default modulator).
        let cents = 12700 * (2 * 16383.0 / 16384 - 1) * 2 / 128
        XCTAssertEqual(frequency(bend: 16383), base * pow(2, cents / 1200), accuracy: 2)
    }

    func testExclusiveClassCutsOffTheOpenHiHat() throws {
        let font = try SharedFont.require()
        let synth = Synthesizer(font: font, settings: .init(reverbEnabled: false, chorusEnabled: false))
        synth.send(.noteOn(channel: 9, key: 46, velocity: 100)) // open hi-hat
        _ = render(synth, frames: 4410)
        let open = synth.voices.filter { $0.isPlaying && $0.key == 46 }
        XCTAssertFalse(open.isEmpty)
        XCTAssertTrue(open.allSatisfy { $0.exclusiveClass != 0 })
        synth.send(.noteOn(channel: 9, key: 42, velocity: 100)) // closed hi-hat, same class
        _ = render(synth, frames: 4410)
        // FluidSynth's cut-off: a -200 timecent (0.89 s for 96 dB) release.
        XCTAssertTrue(synth.voices.filter { $0.isPlaying && $0.key == 46 }.allSatisfy { $0.volumeEnvelope.section == .release })
        _ = render(synth, frames: 44100)
        XCTAssertTrue(synth.voices.filter { $0.isPlaying && $0.key == 46 }.isEmpty, "open hat gone within 1.1 s")
        // Left alone, the open hat rings longer than that.
        let alone = Synthesizer(font: font, settings: .init(reverbEnabled: false, chorusEnabled: false))
        alone.send(.noteOn(channel: 9, key: 46, velocity: 100))
        _ = render(alone, frames: 4410 + 4410 + 44100)
        XCTAssertFalse(alone.voices.filter { $0.isPlaying && $0.key == 46 }.isEmpty)
    }

    func testStreamingInPiecesEqualsOfflineRendering() throws {
        let font = try TestSoundFontBuilder().load()
        let seq = NoteSequence(notes: [.init(pitch: 60, velocity: 90, startTime: 0.01, endTime: 0.3),
                                       .init(pitch: 67, velocity: 70, startTime: 0.2, endTime: 0.5)])
        let offline = Renderer.render(seq, font: font)
        let stream = Renderer(sequence: seq, font: font)
        var interleaved: [Float] = []
        var period = [Float](repeating: 0, count: 2 * 1000)
        while true {
            let n = stream.render(into: &period, frameCount: 1000)
            interleaved += period.prefix(2 * n)
            if n < 1000 { break }
        }
        let streamed = AudioBuffer(interleaved: interleaved, channelCount: 2, sampleRate: 44100)
        let frames = min(offline.frameCount, streamed.frameCount)
        XCTAssertGreaterThan(frames, 44100 / 2)
        XCTAssertEqual(Array(offline.channel(0).prefix(frames)), Array(streamed.channel(0).prefix(frames)))
        XCTAssertEqual(Array(offline.channel(1).prefix(frames)), Array(streamed.channel(1).prefix(frames)))
    }

    func testReverbIsOnByDefaultAndCanBeDisabled() throws {
        let font = try SharedFont.require()
        let seq = NoteSequence(notes: [.init(pitch: 60, velocity: 100, startTime: 0, endTime: 0.2, program: 0)])
        let dry = Renderer.render(seq, font: font, settings: .init(reverbEnabled: false, chorusEnabled: false))
        let wet = Renderer.render(seq, font: font)
        XCTAssertTrue(Synthesizer.Settings().reverbEnabled && Synthesizer.Settings().chorusEnabled)
        // FluidR3's piano sends to reverb; the wet render differs from the dry one.
        let n = min(dry.frameCount, wet.frameCount)
        let diff = zip(dry.channel(0).prefix(n), wet.channel(0).prefix(n)).map { Double(abs($0 - $1)) }.max() ?? 0
        XCTAssertGreaterThan(diff, 1e-4)
    }

    func testBuiltInInstrumentsPlayInTuneOnEveryFamilyAndDrums() {
        let font = BuiltInInstruments.makeSoundFont()
        XCTAssertNotNil(font.preset(bank: 128, program: 0))
        for program in [0, 33, 48, 60, 81] {
            let seq = NoteSequence(notes: [.init(pitch: 69, velocity: 100, startTime: 0, endTime: 1, program: program)])
            let audio = Renderer.render(seq, font: font, settings: .init(reverbEnabled: false, chorusEnabled: false))
            let x = Array(audio.channel(0))
            var crossings = 0
            for i in 22050..<33075 where x[i - 1] < 0 && x[i] >= 0 { crossings += 1 }
            XCTAssertEqual(Double(crossings) / 0.25, 440, accuracy: 8, "program \(program)")
        }
        let drums = NoteSequence(notes: [.init(pitch: 38, velocity: 100, startTime: 0, endTime: 0.1, isDrum: true)])
        let audio = Renderer.render(drums, font: font, settings: .init(reverbEnabled: false, chorusEnabled: false))
        XCTAssertGreaterThan(rms(audio.channel(0).prefix(4410)), 0.001)
    }

    func testLookupOrderExplicitThenEnvironmentThenFolderThenSystem() throws {
        let tmp = FileManager.default.temporaryDirectory.appendingPathComponent("sflookup-\(getpid())")
        let work = tmp.appendingPathComponent("work"), system = tmp.appendingPathComponent("system")
        try FileManager.default.createDirectory(at: work.appendingPathComponent("soundfonts"), withIntermediateDirectories: true)
        try FileManager.default.createDirectory(at: system, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: tmp) }
        let bytes = Data(TestSoundFontBuilder().bytes())
        let a = tmp.appendingPathComponent("a.sf2").path, e = tmp.appendingPathComponent("env.sf2").path
        let local = work.appendingPathComponent("soundfonts/Local.sf2").path, sys = system.appendingPathComponent("FluidR3_GM.sf2").path
        for p in [a, e, local, sys] { try bytes.write(to: URL(fileURLWithPath: p)) }
        func find(_ explicit: String?, _ env: [String: String]) throws -> String {
            try SoundFontLocator.locate(explicit: explicit, environment: env, workingDirectory: work.path, systemDirectory: system.path).path
        }
        XCTAssertEqual(try find(a, ["MUSE_SOUNDFONT": e]), a)
        XCTAssertEqual(try find(nil, ["MUSE_SOUNDFONT": e]), e)
        XCTAssertEqual(try find(nil, [:]), local)
        try FileManager.default.removeItem(atPath: local)
        XCTAssertEqual(try find(nil, [:]), sys)
        XCTAssertThrowsError(try find("/nope.sf2", [:])) { error in
            guard case SynthError.unreadable("/nope.sf2", _) = error else { return XCTFail("\(error)") }
        }
    }

    func testMissingSoundFontFallsBackToBuiltInWithOneLineNotice() throws {
        let empty = FileManager.default.temporaryDirectory.appendingPathComponent("sfnone-\(getpid())")
        try FileManager.default.createDirectory(at: empty, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: empty) }
        let (font, notice) = try SoundFontLocator.loadOrBuiltIn(environment: [:], workingDirectory: empty.path, systemDirectory: empty.path)
        XCTAssertEqual(font.name, "<built-in>")
        let line = try XCTUnwrap(notice)
        XCTAssertFalse(line.contains("\n"))
        XCTAssertTrue(line.contains("built-in"))
    }

    func testEmptySequenceRendersNothingAndSilenceIsSilent() throws {
        let font = try TestSoundFontBuilder().load()
        let empty = Renderer.render(NoteSequence(), font: font)
        XCTAssertEqual(empty.channelCount, 2)
        XCTAssertEqual(empty.frameCount, 0)
        let rest = Renderer.render(NoteSequence(totalTime: 0.5), font: font)
        XCTAssertGreaterThanOrEqual(rest.durationSeconds, 0.5)
        XCTAssertTrue(rest.samples.allSatisfy { $0 == 0 })
    }

    func testNonFiniteTimesAreDroppedNotFatal() throws {
        let font = try TestSoundFontBuilder().load()
        let seq = NoteSequence(notes: [.init(pitch: 60, velocity: 90, startTime: .nan, endTime: .infinity),
                                       .init(pitch: 64, velocity: 90, startTime: 0, endTime: 0.2)], totalTime: 0.2)
        let audio = Renderer.render(seq, font: font)
        XCTAssertTrue(audio.samples.allSatisfy(\.isFinite))
        XCTAssertGreaterThan(audio.samples.map(abs).max() ?? 0, 0.01)
    }
}
