import Foundation
import MuseCore
import XCTest
import _MuseTestSupport

final class CheckpointTests: XCTestCase {
    /// Train 6 steps straight, or 3 steps, checkpoint, rebuild everything, resume 3: same bytes.
    func testResumingFromACheckpointReproducesTheUninterruptedRun() throws {
        func makeModel() -> Sequential {
            var init0 = SplitMix64(seed: 1)
            return Sequential([Linear(inFeatures: 3, outFeatures: 5, using: &init0), Activation(.tanh),
                               Linear(inFeatures: 5, outFeatures: 1, using: &init0)])
        }
        func trainStep(_ net: Sequential, _ opt: Adam, _ rng: inout SplitMix64) throws {
            let x = Tensor.randn([8, 3], using: &rng), y = Tensor.randn([8, 1], using: &rng)
            opt.zeroGrad()
            try mseLoss(net(x), y).backward()
            opt.step()
        }
        let netA = makeModel(), optA = Adam(netA.namedParameters(), learningRate: 0.01)
        var rngA = SplitMix64(seed: 99)
        for _ in 0..<6 { try trainStep(netA, optA, &rngA) }

        let url = FileManager.default.temporaryDirectory.appendingPathComponent("muse-ckpt-\(UUID()).safetensors")
        defer { try? FileManager.default.removeItem(at: url) }
        let netB = makeModel(), optB = Adam(netB.namedParameters(), learningRate: 0.01)
        var rngB = SplitMix64(seed: 99)
        for _ in 0..<3 { try trainStep(netB, optB, &rngB) }
        try Checkpoint(step: 3, generator: rngB, configJSON: "{\"hidden\":5}").save(model: netB, optimizer: optB, to: url)

        let netC = makeModel(), optC = Adam(netC.namedParameters(), learningRate: 0.01)
        let restored = try Checkpoint.load(from: url, into: netC, optimizer: optC)
        XCTAssertEqual(restored.step, 3)
        XCTAssertEqual(restored.configJSON, "{\"hidden\":5}")
        var rngC = restored.generator
        for _ in 0..<3 { try trainStep(netC, optC, &rngC) }
        for (a, c) in zip(netA.parameters(), netC.parameters()) { XCTAssertEqual(a.scalars, c.scalars) }
    }
}
