import Foundation
import MuseCore

/// 2-D max pooling with a square window equal to its stride (`torch.nn.MaxPool2d(k)`, no
/// padding): [N, C, H, W] → [N, C, H / k, W / k] (rows and columns past the last whole window are
/// dropped, as PyTorch's floor mode). The gradient goes to the first maximum of each window.
public final class MaxPool2d: Layer {
    /// Window side and stride, in pixels.
    public let size: Int
    public var isTraining = true

    /// - Precondition: `size >= 1` (a programmer's constant).
    public init(size: Int) {
        precondition(size >= 1, "MaxPool2d: size \(size) must be at least 1")
        self.size = size
    }

    /// - Parameter input: [N, C, H, W] with H, W ≥ `size`.
    /// - Returns: [N, C, H / size, W / size].
    /// - Throws: `TensorError.invalidShape` for another rank or a picture smaller than the window.
    public func callAsFunction(_ input: Tensor) throws -> Tensor {
        guard input.rank == 4, input.shape[2] >= size, input.shape[3] >= size else {
            throw TensorError.invalidShape(op: "max_pool2d", shape: input.shape, reason: "expected [N, C, H, W] with H and W at least \(size)")
        }
        let (n, c, h, w) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3])
        let (oh, ow, k) = (h / size, w / size, size)
        let planes = n * c, outPlane = oh * ow, inPlane = h * w
        let out = Tensor.zeros([n, c, oh, ow])
        // Offset (within the input plane) of each output's maximum, for the backward pass.
        var argmax = [Int32](repeating: 0, count: planes * outPlane)
        let px = input.storage.pointer, po = out.storage.pointer
        argmax.withUnsafeMutableBufferPointer { arg in
            let pa = arg.baseAddress!
            Parallel.forEachChunk(count: planes, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(inPlane, 1))) { range in
                for plane in range {
                    let src = px + plane * inPlane, dst = po + plane * outPlane, at = pa + plane * outPlane
                    if k == 2 {
                        MaxPool2d.pool2x2(src, width: w, outHeight: oh, outWidth: ow, into: dst, argmax: at)
                        continue
                    }
                    for oy in 0..<oh {
                        for ox in 0..<ow {
                            var best = oy * k * w + ox * k
                            var value = src[best]
                            for dy in 0..<k {
                                let row = (oy * k + dy) * w + ox * k
                                for dx in 0..<k where src[row + dx] > value || src[row + dx].isNaN {
                                    value = src[row + dx]
                                    best = row + dx
                                }
                            }
                            dst[oy * ow + ox] = value
                            at[oy * ow + ox] = Int32(best)
                        }
                    }
                }
            }
        }
        let shape = input.shape
        return Tensor.record(out, "max_pool2d", [input]) { g, _ in
            let dx = Tensor.zeros(shape)
            let pg = g.storage.pointer, pd = dx.storage.pointer
            argmax.withUnsafeBufferPointer { arg in
                let pa = arg.baseAddress!
                Parallel.forEachChunk(count: planes, minimumChunk: Swift.max(1, Parallel.minimumElements / Swift.max(inPlane, 1))) { range in
                    for plane in range {
                        for i in 0..<outPlane { pd[plane * inPlane + Int(pa[plane * outPlane + i])] += pg[plane * outPlane + i] }
                    }
                }
            }
            return [dx]
        }
    }

    /// The 2×2 windows of one plane (row length `width`): maxima into `dst`, their offsets into `argmax`.
    @inline(__always)
    static func pool2x2(_ src: UnsafePointer<Float>, width w: Int, outHeight oh: Int, outWidth ow: Int,
                        into dst: UnsafeMutablePointer<Float>, argmax at: UnsafeMutablePointer<Int32>) {
        for oy in 0..<oh {
            let top = 2 * oy * w
            for ox in 0..<ow {
                let i0 = top + 2 * ox, i2 = i0 + w
                var best = i0, value = src[i0]
                @inline(__always) func consider(_ i: Int) {
                    let v = src[i]
                    if v > value || v.isNaN { value = v; best = i }
                }
                consider(i0 + 1)
                consider(i2)
                consider(i2 + 1)
                dst[oy * ow + ox] = value
                at[oy * ow + ox] = Int32(best)
            }
        }
    }
}
