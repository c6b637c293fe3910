import MuseCore
import XCTest
import _MuseTestSupport

/// End-to-end: the pieces train real (tiny) models to near-zero loss.
final class TrainingTests: XCTestCase {
    func testMLPLearnsXOR() throws {
        var rng = SplitMix64(seed: 1)
        let net = Sequential([Linear(inFeatures: 2, outFeatures: 8, using: &rng), Activation(.tanh),
                              Linear(inFeatures: 8, outFeatures: 1, using: &rng)])
        let x = try Tensor([0, 0, 0, 1, 1, 0, 1, 1], shape: [4, 2])
        let y = try Tensor([0, 1, 1, 0], shape: [4, 1])
        let opt = Adam(net.namedParameters(), learningRate: 0.05)
        var loss: Float = .infinity
        for _ in 0..<500 {
            opt.zeroGrad()
            let l = try binaryCrossEntropyWithLogits(logits: net(x), targets: y)
            l.backward()
            opt.step()
            loss = l.item()
        }
        XCTAssertLessThan(loss, 0.01)
        let p = try noGrad { try net(x).sigmoid().scalars }
        XCTAssertEqual(p.map { $0 > 0.5 }, [false, true, true, false])
    }

    func testLSTMLearnsARepeatingSequence() throws {
        var rng = SplitMix64(seed: 2)
        let pattern = [0, 1, 2, 3, 2, 1]  // period 6, vocabulary 4
        let vocab = 4, T = 24, B = 2
        let lstm = LSTM(inputSize: vocab, hiddenSize: 16, using: &rng)
        let head = Linear(inFeatures: 16, outFeatures: vocab, using: &rng)
        var tokens: [[Int]] = []
        for b in 0..<B { tokens.append((0...T).map { pattern[($0 + 2 * b) % pattern.count] }) }
        let inputs = try Tensor.oneHot(tokens.flatMap { $0.prefix(T) }, depth: vocab).reshape([B, T, vocab])
        let targets = tokens.flatMap { $0.dropFirst() }
        let opt = Adam(lstm.namedParameters() + head.namedParameters(prefix: "head."), learningRate: 0.03)
        var loss: Float = .infinity
        for _ in 0..<150 {
            opt.zeroGrad()
            let (h, _) = try lstm(inputs)
            let logits = try head(h).reshape([B * T, vocab])
            let l = try crossEntropy(logits: logits, targets: targets)
            l.backward()
            clipGradientNorm(opt.parameters.map(\.tensor), maxNorm: 5)
            opt.step()
            loss = l.item()
        }
        XCTAssertLessThan(loss, 0.05)
    }
}
