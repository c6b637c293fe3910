// bench-synth: render a dense multi-instrument MIDI file with FluidR3_GM in Muse and in
// FluidSynth (`fluidsynth -ni -F`) in the same run, and print realtime factors and ours/peer.
//
//   swift run -c release bench-synth [--soundfont F] [--repeats N] [--seconds S] [--effects]
//
// Both render at 44.1 kHz, gain 0.2, polyphony 256, 4-point interpolation; reverb and chorus are
// off unless --effects. FluidSynth's time is its wall time on the dense file less its wall time
// on an empty file (process start and SoundFont load); Muse is timed on rendering only, with the
// font load printed separately.
import BenchSupport
import Foundation
import MuseAudio
import MuseMIDI
import MuseSynth

var soundfont = "/usr/share/sounds/sf2/FluidR3_GM.sf2"
var repeats = 3
var seconds = 30.0
var effects = false
var arguments = CommandLine.arguments.dropFirst().makeIterator()
while let argument = arguments.next() {
    switch argument {
    case "--soundfont": soundfont = arguments.next() ?? soundfont
    case "--repeats": repeats = Int(arguments.next() ?? "") ?? repeats
    case "--seconds": seconds = Double(arguments.next() ?? "") ?? seconds
    case "--effects": effects = true
    default:
        print("usage: bench-synth [--soundfont F] [--repeats N] [--seconds S] [--effects]")
        exit(2)
    }
}

/// A dense arrangement: piano chords, string pad, bass, brass stabs, guitar arpeggios, organ,
/// flute melody and a drum kit in sixteenths, at 120 qpm, from a seeded generator.
func denseSequence(seconds: Double) -> NoteSequence {
    var rng: UInt64 = 42
    func next(_ n: Int) -> Int { rng = rng &* 6364136223846793005 &+ 1442695040888963407; return Int(rng >> 33) % n }
    var notes: [NoteSequence.Note] = []
    let chords = [[60, 64, 67, 71], [57, 60, 64, 67], [62, 65, 69, 72], [55, 59, 62, 65]]
    let beat = 0.5
    var t = 0.0
    var bar = 0
    while t < seconds {
        let chord = chords[bar % 4]
        for b in 0..<8 { // eighths: piano chords
            for k in chord { notes.append(.init(pitch: k, velocity: 70 + next(40), startTime: t + Double(b) * beat / 2, endTime: t + Double(b + 1) * beat / 2, program: 0, instrument: 0)) }
        }
        for k in chord + [chord[0] - 12, chord[2] + 12] { // string pad, whole bar
            notes.append(.init(pitch: k, velocity: 80, startTime: t, endTime: t + 4 * beat, program: 48, instrument: 1))
        }
        for k in chord { notes.append(.init(pitch: k + 12, velocity: 60, startTime: t, endTime: t + 4 * beat, program: 19, instrument: 6)) }
        for b in 0..<8 { // bass eighths
            notes.append(.init(pitch: chord[0] - 24 + (b % 2) * 7, velocity: 100, startTime: t + Double(b) * beat / 2, endTime: t + Double(b + 1) * beat / 2, program: 33, instrument: 2))
        }
        for b in [1, 3] { // brass stabs
            for k in chord { notes.append(.init(pitch: k, velocity: 100, startTime: t + Double(b) * beat, endTime: t + Double(b) * beat + 0.2, program: 61, instrument: 3)) }
        }
        for s in 0..<16 { // guitar arpeggio sixteenths, ringing
            notes.append(.init(pitch: chord[s % 4] + 12, velocity: 70, startTime: t + Double(s) * beat / 4, endTime: t + Double(s + 2) * beat / 4, program: 25, instrument: 4))
        }
        for b in 0..<4 { // flute melody
            notes.append(.init(pitch: chord[next(4)] + 12, velocity: 90, startTime: t + Double(b) * beat, endTime: t + Double(b + 1) * beat, program: 73, instrument: 5))
        }
        for s in 0..<16 { // drums
            let st = t + Double(s) * beat / 4
            notes.append(.init(pitch: 42, velocity: 80, startTime: st, endTime: st + 0.05, isDrum: true, instrument: 9))
            if s % 4 == 0 { notes.append(.init(pitch: 36, velocity: 110, startTime: st, endTime: st + 0.1, isDrum: true, instrument: 9)) }
            if s % 8 == 4 { notes.append(.init(pitch: 38, velocity: 100, startTime: st, endTime: st + 0.1, isDrum: true, instrument: 9)) }
            if s == 0 && bar % 4 == 0 { notes.append(.init(pitch: 49, velocity: 100, startTime: st, endTime: st + 0.1, isDrum: true, instrument: 9)) }
        }
        t += 4 * beat
        bar += 1
    }
    return NoteSequence(notes: notes, tempos: [.init(time: 0, qpm: 120)], ticksPerQuarter: 480)
}

