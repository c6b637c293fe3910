import ArgumentParser
import Foundation
import MuseCore
import MuseImage

/// `muse sample image-vae --bundle runs/imagevae --grid 8x8 -o grid.png [--reconstructions r.png] [--manifold m.png]`.
struct SampleImageVAECommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "image-vae", abstract: "Write PNG grids of an image VAE: samples, reconstructions, the latent manifold.",
        discussion: """
            Samples decode z ~ N(0, I). --reconstructions draws rows of Fashion-MNIST test pictures above their \
            reconstructions (decoded from the posterior mean). --manifold (2-D latents only) decodes a grid of points \
            at the standard normal's quantiles, first latent across, second up.
            """)

    @Option(help: "Model bundle folder, or a `muse train image-vae` output folder (its newest checkpoint is used).")
    var bundle = "runs/imagevae"

    @Option(help: "Rows x columns of the sample grid, e.g. 8x8.")
    var grid = "8x8"

    @Option(help: "Random seed of the latents.")
    var seed: UInt64 = 0

    @Option(name: [.short, .customLong("output")], help: "Where to write the sample grid (PNG).")
    var output = "output/vae-samples.png"

    @Option(help: "Also write test pictures above their reconstructions to this PNG (Fashion-MNIST models).")
    var reconstructions: String?

    @Option(help: "Also write the latent-manifold picture to this PNG (2-D latent only).")
    var manifold: String?

    @Option(name: .customLong("manifold-side"), help: "Pictures across and down the manifold picture.")
    var manifoldSide = 20

    func validate() throws {
        _ = try parseGrid(grid)
        guard manifoldSide >= 2 else { throw ValidationError("--manifold-side must be at least 2") }
    }

    func run() throws {
        let (rows, columns) = try parseGrid(grid)
        let model = try naming(bundle) { try bundleRegistry.load(ImageVAE.self, from: URL(fileURLWithPath: bundle), for: .sample) }
        var rng = SplitMix64(seed: seed)
        try createParentDirectory(of: output)
        try ImageVAETrainingTask.writeGrid(model.sample(count: rows * columns, using: &rng), rows: rows, columns: columns, to: output)
        print("wrote \(output): \(rows)×\(columns) samples")
        if let reconstructions {
            let test = try FashionMNIST.load(split: .test).images
            let originals = try test.tensor(range: 0..<(rows * columns)) * 0.5 + 0.5
            try ImageVAETrainingTask.writeReconstructions(of: originals, model: model, columns: columns, to: reconstructions)
            print("wrote \(reconstructions): \(rows) rows of test pictures, each above its reconstructions")
        }
        if let manifold {
            try ImageVAETrainingTask.writeGrid(model.manifold(side: manifoldSide), rows: manifoldSide, columns: manifoldSide, to: manifold)
            print("wrote \(manifold): \(manifoldSide)×\(manifoldSide) latent manifold")
        }
    }
}
