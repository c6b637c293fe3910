import CBLAS
import Foundation

// Matrix products through OpenBLAS `cblas_sgemm`. Transposes are BLAS flags, never copies.

extension Tensor {
    /// `C = alpha · op(A) · op(B) + beta · C` on row-major matrices (`cblas_sgemm`).
    /// `op(A)` is m×k, `op(B)` is k×n, `C` is m×n; leading dimensions are row strides.
    ///
    /// Threads: a product of at least `gemmSplitMinimumWork` multiply-adds is split into blocks of
    /// C's rows (or columns, when C is wider than tall), one single-threaded OpenBLAS call per
    /// thread of `Parallel`'s pool. OpenBLAS's own threads went to sleep between products and took
    /// tens of microseconds to wake for each: on the nanoGPT step's products (768×128 by 128×384)
    /// they reached 1.35× one thread, the pool's awake workers 1.9×.
    public static func gemm(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float = 1,
                            a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                            beta: Float = 0, c: UnsafeMutablePointer<Float>, ldc: Int) {
        if m == 0 || n == 0 { return }
        if k == 0 {
            for i in 0..<m { for j in 0..<n { c[i * ldc + j] = beta == 0 ? 0 : beta * c[i * ldc + j] } }
            return
        }
        if m == 1 || n == 1 {
            gemv(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                 a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        let parts = gemmParts(m: m, n: n, k: k)
        if parts <= 1 {
            gemmBlock(transposeA: transposeA, transposeB: transposeB, m: m, n: n, k: k, alpha: alpha,
                      a: a, lda: lda, b: b, ldb: ldb, beta: beta, c: c, ldc: ldc)
            return
        }
        // Blocks of whole 16-row (or column) panels, the width of OpenBLAS's AVX-512 kernels.
        let splitRows = m >= n
        let extent = splitRows ? m : n, panels = (extent + 15) / 16
        Parallel.forEach(parts) { p in
            let lo = Swift.min(extent, p * panels / parts * 16), hi = Swift.min(extent, (p + 1) * panels / parts * 16)
            guard lo < hi else { return }
            if splitRows {   // rows lo..<hi of op(A) and of C
                gemmBlock(transposeA: transposeA, transposeB: transposeB, m: hi - lo, n: n, k: k, alpha: alpha,
                          a: transposeA ? a + lo : a + lo * lda, lda: lda, b: b, ldb: ldb, beta: beta, c: c + lo * ldc, ldc: ldc)
            } else {         // columns lo..<hi of op(B) and of C
                gemmBlock(transposeA: transposeA, transposeB: transposeB, m: m, n: hi - lo, k: k, alpha: alpha,
                          a: a, lda: lda, b: transposeB ? b + lo * ldb : b + lo, ldb: ldb, beta: beta, c: c + lo, ldc: ldc)
            }
        }
    }

    /// Multiply-adds (m·n·k) from which a product is split over the pool's threads: below it (a
    /// 64×128×128 product takes about 10 µs on one core) handing a block to a worker costs more
    /// than it saves.
    public static let gemmSplitMinimumWork = 1 << 20

    /// How many blocks `gemm` splits an m×n×k product into: one per thread of the pool when the
    /// product is large enough, C has at least two 16-wide panels along its longer side, and no
    /// other parallel job is running (inside one, the blocks would run one after another).
    static func gemmParts(m: Int, n: Int, k: Int) -> Int {
        let threads = Parallel.coreCount
        guard threads > 1, Swift.max(m, n) >= 32 else { return 1 }
        let (rowsByColumns, overflowed) = m.multipliedReportingOverflow(by: n)
        let (work, overflowedAgain) = rowsByColumns.multipliedReportingOverflow(by: k)
        guard overflowed || overflowedAgain || work >= gemmSplitMinimumWork, !Parallel.isBusy else { return 1 }
        return Swift.min(threads, Swift.max(m, n) / 16)
    }

    /// One single-threaded `cblas_sgemm` call.
    private static func gemmBlock(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                                  a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                                  beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        // β = 0: clear C here and ask for C += αAB. OpenBLAS clears C itself with sgemm_beta, a
        // plain loop that took 10% of a nanoGPT training step (its C's are wide: 768×512 for
        // K = 128); memset does the same in about a third of the time. The sums are the same:
        // the kernel adds into zeros either way, and C's old contents (NaN included) are gone.
        var beta = beta
        if beta == 0 {
            if ldc == n { c.update(repeating: 0, count: m * n) } else { for i in 0..<m { (c + i * ldc).update(repeating: 0, count: n) } }
            beta = 1
        }
        cblas_sgemm(CblasRowMajor, transposeA ? CblasTrans : CblasNoTrans, transposeB ? CblasTrans : CblasNoTrans,
                    Int32(m), Int32(n), Int32(k), alpha, a, Int32(lda), b, Int32(ldb), beta, c, Int32(ldc))
    }

    /// `gemm` when one side is a single row or column, as `cblas_sgemv`: sgemm would pack the whole
    /// other matrix for one output row (the cost of every incremental decoding step, one token at a
    /// time). `C` is cleared first when `beta` is 0, so its old contents (NaN included) never leak in.
    static func gemv(transposeA: Bool, transposeB: Bool, m: Int, n: Int, k: Int, alpha: Float,
                     a: UnsafePointer<Float>, lda: Int, b: UnsafePointer<Float>, ldb: Int,
                     beta: Float, c: UnsafeMutablePointer<Float>, ldc: Int) {
        Parallel.startPool()  // OpenBLAS on one thread from here on, as for every product
        if m == 1 {
            // c[0, j] = Σ_p op(A)[0, p] · op(B)[p, j]: op(B)ᵀ times the row of op(A).
            if beta == 0 { for j in 0..<n { c[j] = 0 } }
            let x = a, incx = transposeA ? lda : 1              // op(A)[0, p] = A[p, 0] when transposed
            if transposeB {                                     // op(B) = Bᵀ, B is n×k: c = B·x
                cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(n), Int32(k), alpha, b, Int32(ldb), x, Int32(incx), beta, c, 1)
            } else {                                            // B is k×n: c = Bᵀ·x
                cblas_sgemv(CblasRowMajor, CblasTrans, Int32(k), Int32(n), alpha, b, Int32(ldb), x, Int32(incx), beta, c, 1)
            }
        } else {
            // n == 1: c[i, 0] = Σ_p op(A)[i, p] · op(B)[p, 0], a column of C (stride ldc).
            if beta == 0 { for i in 0..<m { c[i * ldc] = 0 } }
            let y = b, incy = transposeB ? 1 : ldb              // op(B)[p, 0] = B[0, p] when transposed
            if transposeA {                                     // op(A) = Aᵀ, A is k×m
                cblas_sgemv(CblasRowMajor, CblasTrans, Int32(k), Int32(m), alpha, a, Int32(lda), y, Int32(incy), beta, c, Int32(ldc))
            } else {                                            // A is m×k
                cblas_sgemv(CblasRowMajor, CblasNoTrans, Int32(m), Int32(k), alpha, a, Int32(lda), y, Int32(incy), beta, c, Int32(ldc))
            }
        }
    }

    /// Output shape of `op(a)·op(b)` with batch dims, or `nil` if incompatible.
    static func matmulShape(_ a: [Int], _ b: [Int], _ tA: Bool, _ tB: Bool) -> [Int]? {
        guard a.count >= 2, b.count >= 2 else { return nil }
        let m = tA ? a[a.count - 1] : a[a.count - 2], ka = tA ? a[a.count - 2] : a[a.count - 1]
        let kb = tB ? b[b.count - 1] : b[b.count - 2], n = tB ? b[b.count - 2] : b[b.count - 1]
        guard ka == kb else { return nil }
        let batchA = Array(a.dropLast(2)), batchB = Array(b.dropLast(2))
        if !batchA.isEmpty && !batchB.isEmpty && batchA != batchB { return nil }
        return (batchA.isEmpty ? batchB : batchA) + [m, n]
    }

    /// `op(a)·op(b)`; shapes already validated (no autodiff). Batch dims: equal, or one side 2-D.
    static func matmulKernel(_ a: Tensor, _ b: Tensor, _ tA: Bool, _ tB: Bool) -> Tensor {
        let outShape = matmulShape(a.shape, b.shape, tA, tB)!
        let out = Tensor(uninitializedShape: outShape)
        let ar = a.shape[a.rank - 2], ac = a.shape[a.rank - 1]
        let br = b.shape[b.rank - 2], bc = b.shape[b.rank - 1]
        let m = tA ? ac : ar, k = tA ? ar : ac, n = tB ? br : bc
        let pa = a.storage.pointer, pb = b.storage.pointer, pc = out.storage.pointer
        if b.rank == 2 && !tA {
            // [batch…, M, K] · [K, N] is one [batch·M, K] · [K, N] product.
            let rows = a.count / Swift.max(ac, 1)
            gemm(transposeA: false, transposeB: tB, m: rows, n: n, k: k, a: pa, lda: ac, b: pb, ldb: bc, c: pc, ldc: n)
            return out
        }
        let batch = outShape.dropLast(2).reduce(1, *)
        let strideA = a.rank == 2 ? 0 : ar * ac, strideB = b.rank == 2 ? 0 : br * bc
        for i in 0..<batch {
            gemm(transposeA: tA, transposeB: tB, m: m, n: n, k: k, a: pa + i * strideA, lda: ac,
                 b: pb + i * strideB, ldb: bc, c: pc + i * m * n, ldc: n)
        }
        return out
    }

    /// Matrix product `op(self) · op(other)` over the last two axes, where `op` transposes when
    /// its flag is set (a BLAS flag, no copy). Leading (batch) axes must be equal, or one operand
    /// is 2-D and is shared by every batch: `[B, M, K]·[K, N] → [B, M, N]`.
    /// - Throws: `TensorError.shapeMismatch` naming both shapes.
    public func matmul(_ other: Tensor, transposeA: Bool = false, transposeB: Bool = false) throws -> Tensor {
        guard Tensor.matmulShape(shape, other.shape, transposeA, transposeB) != nil else {
            let op = "matmul" + (transposeA ? " (A transposed)" : "") + (transposeB ? " (B transposed)" : "")
            throw TensorError.shapeMismatch(op: op, lhs: shape, rhs: other.shape)
        }
        let a = self, b = other, tA = transposeA, tB = transposeB
        let out = Tensor.matmulKernel(a, b, tA, tB)
        return Tensor.record(out, "matmul", [a, b]) { g, _ in
            var a2 = a, g2 = g
            if b.rank == 2 && a.rank > 2 && !tA {
                // Flatten the batch into rows so dB is one GEMM, not a batch loop and a sum.
                a2 = Tensor(shape: [a.count / a.shape[a.rank - 1], a.shape[a.rank - 1]], storage: a.storage)
                g2 = Tensor(shape: [g.count / g.shape[g.rank - 1], g.shape[g.rank - 1]], storage: g.storage)
            }
            var da: Tensor? = nil, db: Tensor? = nil
            if a.requiresGrad {
                // dA = dC·op(B)ᵀ, or stored transposed: op(B)·dCᵀ
                let d = tA ? Tensor.matmulKernel(b, g, tB, true) : Tensor.matmulKernel(g, b, false, !tB)
                da = Tensor.sumTo(d, a.shape)
            }
            if b.requiresGrad {
                // dB = op(A)ᵀ·dC, or stored transposed: dCᵀ·op(A)
                let d = tB ? Tensor.matmulKernel(g2, a2, true, tA) : Tensor.matmulKernel(a2, g2, !tA, false)
                db = Tensor.sumTo(d, b.shape)
            }
            return [da, db]
        }
    }
}
