// fuzz-modules: MuseSupport CMuseKernels MuseCore MuseTraining
// A model bundle's config.json through ModelBundle.open (version, kind, config, step, metrics).
import Foundation
import MuseTraining

// The folder lives in /dev/shm when it exists, so no run waits for the disk.
let bundleFuzzFolder = URL(fileURLWithPath: (FileManager.default.fileExists(atPath: "/dev/shm") ? "/dev/shm/" : NSTemporaryDirectory())
    + "muse-fuzz-bundle-\(getpid())")

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzBundle(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    try? FileManager.default.createDirectory(at: bundleFuzzFolder, withIntermediateDirectories: true)
    let config = bundleFuzzFolder.appendingPathComponent("config.json")
    guard (try? Data(bytes: data, count: size).write(to: config)) != nil else { return 0 }
    _ = try? ModelBundle.open(bundleFuzzFolder)
    return 0
}
