import Foundation
import MuseCore
import _MuseTestSupport

/// The committed fixtures folder of this test target.
let fixturesFolder: URL = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

/// Loads one committed fixture file written by scripts/make_core_fixtures.py.
func fixture(_ name: String) throws -> [String: Tensor] { try loadFixture(name, in: fixturesFolder) }

/// The tensors of `fixture` whose names start with `prefix`, with the prefix removed.
func entries(_ fixture: [String: Tensor], prefix: String) -> [String: Tensor] {
    var out: [String: Tensor] = [:]
    for (k, v) in fixture where k.hasPrefix(prefix) { out[String(k.dropFirst(prefix.count))] = v.clone() }
    return out
}
