extension Array {
    /// `count` elements written by `body` into uninitialized storage (it must initialize all of
    /// them), or `[]` without calling it when `count` is 0.
    ///
    /// `Array(unsafeUninitializedCapacity: 0)` writes its count, 0, into Swift's shared
    /// empty-array storage: harmless, but a data race ThreadSanitizer reports when two threads do
    /// it (the MIDI reader did, from `MIDICorpus`). Muse builds every such array with this instead.
    @inlinable
    public init(filledCount count: Int, by body: (UnsafeMutablePointer<Element>) throws -> Void) rethrows {
        guard count > 0 else { self = []; return }
        self = try Array(unsafeUninitializedCapacity: count) { buffer, initialized in
            try body(buffer.baseAddress!)
            initialized = count
        }
    }
}
