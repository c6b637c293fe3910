extension NoteSequence {
    /// The part of the sequence from `startSeconds` to `endSeconds`, moved to start at 0, like
    /// note_seq's `extract_subsequence`: notes that start in `[start, end)` are kept, their ends
    /// cut at `end`; control changes and pitch bends in `[start, end)` are kept; tempos, time and
    /// key signatures in `(start, end)` are kept, and the last one at or before `start` (of each
    /// kind) is moved to 0 s so the slice plays at the right tempo and key. `totalTime` becomes
    /// the latest kept note end. Quantization info is dropped (times changed).
    public func sliced(fromSeconds startSeconds: Double, toSeconds endSeconds: Double) -> NoteSequence {
        precondition(endSeconds >= startSeconds, "slice end before start")
        var result = self
        result.quantizationInfo = nil
        result.totalQuantizedSteps = nil
        result.notes = notes.compactMap { note in
            guard note.startTime >= startSeconds && note.startTime < endSeconds else { return nil }
            var moved = note
            moved.startTime -= startSeconds
            moved.endTime = min(note.endTime, endSeconds) - startSeconds
            moved.quantizedStartStep = nil
            moved.quantizedEndStep = nil
            return moved
        }
        result.controlChanges = controlChanges.compactMap { change in
            guard change.time >= startSeconds && change.time < endSeconds else { return nil }
            var moved = change
            moved.time -= startSeconds
            moved.quantizedStep = nil
            return moved
        }
        result.pitchBends = pitchBends.compactMap { bend in
            guard bend.time >= startSeconds && bend.time < endSeconds else { return nil }
            var moved = bend
            moved.time -= startSeconds
            return moved
        }
        result.tempos = NoteSequence.slice(tempos, startSeconds, endSeconds, time: \.time)
        result.timeSignatures = NoteSequence.slice(timeSignatures, startSeconds, endSeconds, time: \.time)
        result.keySignatures = NoteSequence.slice(keySignatures, startSeconds, endSeconds, time: \.time)
        result.totalTime = result.notes.reduce(0) { max($0, $1.endTime) }
        return result
    }

    /// Events in force during `[start, end)`: the last at or before `start` moved to 0, then the
    /// ones strictly inside, shifted.
    static func slice<T>(_ events: [T], _ start: Double, _ end: Double, time: WritableKeyPath<T, Double>) -> [T] {
        let ordered = events.enumerated().sorted { ($0.element[keyPath: time], $0.offset) < ($1.element[keyPath: time], $1.offset) }.map(\.element)
        var result: [T] = []
        if var opening = ordered.last(where: { $0[keyPath: time] <= start }) {
            opening[keyPath: time] = 0
            result.append(opening)
        }
        for var event in ordered where event[keyPath: time] > start && event[keyPath: time] < end {
            event[keyPath: time] -= start
            result.append(event)
        }
        return result
    }
}
