import MuseSupport

extension NoteSequence {
    /// Reads the Standard MIDI File at `path` into a sequence, with pretty_midi's meanings (see
    /// `init(midiFile:)`).
    /// - Throws: `MIDIError` naming the file, byte offset and problem.
    public init(contentsOfMIDIFile path: String) throws {
        try self.init(midiFile: MIDIFile(contentsOf: path))
    }

    /// Converts a validated MIDI file to a sequence the way note_seq's `midi_to_note_sequence`
    /// does on top of pretty_midi 0.2.11, in one pass over the bytes:
    ///
    /// - Tempos, time signatures and key signatures come from track 0 only (pretty_midi ignores
    ///   them elsewhere); ticks become seconds through `TempoMap`.
    /// - Notes pair per track by (channel, pitch). A note-on with velocity > 0 opens a note; a
    ///   note-off (or note-on with velocity 0) closes *every* open note of that key that started
    ///   at an earlier tick, in note-on order; open notes that started at the note-off's own tick
    ///   stay open if some earlier note was closed, and are dropped otherwise (so zero-length
    ///   notes vanish). Notes still open at the end of the track are dropped; note-offs with
    ///   nothing open are ignored.
    /// - A part (`instrument`) is one (track, channel, program) triple, program being the channel's
    ///   last program change (0 before any) *when the note closes*. Parts are numbered in the order
    ///   their first note closed; channel 9 (MIDI channel 10) is drums. A part's name is the
    ///   track's last track-name event seen before the part's first note closed.
    /// - Control changes and pitch bends go to the part of (track, channel, current program) if it
    ///   exists; otherwise they wait in a per-(track, channel) list that the next part created on
    ///   that track and channel takes over — pretty_midi shares that list between all such
    ///   parts, so their events are repeated for each; events of a channel that never gets a
    ///   note are dropped.
    /// - Notes are listed part by part, each part in the order its notes closed; `totalTime` is
    ///   the latest note end.
    ///
    /// - Throws: `MIDIError` for malformed events or meta events that do not decode (tempo of
    ///   length ≠ 3 or 0 µs, time signature with numerator 0, key signature outside ±7 sharps).
    public init(midiFile: MIDIFile) throws {
        var assembler = PrettyMIDIAssembler(file: midiFile)
        try midiFile.bytes.withUnsafeBufferPointer { buffer in
            guard let base = buffer.baseAddress else { return }
            for index in midiFile.tracks.indices {
                try assembler.readTrack(index, base: base)
            }
        }
        self = assembler.sequence()
    }
}

/// The state of one pretty_midi-compatible read; everything is kept in ticks and converted to
/// seconds at the end, so the file is read once.
struct PrettyMIDIAssembler {
    struct Part { var program: Int; var channel: Int; var bucket: Int; var nameOffset: Int; var nameLength: Int }
    struct RawNote { var startTick: Int; var endTick: Int; var pitch: UInt8; var velocity: UInt8; var part: Int32 }
    struct RawControl { var tick: Int; var bucket: Int32; var number: UInt8; var value: UInt8 }
    struct RawBend { var tick: Int; var bucket: Int32; var bend: Int16 }

    let file: MIDIFile
    var tempoMap: TempoMap
    var timeSignatures: [(tick: Int, numerator: Int, denominator: Int)] = []
    var keySignatures: [(tick: Int, key: Int, mode: NoteSequence.KeySignature.Mode)] = []
    var parts: [Part] = []
    var notes: [RawNote] = []
    var controls: [RawControl] = []
    var bends: [RawBend] = []
    var bucketCount = 0

    // Per-track state, reset for each track, in raw buffers: a write to an element of an array
    // held by this (inout) struct costs a uniqueness check, a runtime call per note event.
    let track = TrackState()
    var freeNode: Int32 = -1
    var trackNameOffset = 0, trackNameLength = 0

    init(file: MIDIFile) {
        self.file = file
        tempoMap = TempoMap(ticksPerQuarter: file.ticksPerQuarter)
        let estimate = file.bytes.count / 8
        notes.reserveCapacity(estimate)
    }

