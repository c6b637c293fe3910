import Foundation
import MuseTraining

/// How `muse studio` runs: where it listens, which bundles it offers, where it writes.
public struct StudioConfiguration {
    /// Address to listen on; loopback by default, so only this machine can reach the page.
    public var host = "127.0.0.1"
    /// TCP port; 0 picks a free one (tests).
    public var port = 8080
    /// Folder whose sub-folders are bundles or training runs.
    public var runsDirectory: URL
    /// Folder for uploads and job results.
    public var outputDirectory: URL
    /// SoundFont for rendering (nil: the usual lookup, else the built-in instruments).
    public var soundFont: String?
    /// The kinds of bundle the studio can load (the CLI passes its registry).
    public var registry: BundleRegistry
    /// Upload sizes, counts and lengths.
    public var limits = StudioLimits()

    /// A configuration serving `runsDirectory`'s bundles of `registry`'s kinds.
    public init(runsDirectory: URL, outputDirectory: URL, registry: BundleRegistry) {
        self.runsDirectory = runsDirectory
        self.outputDirectory = outputDirectory
        self.registry = registry
    }
}
