/// Float picture planes [channels, height, width]: bilinear resizing and circular shifts, for
/// DeepDream's octaves and jitter.
enum PlaneResize {
    /// Bilinear resampling with half-pixel centres (`align_corners=False`), no antialiasing.
    static func bilinear(_ planes: [Float], channels: Int, from: (Int, Int), to: (Int, Int)) -> [Float] {
        let (h, w) = from, (oh, ow) = to
        if h == oh && w == ow { return planes }
        var out = [Float](repeating: 0, count: channels * oh * ow)
        func taps(_ o: Int, _ inSize: Int, _ outSize: Int) -> (Int, Int, Float) {
            let s = max(0, (Float(o) + 0.5) * Float(inSize) / Float(outSize) - 0.5)
            let i0 = min(Int(s), inSize - 1), i1 = min(i0 + 1, inSize - 1)
            return (i0, i1, s - Float(i0))
        }
        let rows = (0..<oh).map { taps($0, h, oh) }, cols = (0..<ow).map { taps($0, w, ow) }
        for c in 0..<channels {
            let base = c * h * w, outBase = c * oh * ow
            for y in 0..<oh {
                let (y0, y1, fy) = rows[y]
                for x in 0..<ow {
                    let (x0, x1, fx) = cols[x]
                    let top = planes[base + y0 * w + x0] * (1 - fx) + planes[base + y0 * w + x1] * fx
                    let bottom = planes[base + y1 * w + x0] * (1 - fx) + planes[base + y1 * w + x1] * fx
                    out[outBase + y * ow + x] = top * (1 - fy) + bottom * fy
                }
            }
        }
        return out
    }

    /// Shifts every plane by (`dy`, `dx`) pixels with wrap-around (`numpy.roll`).
    static func roll(_ planes: [Float], channels: Int, height h: Int, width w: Int, dy: Int, dx: Int) -> [Float] {
        if dy == 0 && dx == 0 { return planes }
        var out = [Float](repeating: 0, count: planes.count)
        for c in 0..<channels {
            let base = c * h * w
            for y in 0..<h {
                let ty = ((y + dy) % h + h) % h
                for x in 0..<w {
                    let tx = ((x + dx) % w + w) % w
                    out[base + ty * w + tx] = planes[base + y * w + x]
                }
            }
        }
        return out
    }
}