    mutating func readTrack(_ index: Int, base: UnsafePointer<UInt8>) throws {
        let chunk = file.tracks[index]
        var reader = MIDITrackReader(base: base, start: chunk.offset, end: chunk.offset + chunk.length,
                                     track: index, file: file.file)
        resetTrackState()
        while let event = try reader.next() {
            switch event.status {
            case 0x90...0x9F where event.data2 > 0:
                openNote(key: Int(event.status & 0x0F) << 7 | Int(event.data1), tick: event.tick, velocity: event.data2)
            case 0x80...0x9F:
                closeNotes(channel: Int(event.status & 0x0F), pitch: event.data1, tick: event.tick)
            case 0xB0...0xBF:
                let bucket = eventBucket(channel: Int(event.status & 0x0F))
                controls.append(RawControl(tick: event.tick, bucket: bucket, number: event.data1, value: event.data2))
            case 0xC0...0xCF:
                track.program[Int(event.status & 0x0F)] = Int(event.data1)
            case 0xE0...0xEF:
                let bucket = eventBucket(channel: Int(event.status & 0x0F))
                let bend = Int16(Int(event.data1) | Int(event.data2) << 7) - 8192
                bends.append(RawBend(tick: event.tick, bucket: bucket, bend: bend))
            case 0xFF:
                try readMeta(event, base: base, track: index)
            default:
                break
            }
        }
    }

    mutating func resetTrackState() {
        track.reset()
        freeNode = -1
        trackNameOffset = 0; trackNameLength = 0
    }

    mutating func readMeta(_ event: MIDIEvent, base: UnsafePointer<UInt8>, track: Int) throws {
        let data = base + event.payloadOffset
        let length = event.payloadLength
        switch event.metaType {
        case MIDIMetaType.trackName:
            trackNameOffset = event.payloadOffset; trackNameLength = length
        case MIDIMetaType.tempo where track == 0:
            guard length >= 3 else { throw badMeta(event, "tempo has \(length) data bytes, needs 3") }
            let microseconds = Int(data[0]) << 16 | Int(data[1]) << 8 | Int(data[2])
            guard microseconds > 0 else { throw badMeta(event, "tempo of 0 microseconds per quarter note") }
            tempoMap.addTempo(atTick: event.tick, microsecondsPerQuarter: microseconds)
        case MIDIMetaType.timeSignature where track == 0:
            guard length >= 4 else { throw badMeta(event, "time signature has \(length) data bytes, needs 4") }
            guard data[0] > 0 else { throw badMeta(event, "time signature numerator 0") }
            guard data[1] < 31 else { throw badMeta(event, "time signature denominator 2^\(data[1])") }
            timeSignatures.append((event.tick, Int(data[0]), 1 << Int(data[1])))
        case MIDIMetaType.keySignature where track == 0:
            guard length >= 2 else { throw badMeta(event, "key signature has \(length) data bytes, needs 2") }
            let sharps = Int(Int8(bitPattern: data[0]))
            guard (-7...7).contains(sharps), data[1] <= 1 else {
                throw badMeta(event, "key signature with \(sharps) sharps and mode \(data[1])")
            }
            let mode: NoteSequence.KeySignature.Mode = data[1] == 1 ? .minor : .major
            keySignatures.append((event.tick, KeySignatureCode.tonic(sharps: sharps, mode: mode), mode))
        default:
            break
        }
    }

    func badMeta(_ event: MIDIEvent, _ problem: String) -> MIDIError {
        .badMetaEvent(file: file.file, offset: event.offset, type: event.metaType, problem: problem)
    }

    @inline(__always)
    mutating func openNote(key: Int, tick: Int, velocity: UInt8) {
        let t = track
        let node: Int32
        if freeNode >= 0 {
            node = freeNode
            freeNode = t.nodes[Int(node)].next
            t.nodes[Int(node)] = TrackState.Node(tick: tick, velocity: velocity, next: -1)
        } else {
            node = t.appendNode(TrackState.Node(tick: tick, velocity: velocity, next: -1))
        }
        if t.head[key] < 0 {
            if t.tail[key] == -1 { t.markUsed(key: key); t.tail[key] = -2 }  // -2: key registered, list empty
            t.head[key] = node
        } else {
            t.nodes[Int(t.tail[key])].next = node
        }
        t.tail[key] = node
    }

