import Foundation

/// Errors of `muse studio`: each carries the HTTP status it is answered with and one message.
public enum StudioError: Error, Equatable, CustomStringConvertible {
    /// The request is malformed or names values out of range (400).
    case badRequest(String)
    /// No such bundle, run, job, upload or result file (404).
    case notFound(String)
    /// The upload or request body is larger than its limit (413).
    case tooLarge(what: String, limitBytes: Int)
    /// The bundle exists but its kind cannot do what was asked (422).
    case unsupported(String)
    /// The job was cancelled (`DELETE /api/jobs/ID`) before it finished.
    case cancelled

    /// The HTTP status code of this error.
    public var status: Int {
        switch self {
        case .badRequest: return 400
        case .notFound: return 404
        case .tooLarge: return 413
        case .unsupported: return 422
        case .cancelled: return 409
        }
    }

    public var description: String {
        switch self {
        case .badRequest(let m), .notFound(let m), .unsupported(let m): return m
        case .tooLarge(let what, let limit): return "\(what) is larger than the \(StudioLimits.describe(bytes: limit)) limit"
        case .cancelled: return "cancelled"
        }
    }
}
