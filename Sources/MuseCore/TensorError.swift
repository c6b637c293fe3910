/// Every error MuseCore throws: shape problems in tensor ops and bad safetensors / `.npy` files.
///
/// Shape errors name the op and the shapes involved; file errors name the file and, where there
/// is one, the tensor. `description` is one line, suitable for the CLI's `muse: error: …`.
public enum TensorError: Error, Equatable, CustomStringConvertible {
    /// Two operands of `op` have shapes that do not fit together (broadcast, matmul, concat, …).
    case shapeMismatch(op: String, lhs: [Int], rhs: [Int])
    /// A shape is invalid for `op` (negative dimension, element count does not match, wrong rank).
    case invalidShape(op: String, shape: [Int], reason: String)
    /// An axis is out of range for a tensor of the given rank.
    case invalidAxis(op: String, axis: Int, rank: Int)
    /// An index (gather, index-select, embedding, class target) is out of range.
    case indexOutOfRange(op: String, index: Int, bound: Int)
    /// An argument is out of its valid range (probability, epsilon, count).
    case invalidArgument(op: String, reason: String)
    /// A file is shorter than its own header or data offsets say it must be.
    case truncatedFile(file: String, reason: String)
    /// A file's header is malformed (bad magic, bad JSON, absurd header length, bad field).
    case malformedHeader(file: String, reason: String)
    /// A tensor in a file has a dtype MuseCore does not read (only F32 is supported).
    case unsupportedDtype(file: String, tensor: String, dtype: String)
    /// A tensor's data offsets are inconsistent with its shape or point past the data section.
    case badOffsets(file: String, tensor: String, reason: String)
    /// A tensor the caller needs is absent from a file or state dictionary.
    case missingTensor(file: String, tensor: String)
    /// A file or state dictionary holds a tensor nobody asked for (strict loading).
    case unexpectedTensor(file: String, tensor: String)
    /// A tensor loaded by name has a different shape than the parameter it is loaded into.
    case loadShapeMismatch(file: String, tensor: String, expected: [Int], found: [Int])
    /// The operating system refused to read or write a file.
    case io(file: String, reason: String)

    public var description: String {
        switch self {
        case let .shapeMismatch(op, lhs, rhs): return "\(op): shapes \(lhs) and \(rhs) do not match"
        case let .invalidShape(op, shape, reason): return "\(op): invalid shape \(shape): \(reason)"
        case let .invalidAxis(op, axis, rank): return "\(op): axis \(axis) out of range for rank \(rank)"
        case let .indexOutOfRange(op, index, bound): return "\(op): index \(index) out of range 0..<\(bound)"
        case let .invalidArgument(op, reason): return "\(op): \(reason)"
        case let .truncatedFile(file, reason): return "\(file): truncated: \(reason)"
        case let .malformedHeader(file, reason): return "\(file): malformed header: \(reason)"
        case let .unsupportedDtype(file, tensor, dtype): return "\(file): tensor '\(tensor)': unsupported dtype \(dtype) (only F32)"
        case let .badOffsets(file, tensor, reason): return "\(file): tensor '\(tensor)': bad data offsets: \(reason)"
        case let .missingTensor(file, tensor): return "\(file): missing tensor '\(tensor)'"
        case let .unexpectedTensor(file, tensor): return "\(file): unexpected tensor '\(tensor)'"
        case let .loadShapeMismatch(file, tensor, expected, found):
            return "\(file): tensor '\(tensor)' has shape \(found), expected \(expected)"
        case let .io(file, reason): return "\(file): \(reason)"
        }
    }
}