    @inline(__always)
    mutating func closeNotes(channel: Int, pitch: UInt8, tick: Int) {
        let t = track, nodes = track.nodes
        let key = channel << 7 | Int(pitch)
        var node = t.head[key]
        guard node >= 0 else { return }
        var anyEarlier = false
        while node >= 0 {
            if nodes[Int(node)].tick != tick { anyEarlier = true; break }
            node = nodes[Int(node)].next
        }
        node = t.head[key]
        var keptHead: Int32 = -1, keptTail: Int32 = -1
        while node >= 0 {
            let next = nodes[Int(node)].next
            if anyEarlier && nodes[Int(node)].tick == tick {
                if keptTail >= 0 { nodes[Int(keptTail)].next = node } else { keptHead = node }
                keptTail = node
                nodes[Int(node)].next = -1
            } else {
                if nodes[Int(node)].tick != tick {
                    let part = partCreatingIfNeeded(channel: channel)
                    notes.append(RawNote(startTick: nodes[Int(node)].tick, endTick: tick, pitch: pitch,
                                         velocity: nodes[Int(node)].velocity, part: part))
                }
                nodes[Int(node)].next = freeNode
                freeNode = node
            }
            node = next
        }
        t.head[key] = keptHead
        t.tail[key] = keptHead >= 0 ? keptTail : -2
    }

    /// pretty_midi's `__get_instrument(program, channel, track, create_new=1)`.
    @inline(__always)
    mutating func partCreatingIfNeeded(channel: Int) -> Int32 {
        let t = track
        let key = t.program[channel] << 4 | channel
        let existing = t.partForKey[key]
        if existing >= 0 { return existing }
        var bucket = t.stragglerBucket[channel]
        if bucket < 0 { bucket = Int32(bucketCount); bucketCount += 1 }
        let index = Int32(parts.count)
        parts.append(Part(program: t.program[channel], channel: channel, bucket: Int(bucket),
                          nameOffset: trackNameOffset, nameLength: trackNameLength))
        t.partForKey[key] = index
        t.markUsed(partKey: key)
        return index
    }

    /// pretty_midi's `__get_instrument(program, channel, track, create_new=0)`, as a bucket.
    @inline(__always)
    mutating func eventBucket(channel: Int) -> Int32 {
        let t = track
        let part = t.partForKey[t.program[channel] << 4 | channel]
        if part >= 0 { return Int32(parts[Int(part)].bucket) }
        if t.stragglerBucket[channel] < 0 {
            t.stragglerBucket[channel] = Int32(bucketCount)
            bucketCount += 1
        }
        return t.stragglerBucket[channel]
    }

