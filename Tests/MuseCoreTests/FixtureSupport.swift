import Foundation
import MuseCore
import _MuseTestSupport

/// The committed fixtures folder of this test target.
let fixturesFolder: URL = Bundle.module.url(forResource: "Fixtures", withExtension: nil)!

/// Loads one committed fixture file written by scripts/make_core_fixtures.py.
func fixture(_ name: String) throws -> [String: Tensor] { try loadFixture(name, in: fixturesFolder) }
