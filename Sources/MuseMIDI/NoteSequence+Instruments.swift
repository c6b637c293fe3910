extension NoteSequence {
    /// The instrument (part) indices used by notes, control changes or pitch bends, ascending.
    public var instrumentIndices: [Int] {
        Array(Set(notes.map(\.instrument) + controlChanges.map(\.instrument) + pitchBends.map(\.instrument))).sorted()
    }

    /// One sequence per instrument index, ascending: each holds that instrument's notes,
    /// control changes, pitch bends and name, plus the whole sequence's tempos, time and key
    /// signatures, `ticksPerQuarter` and quantization. Instrument indices are kept as they are;
    /// `totalTime` is each part's own latest note end.
    public func splitByInstrument() -> [(instrument: Int, sequence: NoteSequence)] {
        instrumentIndices.map { index in
            var part = self
            part.notes = notes.filter { $0.instrument == index }
            part.controlChanges = controlChanges.filter { $0.instrument == index }
            part.pitchBends = pitchBends.filter { $0.instrument == index }
            part.instrumentInfos = instrumentInfos.filter { $0.instrument == index }
            part.totalTime = part.notes.reduce(0) { max($0, $1.endTime) }
            if isQuantized { part.totalQuantizedSteps = part.notes.compactMap(\.quantizedEndStep).max() ?? 0 }
            return (index, part)
        }
    }
}
