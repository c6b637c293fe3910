import Foundation
import MuseCore

/// Named scalar metrics, in the order a task reports them: a language model's loss and bits per
/// character, a GAN's D and G losses, a VAE's KL and reconstruction error. Stored in checkpoints
/// and bundles as a JSON object of numbers.
public struct Metrics: Codable, Equatable, Sendable, CustomStringConvertible {
    /// (name, value) pairs in report order; names are unique.
    public private(set) var entries: [(name: String, value: Double)] = []

    /// No metrics.
    public init() {}

    /// Metrics from pairs, in this order.
    public init(_ pairs: KeyValuePairs<String, Double>) { for (k, v) in pairs { self[k] = v } }

    /// The value of `name`, or `nil`; setting replaces it in place or appends it.
    public subscript(name: String) -> Double? {
        get { entries.first { $0.name == name }?.value }
        set {
            if let i = entries.firstIndex(where: { $0.name == name }) {
                if let newValue { entries[i].value = newValue } else { entries.remove(at: i) }
            } else if let newValue {
                entries.append((name, newValue))
            }
        }
    }

    /// Whether there is nothing to report.
    public var isEmpty: Bool { entries.isEmpty }

    /// `name value` pairs: `loss 1.2345  kl 3.2100`.
    public var description: String {
        entries.map { "\($0.name) \(Self.format($0.value))" }.joined(separator: "  ")
    }

    /// Four significant decimals for ordinary values, integers plain.
    public static func format(_ value: Double) -> String {
        if value == value.rounded(), abs(value) < 1e9 { return String(Int(value)) }
        return abs(value) >= 1e-3 && abs(value) < 1e5 ? String(format: "%.4f", value) : String(format: "%.4g", value)
    }

    public static func == (a: Metrics, b: Metrics) -> Bool {
        a.entries.count == b.entries.count && zip(a.entries, b.entries).allSatisfy { $0.name == $1.name && $0.value == $1.value }
    }

    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// Reads a JSON object of numbers. Checkpoints of earlier versions stored
    /// `{"loss", "accuracy", "steps", "extra": {…}}`: the nested object is flattened into the rest.
    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: Key.self)
        for key in container.allKeys.sorted(by: { $0.stringValue < $1.stringValue }) {
            if let value = try? container.decode(Double.self, forKey: key) {
                self[key.stringValue] = value
            } else if let nested = try? container.decode([String: Double].self, forKey: key) {
                for (k, v) in nested.sorted(by: { $0.key < $1.key }) { self[k] = v }
            } else if try container.decodeNil(forKey: key) {
                continue
            } else {
                throw DecodingError.typeMismatch(Double.self, .init(codingPath: container.codingPath + [key], debugDescription: "a metric must be a number"))
            }
        }
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: Key.self)
        for (name, value) in entries where value.isFinite { try container.encode(value, forKey: Key(stringValue: name)) }
    }
}
