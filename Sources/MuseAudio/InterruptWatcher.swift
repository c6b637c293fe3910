import Dispatch
import Foundation

/// Write end of the self-pipe the SIGINT handler signals through. A signal handler can capture
/// nothing, so this one descriptor is process-wide; only one watcher is active at a time.
private var interruptPipeWriteEnd: Int32 = -1

/// Turns Ctrl-C (SIGINT) into a call to `onInterrupt` on a dispatch queue while it lives, then
/// puts the previous SIGINT disposition back.
///
/// Uses the self-pipe pattern: the async-signal-safe handler only `write`s one byte; a dispatch
/// read source on the pipe runs `onInterrupt`. (libdispatch's own signal sources do not receive
/// SIGINT on Linux unless its handler is installed, which a library cannot rely on.)
final class InterruptWatcher {
    private var previous = sigaction()
    private let readEnd: Int32
    private let writeEnd: Int32
    private let source: DispatchSourceRead

    init(onInterrupt: @escaping @Sendable () -> Void) {
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        readEnd = fds[0]
        writeEnd = fds[1]
        _ = fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) | O_NONBLOCK)
        interruptPipeWriteEnd = writeEnd
        let fd = readEnd
        source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: .global())
        source.setEventHandler {
            var byte: UInt8 = 0
            _ = read(fd, &byte, 1)
            onInterrupt()
        }
        source.resume()
        var action = sigaction()
        action.__sigaction_handler.sa_handler = { _ in
            var byte: UInt8 = 1
            _ = write(interruptPipeWriteEnd, &byte, 1)
        }
        sigemptyset(&action.sa_mask)
        action.sa_flags = SA_RESTART
        sigaction(SIGINT, &action, &previous)
    }

    /// Restores the previous SIGINT disposition and closes the pipe.
    func cancel() {
        sigaction(SIGINT, &previous, nil)
        interruptPipeWriteEnd = -1
        source.cancel()
        close(readEnd)
        close(writeEnd)
    }
}