    /// Converts ticks to seconds and lays out notes part by part. One counting sort per list (notes
    /// by part, control changes and bends by bucket) and writes into arrays sized once: on dense
    /// files this is as much work as decoding the bytes, so no per-element append or regrowth.
    func sequence() -> NoteSequence {
        var sequence = NoteSequence(ticksPerQuarter: file.ticksPerQuarter)
        var clock = TickClock(tempoMap)
        sequence.tempos = tempoMap.tempos

        // Stable counting sort of notes by part.
        let partCount = parts.count
        var cursor = [Int](repeating: 0, count: partCount + 1)
        for note in notes { cursor[Int(note.part) + 1] += 1 }
        for i in 0..<partCount { cursor[i + 1] += cursor[i] }
        var totalTime = 0.0
        sequence.notes = [NoteSequence.Note](filledCount: notes.count) { out in
            notes.withUnsafeBufferPointer { notes in
                parts.withUnsafeBufferPointer { parts in
                    cursor.withUnsafeMutableBufferPointer { cursor in
                        for note in notes {
                            let partIndex = Int(note.part)
                            let part = parts[partIndex]
                            let end = clock.seconds(atTick: note.endTick)
                            if end > totalTime { totalTime = end }
                            (out + cursor[partIndex]).initialize(to: NoteSequence.Note(
                                pitch: Int(note.pitch), velocity: Int(note.velocity), startTime: clock.seconds(atTick: note.startTick),
                                endTime: end, program: part.program, isDrum: part.channel == 9, instrument: partIndex))
                            cursor[partIndex] += 1
                        }
                    }
                }
            }
        }
        sequence.totalTime = totalTime

        if !controls.isEmpty || !bends.isEmpty {
            // Each bucket's events in file order, then every part takes its bucket's events.
            let sortedControls = byBucket(controls) { $0.bucket }
            let sortedBends = byBucket(bends) { $0.bucket }
            var controlCount = 0, bendCount = 0
            for part in parts {
                controlCount += sortedControls.starts[part.bucket + 1] - sortedControls.starts[part.bucket]
                bendCount += sortedBends.starts[part.bucket + 1] - sortedBends.starts[part.bucket]
            }
            sequence.controlChanges = [NoteSequence.ControlChange](filledCount: controlCount) { out in
                var next = out
                for (index, part) in parts.enumerated() {
                    for control in sortedControls.events[sortedControls.starts[part.bucket]..<sortedControls.starts[part.bucket + 1]] {
                        next.initialize(to: NoteSequence.ControlChange(
                            time: clock.seconds(atTick: control.tick), controlNumber: Int(control.number),
                            controlValue: Int(control.value), instrument: index, program: part.program, isDrum: part.channel == 9))
                        next += 1
                    }
                }
            }
            sequence.pitchBends = [NoteSequence.PitchBend](filledCount: bendCount) { out in
                var next = out
                for (index, part) in parts.enumerated() {
                    for bend in sortedBends.events[sortedBends.starts[part.bucket]..<sortedBends.starts[part.bucket + 1]] {
                        next.initialize(to: NoteSequence.PitchBend(
                            time: clock.seconds(atTick: bend.tick), bend: Int(bend.bend), instrument: index,
                            program: part.program, isDrum: part.channel == 9))
                        next += 1
                    }
                }
            }
        }
        sequence.timeSignatures = timeSignatures.map {
            NoteSequence.TimeSignature(time: clock.seconds(atTick: $0.tick), numerator: $0.numerator, denominator: $0.denominator)
        }
        sequence.keySignatures = keySignatures.map {
            NoteSequence.KeySignature(time: clock.seconds(atTick: $0.tick), key: $0.key, mode: $0.mode)
        }
        for (index, part) in parts.enumerated() where part.nameLength > 0 {
            let bytes = file.bytes[part.nameOffset..<part.nameOffset + part.nameLength]
            let name = String(String.UnicodeScalarView(bytes.map { UnicodeScalar($0) }))  // latin-1, as mido
            sequence.instrumentInfos.append(NoteSequence.InstrumentInfo(instrument: index, name: name))
        }
        return sequence
    }

    /// `events` stably sorted by bucket, and where each bucket's run starts (`starts[b] ..< starts[b + 1]`).
    @inline(__always)
    func byBucket<E>(_ events: [E], bucket: (E) -> Int32) -> (events: [E], starts: [Int]) {
        var starts = [Int](repeating: 0, count: bucketCount + 1)
        for event in events { starts[Int(bucket(event)) + 1] += 1 }
        for i in 0..<bucketCount { starts[i + 1] += starts[i] }
        var cursor = starts
        let sorted = [E](filledCount: events.count) { out in
            for event in events {
                let b = Int(bucket(event))
                (out + cursor[b]).initialize(to: event)
                cursor[b] += 1
            }
        }
        return (sorted, starts)
    }
}

/// The per-track tables of `PrettyMIDIAssembler`, in buffers it owns (one allocation each, for the
/// whole file; the node pool doubles when full).
final class TrackState {
    /// One open note in the pool: its start tick and velocity, and the next open note of its key.
    struct Node { var tick: Int; var velocity: UInt8; var next: Int32 }

    /// Part index for (program << 4 | channel), -1 if none.
    let partForKey = UnsafeMutablePointer<Int32>.allocate(capacity: 128 * 16)
    /// Straggler bucket per channel, -1 if none.
    let stragglerBucket = UnsafeMutablePointer<Int32>.allocate(capacity: 16)
    /// Each channel's current program.
    let program = UnsafeMutablePointer<Int>.allocate(capacity: 16)
    /// Open notes: a linked list per (channel << 7 | pitch) in the node pool (-1: empty; a tail of
    /// -2 marks a key that is listed in `usedKeys` with an empty list).
    let head = UnsafeMutablePointer<Int32>.allocate(capacity: 16 * 128)
    let tail = UnsafeMutablePointer<Int32>.allocate(capacity: 16 * 128)
    private(set) var nodes: UnsafeMutablePointer<Node>
    private var nodeCount = 0, nodeCapacity = 64
    /// Keys and part keys set during this track, so a reset clears only those.
    private var usedKeys: [Int] = [], usedPartKeys: [Int] = []

