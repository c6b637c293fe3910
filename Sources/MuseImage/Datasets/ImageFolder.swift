import Foundation
import MuseCore

/// A folder of PNG and JPEG pictures (searched recursively, in sorted path order) turned into a
/// model's fixed-size inputs: each is converted to grey or RGB, scaled to cover the target size
/// and centre-cropped (`Image.resizedToFill`).
public struct ImageFolder: Sendable {
    /// The picture files found, sorted by path.
    public let files: [String]

    /// Lists the `.png`, `.jpg` and `.jpeg` files (any letter case) under `directory` (links to
    /// folders followed).
    /// - Throws: `ImageError.unreadable` if `directory` cannot be listed or holds no picture.
    public init(directory: String) throws {
        let found: [String]
        do { found = try FileListing.files(in: directory, extensions: ImageFile.extensions) } catch {
            throw ImageError.unreadable(file: directory, reason: "not a readable folder")
        }
        guard !found.isEmpty else {
            throw ImageError.unreadable(file: directory, reason: "holds no .png, .jpg or .jpeg file")
        }
        files = found
    }

    /// A folder made of the given picture files, in this order (a subset of another's `files`).
    /// - Throws: `ImageError.unreadable` when `files` is empty.
    public init(files: [String]) throws {
        guard !files.isEmpty else { throw ImageError.unreadable(file: "<pictures>", reason: "no picture files given") }
        self.files = files
    }

    /// Picture `index`, read, converted to `layout` (`.grey` or `.rgb`) and fitted to
    /// `width × height`.
    /// - Throws: `ImageError` naming the file.
    public func image(at index: Int, width: Int, height: Int, layout: PixelLayout) throws -> Image {
        guard index >= 0, index < files.count else {
            throw ImageError.invalidArgument(name: "index", value: "\(index)", reason: "must be in 0..<\(files.count)")
        }
        guard layout == .grey || layout == .rgb else {
            throw ImageError.invalidArgument(name: "layout", value: "\(layout)", reason: "must be grey or rgb")
        }
        return try ImageFile.read(path: files[index]).converted(to: layout).resizedToFill(width: width, height: height)
    }

    /// Every picture as one `[count, channels, height, width]` tensor with values in
    /// `valueRange` ([−1, 1] by default, a `tanh` generator's range).
    /// - Throws: `ImageError` naming the first file that fails.
    public func tensor(width: Int, height: Int, layout: PixelLayout,
                       valueRange: ClosedRange<Float> = -1...1) throws -> Tensor {
        let perImage = layout.channels * width * height
        var values = [Float](repeating: 0, count: files.count * perImage)
        for i in files.indices {
            let t = try image(at: i, width: width, height: height, layout: layout).tensor(valueRange: valueRange)
            t.withUnsafeBufferPointer { src in
                for j in 0..<perImage { values[i * perImage + j] = src[j] }
            }
        }
        return try Tensor(values, shape: [files.count, layout.channels, height, width])
    }
}
