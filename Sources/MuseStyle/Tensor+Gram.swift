import CBLAS
import MuseCore

extension Tensor {
    /// The Gram matrix of feature maps, `G = F·Fᵀ / columns`, differentiable.
    ///
    /// Forward: symmetric rank-k updates (`ssyrk`), the positions split over the cores (one
    /// partial Gram each, summed). Backward: one matrix product, `dF = (dG + dGᵀ)·F / columns`,
    /// split over the cores by `Tensor.gemm` — instead of the two products a generic `matmul`
    /// backward would take. With 128 filters over 146,000 positions (a 3-pixel filter on a
    /// 384 × 384 picture) each is 2.4 G multiply-adds, the largest products of a style iteration.
    /// - Parameter self: [features, positions]
    /// - Returns: [features, features]
    /// - Throws: `StyleError.invalidArgument` unless `self` is rank 2 with at least one column.
    public func gram() throws -> Tensor {
        guard rank == 2, shape[1] > 0 else {
            throw StyleError.invalidArgument(name: "gram input shape", value: "\(shape)", reason: "must be [features, positions]")
        }
        let k = shape[0], s = shape[1], scale = 1 / Float(s)
        let f = self
        let out = Tensor.zeros([k, k])
        Tensor.symmetricRankUpdate(f.storage.pointer, rows: k, columns: s, scale: scale, into: out.storage.pointer)
        return Tensor.record(out, "gram", [f]) { g, _ in
            // (dG + dGᵀ) · F / s
            let sym = Tensor.zeros([k, k]), gp = g.storage.pointer, sp = sym.storage.pointer
            for i in 0..<k { for j in 0..<k { sp[i * k + j] = gp[i * k + j] + gp[j * k + i] } }
            let df = Tensor(shape: [k, s], storage: TensorStorage(uninitializedCount: k * s))
            Tensor.gemm(transposeA: false, transposeB: false, m: k, n: s, k: k, alpha: scale, a: sp, lda: k,
                        b: f.storage.pointer, ldb: s, c: df.storage.pointer, ldc: s)
            return [df]
        }
    }

    /// Positions per core from which `symmetricRankUpdate` splits its sum: below it the partial
    /// Gram and the sum of the parts cost more than the second core saves.
    static let gramSplitMinimumColumns = 4096

    /// `c` ([rows, rows], full, not just a triangle) = `scale` · A·Aᵀ for `a` [rows, columns]: the
    /// columns split over the pool's threads, each part's upper triangle by `ssyrk` into its own
    /// buffer (the first into `c`), then summed and mirrored.
    static func symmetricRankUpdate(_ a: UnsafePointer<Float>, rows k: Int, columns s: Int, scale: Float,
                                    into c: UnsafeMutablePointer<Float>) {
        let parts = Swift.max(1, Swift.min(Parallel.coreCount, s / gramSplitMinimumColumns))
        let partials = UnsafeMutablePointer<Float>.allocate(capacity: Swift.max(1, (parts - 1) * k * k))
        defer { partials.deallocate() }
        Parallel.forEach(parts) { p in
            let lo = p * s / parts, hi = (p + 1) * s / parts
            let target = p == 0 ? c : partials + (p - 1) * k * k
            cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(k), Int32(hi - lo), scale, a + lo, Int32(s), 0, target, Int32(k))
        }
        for i in 0..<k {
            for j in i..<k {
                var sum = c[i * k + j]
                for p in 1..<parts { sum += partials[(p - 1) * k * k + i * k + j] }
                c[i * k + j] = sum
                c[j * k + i] = sum
            }
        }
    }
}
