import Foundation
import MuseCore
@testable import MuseTraining
import XCTest

/// The pieces of the overlapped all-reduce that need no second process: back-propagation that
/// reports each leaf when its gradient is final (bit for bit `Tensor.backward()`), and the bucket
/// layout (reverse parameter order, bounded size). Two processes: museTests/DataParallel*CLITests.
final class OverlappedAllReduceTests: XCTestCase {
    /// Embedding → 2-layer LSTM → LayerNorm → Linear, with the embedding table reused as the
    /// output projection (a tied tensor reached along two paths), and one parameter left unused.
    final class Toy: Module {
        let embedding: Embedding, lstm: LSTM, norm: LayerNorm, head: Linear, unused: Linear
        var isTraining = true
        init(using rng: inout SplitMix64) {
            embedding = Embedding(numEmbeddings: 7, embeddingDim: 6, using: &rng)
            lstm = LSTM(inputSize: 6, hiddenSize: 6, numLayers: 2, using: &rng)
            norm = LayerNorm(normalizedShape: [6])
            head = Linear(inFeatures: 6, outFeatures: 6, using: &rng)
            unused = Linear(inFeatures: 2, outFeatures: 2, using: &rng)
        }
        var children: [(name: String, module: any Module)] {
            [("embedding", embedding), ("lstm", lstm), ("norm", norm), ("head", head), ("unused", unused)]
        }
        func loss(_ tokens: [Int], batch: Int, length: Int) throws -> Tensor {
            let x = try embedding(tokens, shape: [batch, length])
            let h = try head(norm(lstm(x).output))
            let logits = try h.reshape([batch * length, 6]).matmul(embedding.weight.transpose(0, 1))
            return try crossEntropy(logits: logits, targets: tokens.map { ($0 + 1) % 7 })
        }
    }

    func testGradientsAreBitForBitThoseOfBackwardAndEachLeafIsReportedOnceWhenFinal() throws {
        var rng = SplitMix64(seed: 4)
        let model = Toy(using: &rng)
        let tokens = (0..<12).map { _ in Int(rng.next() % 7) }
        // Gradients already there from an earlier micro-batch are added to, as by backward().
        func run(_ ready: Bool) throws -> (grads: [[Float]?], atReady: [ObjectIdentifier: [Float]], order: [ObjectIdentifier]) {
            for p in model.parameters() { p.grad = nil }
            try model.loss(tokens, batch: 3, length: 4).backward()
            let loss = try model.loss(Array(tokens.reversed()), batch: 3, length: 4)
            var atReady: [ObjectIdentifier: [Float]] = [:], order: [ObjectIdentifier] = []
            if ready {
                XCTAssertEqual(ReadyOrderBackward.reachableLeaves(from: loss).count, model.parameters().count - 2, "all but `unused`")
                try ReadyOrderBackward.run(loss) { leaf in
                    order.append(ObjectIdentifier(leaf))
                    atReady[ObjectIdentifier(leaf)] = leaf.grad?.scalars
                }
            } else {
                loss.backward()
            }
            return (model.parameters().map { $0.grad?.scalars }, atReady, order)
        }
        let plain = try run(false), ready = try run(true)
        XCTAssertEqual(plain.grads.count, ready.grads.count)
        for (i, (a, b)) in zip(plain.grads, ready.grads).enumerated() {
            XCTAssertEqual(a.map { $0.map(\.bitPattern) }, b.map { $0.map(\.bitPattern) }, "parameter \(i)")
        }
        let used = model.parameters().filter { $0.grad != nil }
        XCTAssertEqual(ready.order.count, used.count, "each leaf with a gradient is reported once")
        XCTAssertEqual(Set(ready.order), Set(used.map { ObjectIdentifier($0) }))
        for p in used { XCTAssertEqual(ready.atReady[ObjectIdentifier(p)], p.grad?.scalars, "final when reported") }
    }

    func testBucketsRunInReverseParameterOrderWithinTheirSize() {
        let sizes = [3, 5, 2, 9, 1, 4]
        let parameters = sizes.map { Tensor.zeros([$0]) }
        let plan = DataParallel.BucketPlan(parameters, capacity: 8)
        XCTAssertEqual(plan.buckets.flatMap { $0 }, [5, 4, 3, 2, 1, 0], "every parameter once, last first")
        for (b, members) in plan.buckets.enumerated() {
            let total = members.reduce(0) { $0 + sizes[$1] }
            XCTAssertTrue(total <= 8 || members.count == 1, "bucket \(b) \(members) holds \(total) values")
            XCTAssertEqual(plan.buffers[b].count, total + members.count, "gradients, then one presence flag per parameter")
        }
        XCTAssertEqual(plan.buckets, [[5, 4], [3], [2, 1], [0]], "4+1 fit, 9 alone (oversized), 2+5, then 3")
        XCTAssertTrue(plan.fits(parameters))
        XCTAssertFalse(plan.fits(Array(parameters.reversed())))
    }

    func testRankOffsetsMoveRandomStatesApartAndKeepRankZeros() {
        let state: UInt64 = 12345
        let offsets = (1...3).map { DataParallel.offset(state, rank: $0) }
        XCTAssertEqual(Set(offsets).count, 3)
        XCTAssertFalse(offsets.contains(state))
        XCTAssertEqual(DataParallel.offset(state, rank: 1), DataParallel.offset(state, rank: 1), "deterministic: a resumed run draws the same")
    }
}
