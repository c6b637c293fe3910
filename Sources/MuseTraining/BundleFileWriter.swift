import Foundation
import MuseCore
#if canImport(Glibc)
import Glibc
#endif

/// Writes one file of a bundle or checkpoint through `write(2)` (temporary name + rename), so a
/// full disk or a file-size limit is reported in the OS's words ("No space left on device", "File
/// too large") naming the file, and nothing half-written is left under its name.
enum BundleFileWriter {
    /// Writes `data` to `url` atomically.
    /// - Throws: `TrainingError.io` naming `url` and the OS's reason.
    static func write(_ data: Data, to url: URL) throws {
        try AtomicFile.write(toPath: url.path) { temporary in
            let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o666)
            guard fd >= 0 else { throw TrainingError.io(file: url.path, reason: "cannot create: \(String(cString: strerror(errno)))") }
            var failure: Int32 = 0
            data.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) in
                var offset = 0
                while offset < buffer.count {
                    let n = Glibc.write(fd, buffer.baseAddress! + offset, buffer.count - offset)
                    if n < 0 {
                        if errno == EINTR { continue }
                        failure = errno
                        return
                    }
                    offset += n
                }
            }
            if close(fd) != 0 && failure == 0 { failure = errno }
            if failure != 0 { throw TrainingError.io(file: url.path, reason: "cannot write: \(String(cString: strerror(failure)))") }
        }
    }
}
