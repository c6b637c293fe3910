/// A SoundFont's sample data, loaded once and shared read-only by every voice that plays it.
/// Values are in 16-bit units (full scale 32768); with `sm24` the extra low byte becomes the
/// fraction, held as Float.
public final class SamplePool: @unchecked Sendable {
    /// 16-bit frames `[count]` (allocated with `padding` zero frames after them, so the
    /// interpolator's look-ahead never leaves the allocation).
    public let int16: UnsafeMutableBufferPointer<Int16>
    static let padding = 8
    public let count: Int
    /// 24-bit frames as Float in 16-bit units `[count]`, when the font has `sm24`.
    public private(set) var float24: UnsafeMutableBufferPointer<Float>?


    /// Copies `count` little-endian 16-bit frames from `bytes`.
    init(littleEndianBytes bytes: UnsafeRawBufferPointer, count: Int) {
        self.count = count
        int16 = .allocate(capacity: count + SamplePool.padding)
        int16.initialize(repeating: 0)
        for i in 0..<count {
            int16[i] = Int16(bitPattern: UInt16(bytes[2 * i]) | UInt16(bytes[2 * i + 1]) << 8)
        }
    }

    /// Holds the given frames.
    public init(_ frames: [Int16]) {
        count = frames.count
        int16 = .allocate(capacity: frames.count + SamplePool.padding)
        int16.initialize(repeating: 0)
        for (i, f) in frames.enumerated() { int16[i] = f }
    }

    /// Adds the `sm24` low bytes `[count]`.
    func attachLowBytes(_ low: UnsafeRawBufferPointer) {
        let f = UnsafeMutableBufferPointer<Float>.allocate(capacity: count + SamplePool.padding)
        f.initialize(repeating: 0)
        for i in 0..<count { f[i] = Float(Int32(int16[i]) << 8 | Int32(low[i])) / 256 }
        float24 = f
    }

    deinit {
        int16.deallocate()
        float24?.deallocate()
    }
}
