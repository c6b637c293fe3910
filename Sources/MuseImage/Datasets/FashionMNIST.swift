import Foundation

/// Zalando's Fashion-MNIST (MIT): 60,000 training and 10,000 test 28×28 grey pictures of
/// clothing in 10 classes, read from the IDX files of Debian's `dataset-fashion-mnist`.
public struct FashionMNIST: Equatable, Sendable {
    /// Which of the two sets.
    public enum Split: String, CaseIterable, Codable, Sendable {
        /// 60,000 pictures (`train-*` files).
        case train
        /// 10,000 pictures (`t10k-*` files).
        case test

        /// The IDX file-name prefix.
        var prefix: String { self == .train ? "train" : "t10k" }
    }

    /// Where Debian's `dataset-fashion-mnist` installs the files.
    public static let defaultDirectory = "/usr/share/datasets/fashion-mnist"
    /// The class names, by label (Zalando's README).
    public static let classNames = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                                    "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]

    /// `[count, 28, 28]` pictures, 0 = background (black), 255 = white.
    public let images: GreyImageSet
    /// One class index 0...9 per picture.
    public let labels: [UInt8]

    /// The paths of a split's image and label files (`.gz`) in `directory`.
    public static func files(split: Split, directory: String = defaultDirectory) -> (images: String, labels: String) {
        let base = URL(fileURLWithPath: directory)
        return (base.appendingPathComponent("\(split.prefix)-images-idx3-ubyte.gz").path,
                base.appendingPathComponent("\(split.prefix)-labels-idx1-ubyte.gz").path)
    }

    /// Whether both files of `split` exist in `directory`.
    public static func isInstalled(split: Split = .test, directory: String = defaultDirectory) -> Bool {
        let paths = files(split: split, directory: directory)
        return FileManager.default.fileExists(atPath: paths.images) && FileManager.default.fileExists(atPath: paths.labels)
    }

    /// Reads one split from `directory`.
    /// - Throws: `ImageError` from the IDX reader (naming file and offset), `.unreadable` with a
    ///   hint to install the package if the files are missing, `.badField` if the counts differ
    ///   or a label is not 0...9.
    public static func load(split: Split, directory: String = defaultDirectory) throws -> FashionMNIST {
        let paths = files(split: split, directory: directory)
        for path in [paths.images, paths.labels] where !FileManager.default.fileExists(atPath: path) {
            throw ImageError.unreadable(file: path, reason: "not found (install Debian's dataset-fashion-mnist: scripts/setup.sh)")
        }
        let images = try IDXFile.readImages(path: paths.images)
        let labels = try IDXFile.readLabels(path: paths.labels)
        guard labels.count == images.count else {
            throw ImageError.badField(file: paths.labels, offset: 4, field: "label count", value: "\(labels.count)",
                                      reason: "the image file holds \(images.count) pictures")
        }
        if let bad = labels.firstIndex(where: { $0 >= classNames.count }) {
            throw ImageError.badField(file: paths.labels, offset: 8 + bad, field: "label", value: "\(labels[bad])",
                                      reason: "must be 0...\(classNames.count - 1)")
        }
        return FashionMNIST(images: images, labels: labels)
    }
}
