import Foundation

/// One result of a job: a piece (MIDI, its WAV rendering, its piano roll) or an audio clip (WAV,
/// its spectrogram). File fields are URLs under `/api/jobs/ID/files/`.
public struct StudioResult: Codable, Equatable, Sendable {
    /// Short label (`continuation 1`, `interpolation`).
    public var title: String
    /// The MIDI file, for symbolic results.
    public var midi: String?
    /// The WAV file (SoundFont rendering, or the decoded audio).
    public var wav: String
    /// Piano roll (MIDI) or spectrogram (audio) PNG.
    public var png: String?
    /// Notes in the MIDI result.
    public var notes: Int?
    /// Length in seconds.
    public var seconds: Double
}

/// A job's state as `GET /api/jobs/ID` answers it.
public struct JobStatus: Codable, Equatable, Sendable {
    /// `queued`, `running`, `done`, `failed` or `cancelled`.
    public var state: String
    /// The job's id.
    public var id: String
    /// What it does (`continue`, `generate`, `interpolate`).
    public var kind: String
    /// 0...1.
    public var progress: Double
    /// What it is doing now, or why it failed.
    public var message: String
    /// Finished results (grows while the job runs).
    public var results: [StudioResult]
}

/// A job running in the background: progress, results and cancellation, safe to read from any
/// request while the worker writes.
public final class StudioJob: @unchecked Sendable {
    /// Its id (`j1`, `j2`, …).
    public let id: String
    /// What it does.
    public let kind: String
    /// Folder of its result files.
    public let directory: URL
    private let lock = NSLock()
    private var state = "queued"
    private var progress = 0.0
    private var message = "waiting"
    private var results: [StudioResult] = []
    private var files: Set<String> = []
    private var cancelRequested = false

    init(id: String, kind: String, directory: URL) {
        self.id = id
        self.kind = kind
        self.directory = directory
    }

    /// A snapshot of the job.
    public var status: JobStatus {
        lock.withLock { JobStatus(state: state, id: id, kind: kind, progress: progress, message: message, results: results) }
    }

    /// The job's status once it differs from now (new state, progress, message or result), or
    /// after `seconds` if nothing changed: a long poll, so a client learns of a change as it happens
    /// without asking many times a second. A finished job answers at once. Checks every 20 ms.
    public func statusAfterChange(waitingAtMost seconds: Double) async -> JobStatus {
        let first = status
        if isFinished { return first }
        let deadline = ContinuousClock.now + .milliseconds(Int(seconds * 1000))
        while ContinuousClock.now < deadline {
            let now = status
            if now != first { return now }
            try? await Task.sleep(for: .milliseconds(20))
        }
        return status
    }

    /// Whether it has stopped (done, failed or cancelled).
    public var isFinished: Bool { lock.withLock { ["done", "failed", "cancelled"].contains(state) } }

    /// Asks the job to stop at its next progress report (a queued job never starts).
    public func cancel() {
        lock.withLock {
            cancelRequested = true
            if state == "queued" { state = "cancelled"; message = "cancelled" }
        }
    }

    /// Records progress (`fraction` of 0...1) and `note`.
    /// - Throws: `StudioError.cancelled` once the job was cancelled, so the work stops there.
    public func report(_ fraction: Double, _ note: String) throws {
        try lock.withLock {
            if cancelRequested { throw StudioError.cancelled }
            progress = min(max(fraction, 0), 1)
            message = note
        }
    }

    /// Adds a finished result and the names of its files (so they can be downloaded).
    func add(_ result: StudioResult, files names: [String]) {
        lock.withLock {
            results.append(result)
            files.formUnion(names)
        }
    }

    /// The path of result file `name`, when the job wrote it.
    public func file(_ name: String) -> URL? {
        lock.withLock { files.contains(name) ? directory.appendingPathComponent(name) : nil }
    }

    /// Runs `work`, recording the outcome. Called on the worker queue.
    func run(_ work: (StudioJob) throws -> Void) {
        let go: Bool = lock.withLock {
            guard state == "queued" else { return false }
            state = "running"
            message = "starting"
            return true
        }
        guard go else { return }
        do {
            try work(self)
            lock.withLock { state = "done"; progress = 1; message = "done" }
        } catch StudioError.cancelled {
            lock.withLock { state = "cancelled"; message = "cancelled" }
        } catch {
            let text = String(describing: error)
            lock.withLock { state = "failed"; message = text }
        }
    }
}

/// The jobs of a studio: one worker runs them one at a time in submission order (the machine's
/// cores go to one model at a time), the rest wait queued.
public final class JobQueue: @unchecked Sendable {
    /// Folder holding one sub-folder of results per job.
    public let directory: URL
    private let maxJobs: Int
    private let lock = NSLock()
    private var next = 1
    private var jobs: [String: StudioJob] = [:]
    private var order: [String] = []
    private let worker = DispatchQueue(label: "muse.studio.jobs")

    /// A queue writing results under `directory`, keeping at most `maxJobs` jobs.
    public init(directory: URL, maxJobs: Int) {
        self.directory = directory
        self.maxJobs = maxJobs
    }

    /// Queues `work` as a new job of `kind`.
    /// - Throws: file errors creating its folder.
    public func submit(kind: String, _ work: @escaping (StudioJob) throws -> Void) throws -> StudioJob {
        let id: String = lock.withLock { defer { next += 1 }; return "j\(next)" }
        let folder = directory.appendingPathComponent(id)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        let job = StudioJob(id: id, kind: kind, directory: folder)
        var forgotten: [StudioJob] = []
        lock.withLock {
            jobs[id] = job
            order.append(id)
            while order.count > maxJobs, let oldest = order.first, let old = jobs[oldest], old.isFinished {
                order.removeFirst()
                jobs[oldest] = nil
                forgotten.append(old)
            }
        }
        for old in forgotten { try? FileManager.default.removeItem(at: old.directory) }
        worker.async { job.run(work) }
        return job
    }

    /// The job called `id`.
    /// - Throws: `StudioError.notFound`.
    public func job(_ id: String) throws -> StudioJob {
        guard let job = lock.withLock({ jobs[id] }) else { throw StudioError.notFound("no job '\(id)'") }
        return job
    }
}
