import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Turns Ctrl-C (SIGINT) into a flag the training loop polls between steps, so the current step
/// finishes, a checkpoint is written, and the run exits cleanly. A second Ctrl-C exits at once.
public final class InterruptMonitor: @unchecked Sendable {
    private let lock = NSLock()
    private var interrupted = false
    private var source: DispatchSourceSignal?

    /// A monitor that is not listening yet.
    public init() {}

    /// Whether Ctrl-C was pressed (or `requestStop()` called) since `start()`.
    public var isInterrupted: Bool { lock.lock(); defer { lock.unlock() }; return interrupted }

    /// Asks the loop to stop after the current step (what SIGINT does; also for tests).
    public func requestStop() {
        lock.lock()
        let second = interrupted
        interrupted = true
        lock.unlock()
        if second && source != nil { exit(130) }
    }

    /// Starts catching SIGINT.
    public func start() {
        signal(SIGINT, SIG_IGN)
        let s = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        s.setEventHandler { [weak self] in self?.requestStop() }
        s.resume()
        source = s
    }

    /// Restores the default SIGINT behaviour.
    public func stop() {
        source?.cancel()
        source = nil
        signal(SIGINT, SIG_DFL)
    }
}