    init() {
        nodes = .allocate(capacity: nodeCapacity)
        partForKey.initialize(repeating: -1, count: 128 * 16)
        head.initialize(repeating: -1, count: 16 * 128)
        tail.initialize(repeating: -1, count: 16 * 128)
        stragglerBucket.initialize(repeating: -1, count: 16)
        program.initialize(repeating: 0, count: 16)
    }

    deinit {
        for buffer in [UnsafeMutableRawPointer(partForKey), UnsafeMutableRawPointer(stragglerBucket), UnsafeMutableRawPointer(program),
                       UnsafeMutableRawPointer(head), UnsafeMutableRawPointer(tail), UnsafeMutableRawPointer(nodes)] {
            buffer.deallocate()
        }
    }

    /// Back to the state of a new track: no open notes, no parts, programs 0.
    func reset() {
        for key in usedKeys { head[key] = -1; tail[key] = -1 }
        usedKeys.removeAll(keepingCapacity: true)
        for key in usedPartKeys { partForKey[key] = -1 }
        usedPartKeys.removeAll(keepingCapacity: true)
        nodeCount = 0
        stragglerBucket.update(repeating: -1, count: 16)
        program.update(repeating: 0, count: 16)
    }

    @inline(__always) func markUsed(key: Int) { usedKeys.append(key) }
    @inline(__always) func markUsed(partKey: Int) { usedPartKeys.append(partKey) }

    /// Adds `node` to the pool (doubling it when full) and returns its index.
    @inline(__always)
    func appendNode(_ node: Node) -> Int32 {
        if nodeCount == nodeCapacity {
            let grown = UnsafeMutablePointer<Node>.allocate(capacity: 2 * nodeCapacity)
            grown.moveInitialize(from: nodes, count: nodeCount)
            nodes.deallocate()
            nodes = grown
            nodeCapacity *= 2
        }
        (nodes + nodeCount).initialize(to: node)
        nodeCount += 1
        return Int32(nodeCount - 1)
    }
}

/// `TempoMap.seconds(atTick:)` for ticks that mostly rise (events of a track in order): remembers
/// the last segment and only searches when a tick leaves it. The same arithmetic, so the same bits.
struct TickClock {
    let map: TempoMap
    var segment = 0
    var segmentStart: Int
    var segmentEnd: Int

    init(_ map: TempoMap) {
        self.map = map
        segmentStart = map.startTicks[0]
        segmentEnd = map.startTicks.count > 1 ? map.startTicks[1] : Int.max
    }

    @inline(__always)
    mutating func seconds(atTick tick: Int) -> Double {
        if tick < segmentStart || tick >= segmentEnd {
            segment = map.segment(containingTick: tick)
            segmentStart = map.startTicks[segment]
            segmentEnd = segment + 1 < map.startTicks.count ? map.startTicks[segment + 1] : Int.max
        }
        return map.startSeconds[segment] + map.secondsPerTick[segment] * Double(tick - segmentStart)
    }
}

/// Key-signature arithmetic shared by the reader and the writer.
enum KeySignatureCode {
    /// Tonic pitch class (0 = C) of a key with `sharps` sharps (negative: flats) in `mode`.
    static func tonic(sharps: Int, mode: NoteSequence.KeySignature.Mode) -> Int {
        let major = ((sharps * 7) % 12 + 12) % 12
        return mode == .major ? major : (major + 9) % 12
    }

    /// Sharps (negative: flats) of the conventional spelling of `tonic` in `mode`, -6 ... 5
    /// (F# major / D# minor written with 6 sharps).
    static func sharps(tonic: Int, mode: NoteSequence.KeySignature.Mode) -> Int {
        let major = mode == .major ? ((tonic % 12) + 12) % 12 : ((tonic + 3) % 12 + 12) % 12
        let sharps = (major * 7) % 12
        return sharps > 6 ? sharps - 12 : sharps
    }
}
