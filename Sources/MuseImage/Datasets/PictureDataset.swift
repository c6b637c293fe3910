import Foundation
import MuseCore

/// The pictures a generative model trains on, named as `--dataset` names them: `fashion-mnist`
/// (Debian's IDX files; training split to train on, test split held out) or a folder of PNG/JPEG
/// pictures (each fitted to the model's size; nothing held out).
public struct PictureDataset {
    /// Training pictures [n, channels, size, size] in [−1, 1].
    public let train: Tensor
    /// Held-out pictures, same layout, or `nil`.
    public let heldOut: Tensor?
    /// One line for the CLI ("fashion-mnist: 60000 training, 10000 test pictures, 28×28 grey").
    public let summary: String

    /// Reads `name` (`fashion-mnist`, or a folder) as `channels` (1 or 3) × `size` × `size`
    /// pictures, at most `maxPictures` of each split.
    /// - Throws: `ImageError` naming the file, `.invalidArgument` when Fashion-MNIST is asked for
    ///   at another size or in colour.
    public static func load(_ name: String, size: Int, channels: Int, maxPictures: Int = .max,
                            fashionMNISTDirectory: String = FashionMNIST.defaultDirectory) throws -> PictureDataset {
        if name == "fashion-mnist" {
            guard size == 28, channels == 1 else {
                throw ImageError.invalidArgument(name: "dataset", value: name, reason: "Fashion-MNIST is 28×28 grey (got \(size)×\(size), \(channels) channels)")
            }
            let train = try FashionMNIST.load(split: .train, directory: fashionMNISTDirectory).images
            let test = try FashionMNIST.load(split: .test, directory: fashionMNISTDirectory).images
            let (nTrain, nTest) = (min(train.count, maxPictures), min(test.count, maxPictures))
            return PictureDataset(train: try train.tensor(range: 0..<nTrain), heldOut: try test.tensor(range: 0..<nTest),
                                  summary: "fashion-mnist: \(nTrain) training, \(nTest) test pictures, 28×28 grey")
        }
        let folder = try ImageFolder(directory: name)
        let files = Array(folder.files.prefix(maxPictures))
        let limited = files.count == folder.files.count ? folder : try ImageFolder(files: files)
        let layout: PixelLayout = channels == 1 ? .grey : .rgb
        let train = try limited.tensor(width: size, height: size, layout: layout)
        return PictureDataset(train: train, heldOut: nil,
                              summary: "\(name): \(files.count) pictures fitted to \(size)×\(size) \(channels == 1 ? "grey" : "RGB")")
    }
}
