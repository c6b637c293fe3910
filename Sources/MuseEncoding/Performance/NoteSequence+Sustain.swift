import MuseMIDI

extension NoteSequence {
    /// A copy with the sustain pedal applied to note lengths, as note_seq's
    /// `sequences_lib.apply_sustain_control_changes` (times in seconds).
    ///
    /// Per part (`instrument`): while the pedal is down (control `controlNumber` at 64...127; up at
    /// 0...63) a released note keeps sounding until the pedal is lifted or the same pitch is struck
    /// again; a re-struck note that would then last zero seconds (the two started together) is
    /// removed. Events are taken in time order, and at one time pedal-down, pedal-up, note-on,
    /// note-off in that order (ties in sequence order), so a pedal pressed exactly as a note ends
    /// holds it. Notes still held after the last event end at that event's time, and `totalTime`
    /// becomes that time. Drum notes are never changed; control changes stay in the copy.
    public func applyingSustainControlChanges(controlNumber: Int = 64) -> NoteSequence {
        enum Kind: Int { case sustainOn = 0, sustainOff = 1, noteOn = 2, noteOff = 3 }
        struct Event { var time: Double; var kind: Kind; var index: Int }

        var result = self
        var events: [Event] = []
        for (i, note) in notes.enumerated() where !note.isDrum { events.append(Event(time: note.startTime, kind: .noteOn, index: i)) }
        for (i, note) in notes.enumerated() where !note.isDrum { events.append(Event(time: note.endTime, kind: .noteOff, index: i)) }
        for (i, control) in controlChanges.enumerated() where control.controlNumber == controlNumber {
            events.append(Event(time: control.time, kind: control.controlValue >= 64 ? .sustainOn : .sustainOff, index: i))
        }
        // Python's stable sort on (time, kind): the position in `events` breaks ties.
        let order = events.indices.sorted { a, b in
            let x = events[a], y = events[b]
            if x.time != y.time { return x.time < y.time }
            if x.kind != y.kind { return x.kind.rawValue < y.kind.rawValue }
            return a < b
        }

        var active: [Int: [Int]] = [:]       // instrument -> indices of sounding notes, in note-on order
        var sustained: [Int: Bool] = [:]     // instrument -> pedal down
        var removed = [Bool](repeating: false, count: notes.count)
        var time = 0.0
        for position in order {
            let event = events[position]
            time = event.time
            switch event.kind {
            case .sustainOn:
                sustained[controlChanges[event.index].instrument] = true
            case .sustainOff:
                let instrument = controlChanges[event.index].instrument
                sustained[instrument] = false
                var still: [Int] = []
                for n in active[instrument, default: []] {
                    if result.notes[n].endTime < time {
                        result.notes[n].endTime = time   // held by the pedal until now
                        if time > result.totalTime { result.totalTime = time }
                    } else {
                        still.append(n)
                    }
                }
                active[instrument] = still
            case .noteOn:
                let instrument = notes[event.index].instrument
                if sustained[instrument] ?? false {
                    var still: [Int] = []
                    for n in active[instrument, default: []] {
                        if result.notes[n].pitch == notes[event.index].pitch {
                            result.notes[n].endTime = time
                            if result.notes[n].startTime == result.notes[n].endTime { removed[n] = true }
                        } else {
                            still.append(n)
                        }
                    }
                    active[instrument] = still
                }
                active[instrument, default: []].append(event.index)
            case .noteOff:
                let instrument = notes[event.index].instrument
                if !(sustained[instrument] ?? false), let at = active[instrument]?.firstIndex(of: event.index) {
                    active[instrument]?.remove(at: at)
                }
            }
        }
        if active.values.contains(where: { !$0.isEmpty }) {
            for list in active.values {
                for n in list { result.notes[n].endTime = time }
            }
            result.totalTime = time
        }
        if removed.contains(true) {
            result.notes = result.notes.enumerated().filter { !removed[$0.offset] }.map(\.element)
        }
        return result
    }
}
