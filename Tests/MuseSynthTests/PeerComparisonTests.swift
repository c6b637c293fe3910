import Foundation
import XCTest
import MuseAudio
import MuseMIDI
@testable import MuseSynth

/// Muse against FluidSynth 2.3.1 on the same MIDI files with FluidR3_GM, reverb and chorus off.
final class PeerComparisonTests: XCTestCase {
    struct Report { var rmsMedian = 0.0, rmsP95 = 0.0, bandMean = 0.0, onsetWorst = 0, loudness = 0.0 }

    func compare(_ name: String, timGM6mb: Bool = false, file: StaticString = #filePath, line: UInt = #line) throws -> Report {
        let font = timGM6mb ? try SharedFont.requireTim() : try SharedFont.require()
        let peer = try PeerFeatures.load(name, folder: timGM6mb ? "fluidsynth-timgm6mb" : "fluidsynth")
        let sequence = try NoteSequence(contentsOfMIDIFile: PeerFeatures.midiPath(name))
        let settings = Synthesizer.Settings(sampleRate: 44100, gain: 0.2, reverbEnabled: false, chorusEnabled: false)
        let audio = Renderer.render(sequence, font: font, settings: settings)
        let ours = peer.measure(left: Array(audio.channel(0)), right: Array(audio.channel(1)))
        var report = Report()
        // RMS envelopes where the peer is within 50 dB of its loudest frame.
        var diffs: [Double] = []
        for (p, o) in [(peer.rms_db_left, ours.rms_db_left), (peer.rms_db_right, ours.rms_db_right)] {
            let top = p.max() ?? 0
            for i in 0..<min(p.count, o.count) where p[i] > top - 50 { diffs.append(abs(p[i] - o[i])) }
        }
        diffs.sort()
        report.rmsMedian = diffs[diffs.count / 2]
        report.rmsP95 = diffs[Int(Double(diffs.count - 1) * 0.95)]
        var bandDiffs: [Double] = []
        let top = peer.bands_db.flatMap { $0 }.max() ?? 0
        for (p, o) in zip(peer.bands_db, ours.bands_db) {
            for (a, b) in zip(p, o) where a > top - 60 { bandDiffs.append(abs(a - b)) }
        }
        report.bandMean = bandDiffs.reduce(0, +) / Double(max(1, bandDiffs.count))
        report.onsetWorst = zip(peer.onset_samples, ours.onset_samples).map { abs($0 - $1) }.max() ?? 0
        report.loudness = ours.loudness_db - peer.loudness_db
        print("\(timGM6mb ? "TimGM6mb " : "")\(name): rms median \(report.rmsMedian) p95 \(report.rmsP95) dB, bands \(report.bandMean) dB, onset worst \(report.onsetWorst) samples, loudness \(report.loudness) dB")
        // Tolerances. Muse runs FluidSynth's formulas (envelopes stepped per 64-frame block, the
        // cubic table, whole-cent pitch tables, the biquad, the concave velocity curve, the 0.4
        // attenuation factor, gain 0.2, parameters in double precision as Debian's build) and starts
        // notes on the same block, so what is left is sample arithmetic in Float rather than
        // double: measured medians ~0.003 dB, 95th percentiles ~0.005 dB, band spectra < 0.09 dB,
        // loudness < 0.02 dB (both fonts). The bounds leave 10-20x headroom yet catch any formula or timing slip (one
        // block of onset offset alone gave a 1.5 dB 95th percentile); onsets are held to the
        // issue's 1 ms (measured worst 25 samples, from the detector's threshold on ringing tails).
        XCTAssertLessThan(report.rmsMedian, 0.05, "\(name): RMS envelope median |dB| difference", file: file, line: line)
        XCTAssertLessThan(report.rmsP95, 0.15, "\(name): RMS envelope 95th percentile |dB| difference", file: file, line: line)
        XCTAssertLessThan(report.bandMean, 0.25, "\(name): mean band-energy |dB| difference", file: file, line: line)
        XCTAssertLessThanOrEqual(report.onsetWorst, 44, "\(name): onsets within 1 ms (44 samples)", file: file, line: line)
        XCTAssertLessThan(abs(report.loudness), 0.05, "\(name): loudness within 0.05 dB", file: file, line: line)
        XCTAssertFalse(peer.onset_samples.isEmpty)
        return report
    }

    func testSingleNotesAcrossTheKeyRangeMatchFluidSynth() throws { _ = try compare("key_range") }
    func testVelocityToAttenuationCurveMatchesFluidSynth() throws { _ = try compare("velocities") }
    func testStringChordMatchesFluidSynth() throws { _ = try compare("chord") }
    func testDrumPatternOnChannel10WithExclusiveHiHatsMatchesFluidSynth() throws { _ = try compare("drums") }
    func testSustainPedalHoldsAndReleasesLikeFluidSynth() throws { _ = try compare("sustain") }
    func testPitchBendMatchesFluidSynth() throws { _ = try compare("pitch_bend") }
    func testProgramChangesMatchFluidSynth() throws { _ = try compare("program_change") }
    func testPanVolumeAndExpressionControllersMatchFluidSynth() throws { _ = try compare("pan_volume") }

    /// The same eight files with a second, unrelated font: the match is FluidSynth's rules, not
    /// one font's settings.
    func testEveryFixtureMatchesFluidSynthWithTimGM6mbToo() throws {
        for name in ["key_range", "velocities", "chord", "drums", "sustain", "pitch_bend", "program_change", "pan_volume"] {
            _ = try compare(name, timGM6mb: true)
        }
    }
}
