import Foundation
import MuseCore
#if canImport(Glibc)
import Glibc
#endif

/// Prints training progress to standard error: a one-line bar redrawn in place on a terminal
/// (step, steps/s, loss, ETA), plain lines every `plainEvery` steps otherwise (logs, CI).
public final class ProgressReporter {
    /// Whether standard error is a terminal.
    public let isTerminal: Bool
    /// Steps between plain lines when not a terminal.
    public var plainEvery: Int
    /// Disable all output (tests).
    public var isSilent: Bool
    private var started = Date()
    private var startStep = 0
    private var lastDraw = Date.distantPast

    /// - Parameter silent: print nothing.
    public init(silent: Bool = false, plainEvery: Int = 50) {
        isTerminal = isatty(STDERR_FILENO) == 1
        isSilent = silent
        self.plainEvery = plainEvery
    }

    /// Marks the first step of this process's run (resumed runs measure speed from here).
    public func begin(step: Int) { started = Date(); startStep = step }

    /// Reports a finished step with the metrics the task reported (`loss 1.2345  kl 3.2`).
    public func step(_ step: Int, of total: Int, metrics: Metrics, learningRate: Float) {
        guard !isSilent else { return }
        let elapsed = Date().timeIntervalSince(started)
        let rate = elapsed > 0 ? Double(step - startStep) / elapsed : 0
        let eta = rate > 0 ? Double(total - step) / rate : 0
        let text = String(format: "step %d/%d  %.2f steps/s  ", step, total, rate) + metrics.description
            + String(format: "  lr %.2g  ETA %@", Double(learningRate), Self.duration(eta))
        if isTerminal {
            guard Date().timeIntervalSince(lastDraw) > 0.1 || step == total else { return }
            lastDraw = Date()
            let width = 24, filled = total > 0 ? width * step / total : width
            let bar = String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
            FileHandle.standardError.write(Data("\r\u{1B}[K[\(bar)] \(text)".utf8))
        } else if step % max(1, plainEvery) == 0 || step == total {
            FileHandle.standardError.write(Data((text + "\n").utf8))
        }
    }

    /// Prints a message on its own line (after the bar, if one is drawn).
    public func message(_ text: String) {
        guard !isSilent else { return }
        FileHandle.standardError.write(Data(((isTerminal ? "\r\u{1B}[K" : "") + text + "\n").utf8))
    }

    /// `1h02m`, `3m05s`, `12s`.
    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s >= 3600 { return String(format: "%dh%02dm", s / 3600, (s % 3600) / 60) }
        if s >= 60 { return String(format: "%dm%02ds", s / 60, s % 60) }
        return "\(s)s"
    }
}
