import Foundation

// The fused LSTM sequence kernel: one autodiff op per layer and direction. The input projection
// of every time step is one GEMM (a lookup of W_ih's columns for one-hot inputs, `SparseRows`);
// each step then does one [B, H]·[H, 4H] GEMM and one pass of gate math; backward mirrors it and
// finishes with three big GEMMs for the weight gradients.
// `LSTMTests.testFusedKernelMatchesUnfusedGraph` checks it against the same LSTM built from ops.

extension Tensor {
    /// Runs an LSTM over a whole sequence (PyTorch gate order i, f, g, o).
    ///
    /// - Parameters:
    ///   - x: [B, T, I] input, batch first.
    ///   - h0, c0: [B, H] initial state.
    ///   - weightIH: [4H, I]; weightHH: [4H, H]; biasIH, biasHH: [4H].
    ///   - reverse: process time steps T−1 … 0 (the backward direction of a bidirectional LSTM).
    /// - Returns: [B, T+1, H] packed: rows `0..<T` are the hidden outputs h_t (in time order),
    ///   row `T` is the final cell state. Shapes must already be validated by the caller.
    static func lstmSequence(x: Tensor, h0: Tensor, c0: Tensor, weightIH: Tensor, weightHH: Tensor,
                             biasIH: Tensor, biasHH: Tensor, reverse: Bool) -> Tensor {
        let B = x.shape[0], T = x.shape[1], I = x.shape[2], H = h0.shape[1], G = 4 * H
        let packed = Tensor(uninitializedShape: [B, T + 1, H])
        let gates = Tensor(uninitializedShape: [B, T, G])    // activated i, f, g, o
        let cells = Tensor(uninitializedShape: [B, T, H])    // c_t
        let tanhCells = Tensor(uninitializedShape: [B, T, H])  // tanh(c_t), saved for backward
        let pA = gates.storage.pointer, pC = cells.storage.pointer, pY = packed.storage.pointer
        let pTC = tanhCells.storage.pointer
        let ldY = (T + 1) * H
        let kernels = ElementwiseKernels.best
        // Both biases into every row first, then the input projection of all steps added on top
        // (beta 1): one pass over the [B·T, 4H] gates fewer than projecting into zeros and adding
        // the biases after, and the same sums (x·W_ih + (b_ih + b_hh)).
        let bi = biasIH.storage.pointer, bh = biasHH.storage.pointer
        let biasSum = [Float](filledCount: G) { out in
            for j in 0..<G { out[j] = bi[j] + bh[j] }
        }
        biasSum.withUnsafeBufferPointer { bias in
            let bias = bias.baseAddress!
            Parallel.forEachChunk(count: B * T, minimumChunk: Swift.max(1, Parallel.minimumElements / G)) { r in
                for row in r { (pA + row * G).update(from: bias, count: G) }
            }
        }
        // One-hot inputs (a MusicVAE encoder's events): each row's projection is one column of
        // W_ih, added instead of multiplied in (the same sums: the other products are zeros).
        let sparse = SparseRows(x.storage.pointer, rows: B * T, columns: I)
        if let sparse {
            let wT = permuteKernel(weightIH, [1, 0])  // [I, 4H]: column c of W_ih as a row
            let pw = wT.storage.pointer
            Parallel.forEachChunk(count: B * T, minimumChunk: Swift.max(1, Parallel.minimumElements / G)) { r in
                for row in r {
                    let (column, value) = sparse.entries[row]
                    guard column >= 0 else { continue }
                    let out = pA + row * G, w = pw + column * G
                    for j in 0..<G { out[j] += value * w[j] }
                }
            }
        } else {
            gemm(transposeA: false, transposeB: true, m: B * T, n: G, k: I, a: x.storage.pointer, lda: I,
                 b: weightIH.storage.pointer, ldb: I, beta: 1, c: pA, ldc: G)
        }
        // Batch rows are independent through the whole recurrence, so each core takes a slice of
        // the batch and runs all T steps on it (its own small GEMMs and gate math) with no
        // synchronisation between steps.
        let parts = B * H >= 2048 ? Swift.min(Parallel.coreCount, B) : 1
        // For sequences, W_hhᵀ [H, 4H] is made once: the per-step products then read B
        // untransposed, which OpenBLAS packs ~5–10% faster than a transposed B (it packs B on every
        // call). Single steps (sampling) would pay the copy on every call, so they read W_hh as is.
        let weightHHT = T >= 8 ? permuteKernel(weightHH, [1, 0]) : nil
        let recurrent: (b: UnsafePointer<Float>, ldb: Int, transposed: Bool) = weightHHT.map { (UnsafePointer($0.storage.pointer), G, false) }
            ?? (UnsafePointer(weightHH.storage.pointer), H, true)
        forEachBatchSlice(B, parts) { _, r in
            for s in 0..<T {
                let t = reverse ? T - 1 - s : s, tp = reverse ? t + 1 : t - 1
                let hPrev: UnsafePointer<Float> = s == 0 ? UnsafePointer(h0.storage.pointer) : UnsafePointer(pY + tp * H)
                let ldH = s == 0 ? H : ldY
                let cPrev: UnsafePointer<Float> = s == 0 ? UnsafePointer(c0.storage.pointer) : UnsafePointer(pC + tp * H)
                let ldC = s == 0 ? H : T * H
                    gemm(transposeA: false, transposeB: recurrent.transposed, m: r.count, n: G, k: H, a: hPrev + r.lowerBound * ldH, lda: ldH,
                         b: recurrent.b, ldb: recurrent.ldb, beta: 1, c: pA + (r.lowerBound * T + t) * G, ldc: T * G)
                    for b in r {
                        let a = pA + (b * T + t) * G, c = pC + (b * T + t) * H, y = pY + b * ldY + t * H
                        let tcOut = pTC + (b * T + t) * H
                        let cp = cPrev + b * ldC
                        kernels.lstm_cell_forward(a, cp, c, tcOut, y, H)
                    }
            }
        }
        // Final cell state into row T.
        let tLast = reverse ? 0 : T - 1
        for b in 0..<B {
            if T > 0 {
                (pY + b * ldY + T * H).update(from: pC + (b * T + tLast) * H, count: H)
            } else {
                (pY + b * ldY).update(from: c0.storage.pointer + b * H, count: H)
            }
        }
        return record(packed, "lstm", [x, h0, c0, weightIH, weightHH, biasIH, biasHH]) { gPacked, y in
            let dA = Tensor(uninitializedShape: [B, T, G])
            let dh = Tensor.zeros([B, H]), dc = Tensor(uninitializedShape: [B, H])
            let pdA = dA.storage.pointer, pdh = dh.storage.pointer, pdc = dc.storage.pointer
            let pg = gPacked.storage.pointer, pY = y.storage.pointer
            // Through the tensors, so the closure keeps the saved buffers alive.
            let pA = gates.storage.pointer, pC = cells.storage.pointer, pTC = tanhCells.storage.pointer
            for b in 0..<B { (pdc + b * H).update(from: pg + b * ldY + T * H, count: H) }
            forEachBatchSlice(B, parts) { _, r in
                for s in stride(from: T - 1, through: 0, by: -1) {
                    let t = reverse ? T - 1 - s : s, tp = reverse ? t + 1 : t - 1
                    let cPrev: UnsafePointer<Float> = s == 0 ? UnsafePointer(c0.storage.pointer) : UnsafePointer(pC + tp * H)
                    let ldC = s == 0 ? H : T * H
                        for b in r {
                            let a = pA + (b * T + t) * G, tcb = pTC + (b * T + t) * H, d = pdA + (b * T + t) * G
                            let gy = pg + b * ldY + t * H, cp = cPrev + b * ldC
                            let dhb = pdh + b * H, dcb = pdc + b * H
                            // dh ← dy_t + dh_next, dc ← dc_next + dh·o·(1 − tanh²c), the pre-activation
                            // gate gradients (i, f, g, o), then dc_next ← dc·f (dh is overwritten by
                            // the GEMM below afterwards).
                            kernels.lstm_cell_backward(a, tcb, cp, gy, dhb, dcb, d, H)
                        }
                        // dh_{prev} = dA_t · W_hh for these rows
                        gemm(transposeA: false, transposeB: false, m: r.count, n: H, k: G, a: pdA + (r.lowerBound * T + t) * G, lda: T * G,
                             b: weightHH.storage.pointer, ldb: H, c: pdh + r.lowerBound * H, ldc: H)
                }
            }
            var grads: [Tensor?] = [nil, nil, nil, nil, nil, nil, nil]
            if x.requiresGrad {
                let dx = Tensor(uninitializedShape: [B, T, I])
                gemm(transposeA: false, transposeB: false, m: B * T, n: I, k: G, a: pdA, lda: G,
                     b: weightIH.storage.pointer, ldb: I, c: dx.storage.pointer, ldc: I)
                grads[0] = dx
            }
            grads[1] = dh
            grads[2] = dc
            if weightIH.requiresGrad {
                let dW = Tensor(uninitializedShape: [G, I])
                if let sparse {
                    // dW_ihᵀ[c] = Σ over the rows whose one entry is in column c of value · dA[row].
                    let dWT = Tensor.zeros([I, G]), pT = dWT.storage.pointer
                    for row in 0..<(B * T) {
                        let (column, value) = sparse.entries[row]
                        guard column >= 0 else { continue }
                        let into = pT + column * G, d = pdA + row * G
                        for j in 0..<G { into[j] += value * d[j] }
                    }
                    transposeMatrices(pT, count: 1, rows: I, columns: G, into: dW.storage.pointer, parallel: true)
                } else {
                    gemm(transposeA: true, transposeB: false, m: G, n: I, k: B * T, a: pdA, lda: G,
                         b: x.storage.pointer, ldb: I, c: dW.storage.pointer, ldc: I)
                }
                grads[3] = dW
            }
            if weightHH.requiresGrad {
                // h_{t-1} for every (b, t): the previous output, or h0 at the first step.
                let hPrev = Tensor(uninitializedShape: [B, T, H])
                let ph = hPrev.storage.pointer
                for b in 0..<B {
                    for t in 0..<T {
                        let first = reverse ? t == T - 1 : t == 0
                        let src = first ? h0.storage.pointer + b * H : pY + b * ldY + (reverse ? t + 1 : t - 1) * H
                        (ph + (b * T + t) * H).update(from: src, count: H)
                    }
                }
                let dW = Tensor(uninitializedShape: [G, H])
                gemm(transposeA: true, transposeB: false, m: G, n: H, k: B * T, a: pdA, lda: G,
                     b: ph, ldb: H, c: dW.storage.pointer, ldc: H)
                grads[4] = dW
            }
            if biasIH.requiresGrad || biasHH.requiresGrad {
                let db = Tensor(shape: [G], storage: sumAxisKernel(Tensor(shape: [B * T, G], storage: dA.storage), axis: 0).storage)
                grads[5] = db
                grads[6] = db.clone()
            }
            return grads
        }
    }
}
