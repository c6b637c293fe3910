import CBLAS
import MuseCore

extension Tensor {
    /// The Gram matrix of feature maps, `G = F·Fᵀ / columns`, differentiable.
    ///
    /// One symmetric rank-k update (`ssyrk`) forward, one matrix product backward
    /// (`dF = (dG + dGᵀ)·F / columns`), instead of the two products a generic `matmul` backward
    /// would take.
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
        let c = out.storage.pointer
        cblas_ssyrk(CblasRowMajor, CblasUpper, CblasNoTrans, Int32(k), Int32(s), scale, f.storage.pointer, Int32(s), 0, c, Int32(k))
        for i in 0..<k { for j in 0..<i { c[i * k + j] = c[j * k + i] } }
        return Tensor.record(out, "gram", [f]) { g, _ in
            // (dG + dGᵀ) · F / s
            let sym = Tensor.zeros([k, k]), gp = g.storage.pointer, sp = sym.storage.pointer
            for i in 0..<k { for j in 0..<k { sp[i * k + j] = gp[i * k + j] + gp[j * k + i] } }
            let df = Tensor.zeros([k, s])
            cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, Int32(k), Int32(s), Int32(k), scale, sp, Int32(k),
                        f.storage.pointer, Int32(s), 0, df.storage.pointer, Int32(s))
            return [df]
        }
    }
}
