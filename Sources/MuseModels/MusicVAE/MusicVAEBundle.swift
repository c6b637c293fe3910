import Foundation
import MuseTraining

extension MusicVAE: BundledModel {
    public static var kindName: String { MusicVAEConfig.bundleKind }

    public static func make(config: MusicVAEConfig) throws -> MusicVAE { try MusicVAE(config: config) }

    /// The bundle kind: MusicVAEs sample and interpolate 2-bar melodies.
    public static let bundleKind = registryEntry(summary: "MusicVAE (2-bar melodies)", capabilities: [.sample, .interpolate])
}
