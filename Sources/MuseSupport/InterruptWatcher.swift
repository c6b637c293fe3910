import Dispatch
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Write end of the pipe the SIGINT handler signals through. A signal handler can capture nothing,
/// so this one descriptor is process-wide, as the signal disposition itself is; watchers nest
/// (each restores its predecessor's descriptor and disposition when cancelled).
nonisolated(unsafe) private var interruptPipeWriteEnd: Int32 = -1

/// Turns Ctrl-C (SIGINT) into calls of `onInterrupt` on a dispatch queue while it lives, then puts
/// the previous SIGINT disposition back: the one mechanism for stopping training and playback.
///
/// An async-signal-safe `sigaction` handler writes one byte into a pipe; a dispatch read source on
/// the pipe calls `onInterrupt`. (A libdispatch signal source also sees SIGINT on Linux, but once
/// created it keeps intercepting the signal even after it is cancelled and the old disposition is
/// restored — checked with threads started before it, as OpenBLAS's are — so a second Ctrl-C could
/// no longer end the process. The handler here can be handed back.) `handOver()` restores the
/// previous disposition early, so that a second Ctrl-C has its usual meaning while the first one's
/// clean stop (finish the step, write a checkpoint) is still in progress. The library never calls
/// `exit()`.
public final class InterruptWatcher: @unchecked Sendable {
    private let lock = NSLock()
    private var previous = sigaction()
    private let previousWriteEnd: Int32
    private var handedOver = false
    private var cancelled = false
    private let readEnd: Int32
    private let writeEnd: Int32
    private let source: DispatchSourceRead

    /// Starts watching; `onInterrupt` receives how many Ctrl-Cs have arrived so far (1, 2, …).
    public init(onInterrupt: @escaping @Sendable (_ count: Int) -> Void) {
        var fds: [Int32] = [-1, -1]
        _ = pipe(&fds)
        readEnd = fds[0]
        writeEnd = fds[1]
        _ = fcntl(writeEnd, F_SETFL, fcntl(writeEnd, F_GETFL) | O_NONBLOCK)
        previousWriteEnd = interruptPipeWriteEnd
        interruptPipeWriteEnd = writeEnd
        let fd = readEnd
        let counter = Counter()
        source = DispatchSource.makeReadSource(fileDescriptor: fd, queue: .global())
        source.setEventHandler {
            var bytes = [UInt8](repeating: 0, count: 16)
            let n = read(fd, &bytes, bytes.count)
            guard n > 0 else { return }
            counter.value += n
            onInterrupt(counter.value)
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

    deinit { cancel() }

    /// Gives SIGINT back to the disposition it had before this watcher (usually: end the process).
    public func handOver() {
        lock.lock(); defer { lock.unlock() }
        guard !handedOver else { return }
        handedOver = true
        sigaction(SIGINT, &previous, nil)
        interruptPipeWriteEnd = previousWriteEnd
    }

    /// Stops watching and restores the previous SIGINT disposition.
    public func cancel() {
        handOver()
        lock.lock(); defer { lock.unlock() }
        guard !cancelled else { return }
        cancelled = true
        source.cancel()
        close(readEnd)
        close(writeEnd)
    }

    private final class Counter: @unchecked Sendable { var value = 0 }
}
