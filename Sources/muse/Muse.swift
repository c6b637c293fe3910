import ArgumentParser

/// The `muse` command: lists the subcommands; each lives in `Commands/<Verb><Noun>Command.swift`.
@main
struct Muse: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "muse",
        abstract: "Music and audio generation: MIDI, audio, spectrograms, models, synthesis.",
        version: "0.1.0",
        subcommands: [
            MIDICommand.self,
            CorpusCommand.self,
            AudioCommand.self, SpectrogramCommand.self, GriffinLimCommand.self, PlayCommand.self,
            RenderCommand.self, SoundFontCommand.self,
            TrainCommand.self,
            GenerateCommand.self,
            EvaluateCommand.self,
            SampleCommand.self,
            InterpolateCommand.self,
            ReconstructCommand.self,
        ])
}
