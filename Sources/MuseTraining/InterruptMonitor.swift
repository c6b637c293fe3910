import Foundation
import MuseCore

/// Turns Ctrl-C into a flag the training loop polls between steps, so the current step finishes,
/// a checkpoint is written and `Trainer.run` returns early (the CLI then exits with status 130).
/// After the first Ctrl-C the signal is handed back to its previous disposition, so a second
/// Ctrl-C ends the process at once, as users expect.
public final class InterruptMonitor: @unchecked Sendable {
    private let lock = NSLock()
    private var interrupted = false
    private var watcher: InterruptWatcher?

    /// A monitor that is not listening yet.
    public init() {}

    /// Whether Ctrl-C was pressed (or `requestStop()` called) since it was made.
    public var isInterrupted: Bool { lock.lock(); defer { lock.unlock() }; return interrupted }

    /// Asks the loop to stop after the current step (what Ctrl-C does; also for tests).
    public func requestStop() { lock.lock(); interrupted = true; lock.unlock() }

    /// Starts catching SIGINT (through MuseSupport's `InterruptWatcher`).
    public func start() {
        lock.lock(); defer { lock.unlock() }
        guard watcher == nil else { return }
        watcher = InterruptWatcher { [weak self] _ in
            guard let self else { return }
            self.requestStop()
            self.lock.lock(); let w = self.watcher; self.lock.unlock()
            w?.handOver()
        }
    }

    /// Stops catching SIGINT and restores its previous disposition.
    public func stop() {
        lock.lock(); let w = watcher; watcher = nil; lock.unlock()
        w?.cancel()
    }
}
