import ArgumentParser
import Foundation
import MuseCore
import MuseImage

/// `muse sample dcgan --bundle runs/dcgan --grid 8x8 -o grid.png`: a PNG grid of generated pictures.
struct SampleImagesCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dcgan", abstract: "Write a PNG grid of pictures generated from random noise.")

    @Option(help: "Model bundle folder, or a `muse train dcgan` output folder (its newest checkpoint is used).")
    var bundle = "runs/dcgan"

    @Option(help: "Rows x columns of the grid, e.g. 8x8.")
    var grid = "8x8"

    @Option(help: "Random seed of the noise.")
    var seed: UInt64 = 0

    @Option(name: [.short, .customLong("output")], help: "Where to write the PNG grid.")
    var output = "output/samples.png"

    func validate() throws { _ = try parseGrid(grid) }

    func run() throws {
        let (rows, columns) = try parseGrid(grid)
        let model = try naming(bundle) { try bundleRegistry.load(DCGAN.self, from: URL(fileURLWithPath: bundle), for: .sample) }
        var rng = SplitMix64(seed: seed)
        let images = try model.generate(noise: model.noise(count: rows * columns, using: &rng))
        try createParentDirectory(of: output)
        try ImageGrid.write(tensor: images, rows: rows, columns: columns, to: output)
        print("wrote \(output): \(rows)×\(columns) pictures of \(model.config.imageSize)×\(model.config.imageSize)")
    }
}

/// Parses "ROWSxCOLUMNS" (both 1...64).
/// - Throws: `ValidationError` naming the flag.
func parseGrid(_ text: String) throws -> (rows: Int, columns: Int) {
    let parts = text.lowercased().split(separator: "x")
    guard parts.count == 2, let r = Int(parts[0]), let c = Int(parts[1]), (1...64).contains(r), (1...64).contains(c) else {
        throw ValidationError("--grid must be ROWSxCOLUMNS with each in 1...64, got '\(text)'")
    }
    return (r, c)
}
