import MuseAudio

/// A `Renderer` streams: MuseAudio's player pulls periods from it while it renders
/// (`render(into:frameCount:)`, `sampleRate`, `channelCount` are in Renderer.swift).
extension Renderer: AudioSource {}
