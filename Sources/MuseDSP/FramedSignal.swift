/// A signal as the STFT's frames see it: centred padding without copying the signal.
///
/// Frame t covers padded samples `[t × hop, t × hop + nFFT)`. Frames that lie wholly inside the
/// signal read it in place; only the few frames that reach into the padding (at most
/// `⌈nFFT / 2 / hop⌉` at each end) read from two small padded copies of the signal's ends. So an
/// analysis of a 60 s signal copies ~2 × nFFT samples instead of the whole signal.
///
/// Borrows `signal`: use it only while that storage is alive and unchanged.
struct FramedSignal {
    let signal: UnsafePointer<Float>
    let length: Int
    let leftPad: Int
    let hop: Int
    let nFFT: Int
    /// Padded samples `[0, head.count)` and `[tailStart, paddedLength)`.
    private let head: FFTScratch
    private let tail: FFTScratch
    private let tailStart: Int

    /// - Parameters: `signal` holds `length ≥ 1` samples; the engine supplies padding and framing.
    init(_ signal: UnsafePointer<Float>, length: Int, engine: STFTEngine) {
        self.signal = signal
        self.length = length
        leftPad = engine.leftPad
        hop = engine.hop
        nFFT = engine.nFFT
        let paddedLength = length + 2 * leftPad
        let headCount = min(paddedLength, leftPad + nFFT)
        tailStart = max(0, leftPad + length - nFFT)
        head = FFTScratch(count: headCount)
        tail = FFTScratch(count: paddedLength - tailStart)
        for p in 0..<headCount { head.pointer[p] = engine.paddedSample(p, of: signal, length: length) }
        for p in tailStart..<paddedLength { tail.pointer[p - tailStart] = engine.paddedSample(p, of: signal, length: length) }
    }

    /// The `nFFT` padded samples of frame `t`.
    @inline(__always)
    func frame(_ t: Int) -> UnsafePointer<Float> {
        let start = t * hop
        if start >= leftPad {
            if start + nFFT <= leftPad + length { return signal + (start - leftPad) }
            return UnsafePointer(tail.pointer + (start - tailStart))
        }
        return UnsafePointer(head.pointer + start)
    }
}

extension STFTEngine {
    /// Padded sample `p` (`0 ≤ p < length + 2 × leftPad`) of `signal` under this engine's pad mode.
    func paddedSample(_ p: Int, of y: UnsafePointer<Float>, length: Int) -> Float {
        let i = p - leftPad
        if i >= 0 && i < length { return y[i] }
        switch parameters.padMode {
        case .constant: return 0
        case .edge: return i < 0 ? y[0] : y[length - 1]
        case .reflect: return length == 1 ? y[0] : y[Self.reflect(i, length)]
        }
    }
}