let dir = FileManager.default.temporaryDirectory.appendingPathComponent("bench-synth-\(getpid())")
try? FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
defer { try? FileManager.default.removeItem(at: dir) }
let densePath = dir.appendingPathComponent("dense.mid").path
let emptyPath = dir.appendingPathComponent("empty.mid").path
do {
    try denseSequence(seconds: seconds).writeMIDI(to: densePath)
    try NoteSequence(notes: [.init(pitch: 60, velocity: 1, startTime: 0, endTime: 0.01)], tempos: [.init(time: 0, qpm: 120)],
                     ticksPerQuarter: 480).writeMIDI(to: emptyPath)
} catch {
    print("bench-synth: cannot write MIDI: \(error)"); exit(1)
}

// Muse.
let loadStart = Date()
let font: SoundFont
do { font = try SoundFont(contentsOf: URL(fileURLWithPath: soundfont)) } catch {
    print("bench-synth: \(error)"); exit(1)
}
let loadSeconds = Date().timeIntervalSince(loadStart)
let sequence: NoteSequence
do { sequence = try NoteSequence(contentsOfMIDIFile: densePath) } catch { print("bench-synth: \(error)"); exit(1) }
let settings = Synthesizer.Settings(sampleRate: 44100, gain: 0.2, polyphony: 256, reverbEnabled: effects, chorusEnabled: effects)
var best = Double.infinity
var audioSeconds = 0.0
var peakVoices = 0
var meanVoices = 0.0
for _ in 0..<repeats {
    let renderer = Renderer(sequence: sequence, font: font, settings: settings)
    let start = Date()
    var blocks = 0, voiceSum = 0
    var frames = 0
    while !renderer.isFinished {
        frames += renderer.next(frameCount: 4096).frameCount
        let v = renderer.synthesizer.activeVoiceCount
        peakVoices = max(peakVoices, v); voiceSum += v; blocks += 1
    }
    best = min(best, Date().timeIntervalSince(start))
    audioSeconds = Double(frames) / 44100
    meanVoices = Double(voiceSum) / Double(max(1, blocks))
}
let ourRTF = audioSeconds / best
print(String(format: "muse:       %.2f s audio in %.3f s  realtime x%.1f  (font load %.2f s; voices peak %d, mean %.0f)",
             audioSeconds, best, ourRTF, loadSeconds, peakVoices, meanVoices))

// FluidSynth.
let json: [String: Any]
do {
    json = try runJSON(peerPython, [peerScript("bench_synth_peer.py"), soundfont, densePath, emptyPath, "\(repeats)", effects ? "1" : "0"])
} catch {
    print("bench-synth: peer failed: \(error)"); exit(1)
}
let dense = number(json, "dense_seconds"), empty = number(json, "empty_seconds"), peerAudio = number(json, "dense_audio_seconds")
let peerRender = max(1e-6, dense - empty)
let peerRTF = peerAudio / peerRender
print(String(format: "fluidsynth: %.2f s audio in %.3f s  realtime x%.1f  (wall %.3f s less start-up %.3f s)",
             peerAudio, peerRender, peerRTF, dense, empty))
print(String(format: "ours/peer realtime factor: %.2f  (effects %@)", ourRTF / peerRTF, effects ? "on" : "off"))
let rows = BenchRows("synth")
rows.rate("SoundFont render" + (effects ? ", effects" : ""), peer: "fluidsynth", unit: "× realtime", ours: ourRTF, theirs: peerRTF)
rows.write()
