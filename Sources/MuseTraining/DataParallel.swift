import CMPI
import Foundation
import MuseCore
#if canImport(Glibc)
import Glibc
#endif

/// Data-parallel training over Open MPI (`mpirun -np N muse train …`): every process runs the
/// same `Trainer` on its shard of each global batch (`TrainingShard`); `attach(to:)` broadcasts
/// rank 0's weights, optimizer state and training state to the others, then averages every
/// optimizer's gradients across processes in the trainer's gradient hook (`MPI_Allreduce` in
/// place, `MPI_SUM` then ÷ world size, in buckets of `bucketBytes`), and averages each step's
/// metrics and stop requests. Rank 0 alone prints, evaluates and writes checkpoints.
///
/// With `overlap` (the default) the all-reduce runs alongside back-propagation: buckets are laid
/// out over each optimizer's parameters in reverse order (the order back-propagation finishes
/// them, as PyTorch's DDP), and a bucket's non-blocking `MPI_Iallreduce` starts as soon as its last
/// gradient is final (`ReadyOrderBackward`), in bucket order on every rank; the step waits for all
/// of them before clipping and the optimizer step. `MUSE_MPI_OVERLAP=0` averages after
/// back-propagation instead (the same numbers: each value is summed over the same processes).
///
/// Each process other than rank 0 offsets the task's random states (dropout generators) by its
/// rank after the start state is broadcast, so the ranks draw different dropout masks; rank 0's
/// (saved in checkpoints) are the plain run's. Module buffers (BatchNorm running statistics,
/// which each rank updates from its own rows) are averaged over the ranks after every step.
///
/// A process that stops answering makes the others fail with one line after `timeoutSeconds`
/// (every collective polls `MPI_Test` against a deadline; MPI errors are returned, not fatal).
/// MPI is initialised only when the process was started by `mpirun` (see `fromEnvironment`).
public final class DataParallel {
    /// This process's rank and the number of processes.
    public let shard: TrainingShard
    /// Processes on this machine (`OMPI_COMM_WORLD_LOCAL_SIZE`), which share its cores.
    public let localSize: Int
    /// Size of one all-reduce bucket, bytes.
    public let bucketBytes: Int
    /// Seconds a collective may wait for the other processes before the run fails.
    public let timeoutSeconds: Double
    /// Seconds spent in gradient all-reduces so far (packing, reducing, averaging).
    public private(set) var allReduceSeconds = 0.0
    /// Gradient all-reduces done so far (one per optimizer step).
    public private(set) var allReduceCount = 0
    /// Values reduced per gradient all-reduce (the last one), floats.
    public private(set) var lastReducedValues = 0
    /// Whether buckets are all-reduced while back-propagation runs (see the type's description).
    public let overlap: Bool
    private var bucket: [Float]
    /// Bucket layouts for the overlapped all-reduce, by optimizer name.
    private var plans: [String: BucketPlan] = [:]
    /// The overlapped all-reduce of the optimizer step in progress.
    private var inFlight: OverlappedStep?
    private var finalized = false

    /// The world size `mpirun` gave this process (`OMPI_COMM_WORLD_SIZE`), or `nil` for a plain run.
    public static func launchedWorldSize(environment: [String: String] = ProcessInfo.processInfo.environment) -> Int? {
        environment["OMPI_COMM_WORLD_SIZE"].flatMap { Int($0) }
    }

    /// Initialises MPI when the process was started by `mpirun` (the environment names a world
    /// size); `nil` for a plain run, which never touches MPI. `MUSE_MPI_TIMEOUT_SECONDS` in the
    /// environment (`mpirun -x MUSE_MPI_TIMEOUT_SECONDS=60 …`) overrides `timeoutSeconds`;
    /// `MUSE_MPI_OVERLAP=0` turns the overlapped all-reduce off; `MUSE_MPI_BUCKET_BYTES` sets the
    /// bucket size.
    /// - Throws: `TrainingError.distributed` if MPI cannot be initialised or disagrees with the
    ///   environment.
    public static func fromEnvironment(environment: [String: String] = ProcessInfo.processInfo.environment,
                                       bucketBytes: Int = 4 << 20, timeoutSeconds: Double = 600) throws -> DataParallel? {
        guard let size = launchedWorldSize(environment: environment) else { return nil }
        let local = environment["OMPI_COMM_WORLD_LOCAL_SIZE"].flatMap { Int($0) } ?? size
        var timeout = timeoutSeconds
        if let text = environment["MUSE_MPI_TIMEOUT_SECONDS"] {
            guard let value = Double(text), value > 0 else {
                throw TrainingError.invalidOption("MUSE_MPI_TIMEOUT_SECONDS must be a positive number of seconds, got '\(text)'")
            }
            timeout = value
        }
        var bytes = bucketBytes
        if let text = environment["MUSE_MPI_BUCKET_BYTES"] {
            guard let value = Int(text), value >= 4 else {
                throw TrainingError.invalidOption("MUSE_MPI_BUCKET_BYTES must be a number of bytes (at least 4), got '\(text)'")
            }
            bytes = value
        }
        let overlap: Bool
        switch environment["MUSE_MPI_OVERLAP"] {
        case nil, "1": overlap = true
        case "0": overlap = false
        case let other?: throw TrainingError.invalidOption("MUSE_MPI_OVERLAP must be 0 or 1, got '\(other)'")
        }
        return try DataParallel(expectedWorldSize: size, localSize: local, bucketBytes: bytes, timeoutSeconds: timeout, overlap: overlap)
    }

    /// Initialises MPI (once per process) and reads this process's rank and the world size.
    /// - Parameters:
    ///   - expectedWorldSize: the size the launcher announced, checked against MPI's, or `nil`.
    ///   - localSize: processes sharing this machine's cores.
    ///   - bucketBytes: bytes per all-reduce bucket (at least 4).
    ///   - timeoutSeconds: how long a collective waits for the other processes.
    ///   - overlap: all-reduce buckets while back-propagation runs.
    /// - Throws: `TrainingError.distributed` naming the failed MPI call.
    public init(expectedWorldSize: Int? = nil, localSize: Int = 1, bucketBytes: Int = 4 << 20, timeoutSeconds: Double = 600,
                overlap: Bool = true) throws {
        if muse_mpi_is_initialized() == 0 {
            let code = muse_mpi_init()
            guard code == 0 else { throw TrainingError.distributed(rank: -1, worldSize: expectedWorldSize ?? -1, reason: "MPI_Init failed: \(Self.errorText(code))") }
        }
        let rank = Int(muse_mpi_rank()), size = Int(muse_mpi_size())
        guard rank >= 0, size >= 1 else { throw TrainingError.distributed(rank: rank, worldSize: size, reason: "MPI gave no rank or world size") }
        if let expectedWorldSize, expectedWorldSize != size {
            throw TrainingError.distributed(rank: rank, worldSize: size, reason: "mpirun announced \(expectedWorldSize) processes, MPI has \(size)")
        }
        shard = TrainingShard(rank: rank, worldSize: size)
        self.localSize = max(1, localSize)
        self.bucketBytes = max(4, bucketBytes)
        self.timeoutSeconds = timeoutSeconds
        self.overlap = overlap
        bucket = [Float](repeating: 0, count: self.bucketBytes / 4)
    }

    /// Threads each process should use: the machine's cores divided by the processes on it.
    public var threadsPerProcess: Int { max(1, ProcessInfo.processInfo.processorCount / localSize) }

    /// Sets the threads MuseCore's parallel work uses to `threadsPerProcess` (the processes on one
    /// machine share its cores instead of each using every core).
    public func shareCores() { Parallel.setThreadCount(threadsPerProcess) }

    /// Makes `trainer` train data-parallel: copies rank 0's weights, optimizer state, step, data
    /// generator and random states to every rank (so all start, or resume, identically), adds the
    /// gradient all-reduce hook and the per-step metrics/stop synchronisation.
    /// - Throws: `TrainingError.invalidOption` if the trainer's shard is not this process's;
    ///   `.distributed` if a collective fails or times out; an error naming the broadcast part
    ///   that does not fit this model.
    public func attach(to trainer: Trainer) throws {
        guard trainer.options.shard == shard else {
            throw TrainingError.invalidOption("the trainer's shard (\(trainer.options.shard)) is not this process's (\(shard)): set options.shard = dataParallel.shard")
        }
        try synchronizeStart(trainer)
        if !shard.isPrimary {
            trainer.task.randomStates = trainer.task.randomStates.mapValues { Self.offset($0, rank: shard.rank) }
        }
        if overlap {
            trainer.gradientReducer = OverlappedReducer(self)
        } else {
            trainer.gradientHooks.append { [unowned self] context in
                try self.averageGradients(context.parameters.map(\.tensor), step: context.step)
            }
        }
        let buffers = trainer.task.module.namedBuffers().map(\.tensor)
        trainer.stepSynchronizer = { [unowned self] metrics, stop in
            if !buffers.isEmpty, shard.worldSize > 1 { try self.averageBuffers(buffers) }
            return try self.synchronize(metrics, stopRequested: stop)
        }
    }

    /// A random state moved to a stream of its own for `rank` (SplitMix64's finaliser of the state
    /// plus the rank), so that ranks do not share dropout masks.
    static func offset(_ state: UInt64, rank: Int) -> UInt64 {
        var z = state &+ 0x9E37_79B9_7F4A_7C15 &* UInt64(rank)
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    /// Replaces every buffer (BatchNorm's running statistics) by its mean over the processes.
    /// - Throws: `TrainingError.distributed` when a collective fails or times out.
    func averageBuffers(_ buffers: [Tensor]) throws {
        let scale = 1 / Float(shard.worldSize)
        for b in buffers where b.count > 0 {
            try b.withUnsafeMutableBufferPointer { values in
                guard let base = values.baseAddress else { return }
                try wait("all-reduce of the module's buffers") { request in muse_mpi_iallreduce_sum_float(base, Int32(values.count), request) }
                for i in values.indices { values[i] *= scale }
            }
        }
    }

    /// Broadcasts rank 0's `Trainer.Snapshot` and restores it on every other rank.
    func synchronizeStart(_ trainer: Trainer) throws {
        let snapshot = shard.isPrimary ? try trainer.snapshot() : nil
        var parts = [snapshot?.weights ?? Data(), snapshot?.optimizerState ?? Data(), snapshot?.state ?? Data()]
        var lengths = parts.map { Double($0.count) }
        try wait("broadcast of the start state's sizes") { request in
            lengths.withUnsafeMutableBufferPointer { muse_mpi_iallreduce_sum_double($0.baseAddress, Int32($0.count), request) }
        }
        for i in parts.indices {
            let count = Int(lengths[i])
            if !shard.isPrimary { parts[i] = Data(count: count) }
            guard count > 0 else { continue }
            guard count <= Int(Int32.max) else {
                throw TrainingError.distributed(rank: shard.rank, worldSize: shard.worldSize, reason: "start state part of \(count) bytes is too large to broadcast")
            }
            try parts[i].withUnsafeMutableBytes { raw in
                try wait("broadcast of rank 0's start state") { request in muse_mpi_ibroadcast_bytes(raw.baseAddress, Int32(count), 0, request) }
            }
        }
        if !shard.isPrimary {
            try trainer.restore(Trainer.Snapshot(weights: parts[0], optimizerState: parts[1], state: parts[2]))
        }
    }

    /// Replaces every gradient by its mean over all processes. A gradient absent here but present
    /// on another rank becomes that mean (zeros contribute here); absent everywhere it stays `nil`.
    /// - Throws: `TrainingError.distributed` when a collective fails or times out.
    public func averageGradients(_ parameters: [Tensor], step: Int) throws {
        let started = Date()
        var present = parameters.map { $0.grad == nil ? 0.0 : 1.0 }
        try wait("all-reduce of step \(step)'s gradient list") { request in
            present.withUnsafeMutableBufferPointer { muse_mpi_iallreduce_sum_double($0.baseAddress, Int32($0.count), request) }
        }
        var grads: [Tensor] = []
        for (p, count) in zip(parameters, present) where count > 0 {
            if p.grad == nil { p.grad = try Tensor([Float](repeating: 0, count: p.count), shape: p.shape) }
            if let g = p.grad { grads.append(g) }
        }
        let scale = 1 / Float(shard.worldSize)
        let capacity = bucket.count
        var pending: [Tensor] = []
        var filled = 0
        var reduced = 0
        func flush() throws {
            guard filled > 0 else { return }
            try bucket.withUnsafeMutableBufferPointer { b in
                var offset = 0
                guard let base = b.baseAddress else { return }
                for g in pending {
                    g.withUnsafeBufferPointer { src in for i in src.indices { b[offset + i] = src[i] } }
                    offset += g.count
                }
                try reduce(base, count: filled, step: step)
                offset = 0
                for g in pending {
                    g.withUnsafeMutableBufferPointer { dst in for i in dst.indices { dst[i] = b[offset + i] * scale } }
                    offset += g.count
                }
            }
            reduced += filled
            pending.removeAll(keepingCapacity: true)
            filled = 0
        }
        for g in grads {
            if g.count > capacity {
                // Larger than a bucket: reduced where it lies, a bucket's worth at a time.
                try g.withUnsafeMutableBufferPointer { dst in
                    guard let base = dst.baseAddress else { return }
                    var start = 0
                    while start < dst.count {
                        let n = min(capacity, dst.count - start)
                        try reduce(base + start, count: n, step: step)
                        start += n
                    }
                    for i in dst.indices { dst[i] *= scale }
                }
                reduced += g.count
                continue
            }
            if filled + g.count > capacity { try flush() }
            pending.append(g)
            filled += g.count
        }
        try flush()
        lastReducedValues = reduced
        allReduceSeconds += Date().timeIntervalSince(started)
        allReduceCount += 1
    }

    /// Sums `count` floats at `values` over all processes, in place.
    private func reduce(_ values: UnsafeMutablePointer<Float>, count: Int, step: Int) throws {
        try wait("all-reduce of step \(step)'s gradients") { request in muse_mpi_iallreduce_sum_float(values, Int32(count), request) }
    }

    /// Averages a step's metrics over the processes and tells whether any process was asked to stop.
    /// - Throws: `TrainingError.distributed` when the collective fails or times out.
    public func synchronize(_ metrics: Metrics, stopRequested: Bool) throws -> (metrics: Metrics, stop: Bool) {
        var values = metrics.entries.map(\.value) + [stopRequested ? 1 : 0]
        try wait("all-reduce of a step's metrics") { request in
            values.withUnsafeMutableBufferPointer { muse_mpi_iallreduce_sum_double($0.baseAddress, Int32($0.count), request) }
        }
        var averaged = Metrics()
        for (i, entry) in metrics.entries.enumerated() { averaged[entry.name] = values[i] / Double(shard.worldSize) }
        return (averaged, values[values.count - 1] > 0)
    }

    // MARK: - Overlapped all-reduce

    /// Buckets over one optimizer's parameters: indices into its parameter list, in the reverse of
    /// that list (the order back-propagation finishes them), each up to `bucketBytes` (a larger
    /// tensor alone), and a buffer per bucket so that several can be in flight. A buffer holds the
    /// bucket's gradients, then one flag per parameter (1 where this rank has its gradient), so
    /// the sum also says which gradients exist on any rank without a collective of its own.
    final class BucketPlan {
        let parameters: [Tensor]
        let buckets: [[Int]]
        let bucketOf: [ObjectIdentifier: Int]
        var buffers: [[Float]]

        init(_ parameters: [Tensor], capacity: Int) {
            self.parameters = parameters
            var buckets: [[Int]] = [], current: [Int] = [], filled = 0
            for i in parameters.indices.reversed() {
                let n = parameters[i].count
                if !current.isEmpty, filled + n > capacity {
                    buckets.append(current)
                    current = []
                    filled = 0
                }
                current.append(i)
                filled += n
            }
            if !current.isEmpty { buckets.append(current) }
            self.buckets = buckets
            var bucketOf: [ObjectIdentifier: Int] = [:]
            for (b, members) in buckets.enumerated() { for i in members { bucketOf[ObjectIdentifier(parameters[i])] = b } }
            self.bucketOf = bucketOf
            buffers = buckets.map { [Float](repeating: 0, count: $0.reduce(0) { $0 + parameters[$1].count } + $0.count) }
        }

        /// Whether `parameters` are the ones this plan was made for.
        func fits(_ parameters: [Tensor]) -> Bool {
            parameters.count == self.parameters.count && zip(parameters, self.parameters).allSatisfy { $0 === $1 }
        }
    }

    /// One optimizer step's overlapped all-reduce: which buckets still wait for gradients and
    /// which are in flight.
    final class OverlappedStep {
        let plan: BucketPlan
        let step: Int
        var waiting: [Int]
        var launched = 0
        var requests: UnsafeMutablePointer<MPI_Request?>
        var done: [Bool]

        init(plan: BucketPlan, step: Int, waiting: [Int]) {
            (self.plan, self.step, self.waiting) = (plan, step, waiting)
            requests = .allocate(capacity: max(1, plan.buckets.count))
            requests.initialize(repeating: nil, count: max(1, plan.buckets.count))
            done = [Bool](repeating: false, count: plan.buckets.count)
        }
        deinit { requests.deallocate() }
    }

    /// Starts an optimizer step's overlapped all-reduce and back-propagates `loss`, launching each
    /// bucket's all-reduce (in bucket order) once its gradients are final.
    func overlappedBackward(_ loss: Tensor, context: GradientHookContext) throws {
        let started = Date()
        let parameters = context.parameters.map(\.tensor)
        let plan: BucketPlan
        if let cached = plans[context.optimizerName], cached.fits(parameters) {
            plan = cached
        } else {
            plan = BucketPlan(parameters, capacity: bucket.count)
            plans[context.optimizerName] = plan
        }
        let reachable = ReadyOrderBackward.reachableLeaves(from: loss)
        let waiting = plan.buckets.map { members in members.filter { reachable.contains(ObjectIdentifier(parameters[$0])) }.count }
        let current = OverlappedStep(plan: plan, step: context.step, waiting: waiting)
        inFlight = current
        try launchReady(current)
        var busy = Date().timeIntervalSince(started)
        try ReadyOrderBackward.run(loss) { leaf in
            guard let b = plan.bucketOf[ObjectIdentifier(leaf)] else { return }
            let t = Date()
            current.waiting[b] -= 1
            try launchReady(current)
            try poll(current)
            busy += Date().timeIntervalSince(t)
        }
        allReduceSeconds += busy
    }

    /// Launches the next buckets, in order, whose gradients are all final.
    private func launchReady(_ current: OverlappedStep) throws {
        while current.launched < current.plan.buckets.count, current.waiting[current.launched] <= 0 {
            try launch(current.launched, of: current)
            current.launched += 1
        }
    }

    /// Packs bucket `b`'s gradients (zeros for a missing one) and presence flags and starts summing them.
    private func launch(_ b: Int, of current: OverlappedStep) throws {
        let plan = current.plan
        try plan.buffers[b].withUnsafeMutableBufferPointer { buffer in
            var offset = 0
            for i in plan.buckets[b] {
                let p = plan.parameters[i]
                if let g = p.grad {
                    g.withUnsafeBufferPointer { src in for j in src.indices { buffer[offset + j] = src[j] } }
                } else {
                    for j in 0..<p.count { buffer[offset + j] = 0 }
                }
                offset += p.count
            }
            for (k, i) in plan.buckets[b].enumerated() { buffer[offset + k] = plan.parameters[i].grad == nil ? 0 : 1 }
            try check(muse_mpi_iallreduce_sum_float(buffer.baseAddress, Int32(buffer.count), current.requests + b),
                      "all-reduce of step \(current.step)'s gradients")
        }
    }

    /// Lets MPI progress the oldest unfinished bucket (Open MPI advances non-blocking collectives
    /// inside MPI calls).
    private func poll(_ current: OverlappedStep) throws {
        guard let b = current.done.prefix(current.launched).firstIndex(of: false) else { return }
        var flag: Int32 = 0
        try check(muse_mpi_test(current.requests + b, &flag), "all-reduce of step \(current.step)'s gradients")
        if flag != 0 { current.done[b] = true }
    }

    /// Launches what is left, waits for every bucket and writes the means into the gradients.
    func finishOverlapped(context: GradientHookContext) throws {
        guard let current = inFlight else { return }
        inFlight = nil
        let started = Date()
        for b in current.launched..<current.plan.buckets.count { try launch(b, of: current) }
        current.launched = current.plan.buckets.count
        let plan = current.plan
        let scale = 1 / Float(shard.worldSize)
        var reduced = 0
        for b in plan.buckets.indices {
            if !current.done[b] {
                let request = current.requests + b
                try wait("all-reduce of step \(current.step)'s gradients", started: request)
                current.done[b] = true
            }
            plan.buffers[b].withUnsafeBufferPointer { buffer in
                let flags = buffer.count - plan.buckets[b].count
                var offset = 0
                for (k, i) in plan.buckets[b].enumerated() {
                    let p = plan.parameters[i]
                    defer { offset += p.count }
                    guard buffer[flags + k] > 0 else { continue }  // no rank has this gradient: it stays nil
                    if p.grad == nil { p.grad = Tensor.zeros(p.shape) }
                    p.grad?.withUnsafeMutableBufferPointer { dst in for j in dst.indices { dst[j] = buffer[offset + j] * scale } }
                    reduced += p.count
                }
            }
        }
        lastReducedValues = reduced
        allReduceSeconds += Date().timeIntervalSince(started)
        allReduceCount += 1
    }

    /// The trainer's `GradientReducer` for the overlapped all-reduce.
    final class OverlappedReducer: GradientReducer {
        unowned let parallel: DataParallel
        init(_ parallel: DataParallel) { self.parallel = parallel }
        func backward(_ loss: Tensor, context: GradientHookContext) throws { try parallel.overlappedBackward(loss, context: context) }
        func finish(context: GradientHookContext) throws { try parallel.finishOverlapped(context: context) }
    }

    /// Starts a non-blocking collective and polls it to completion, failing after `timeoutSeconds`.
    private func wait(_ what: String, _ start: (UnsafeMutablePointer<MPI_Request?>) -> Int32) throws {
        var request: MPI_Request? = nil
        try check(start(&request), what)
        try wait(what, started: &request)
    }

    /// Polls a started collective to completion, failing after `timeoutSeconds`.
    private func wait(_ what: String, started request: UnsafeMutablePointer<MPI_Request?>) throws {
        let deadline = Date().addingTimeInterval(timeoutSeconds)
        var done: Int32 = 0
        var polls = 0
        while true {
            try check(muse_mpi_test(request, &done), what)
            if done != 0 { return }
            polls += 1
            if polls > 2000 {
                usleep(100)
                if polls % 256 == 0, Date() > deadline {
                    throw TrainingError.distributed(rank: shard.rank, worldSize: shard.worldSize,
                                                    reason: "\(what) got no answer within \(Int(timeoutSeconds)) s (another process stopped?)")
                }
            }
        }
    }

    private func check(_ code: Int32, _ what: String) throws {
        guard code != 0 else { return }
        throw TrainingError.distributed(rank: shard.rank, worldSize: shard.worldSize, reason: "\(what) failed: \(Self.errorText(code))")
    }

    /// MPI's text for an error code.
    static func errorText(_ code: Int32) -> String {
        var text = [CChar](repeating: 0, count: 512)
        muse_mpi_error_string(code, &text, Int32(text.count))
        return String(cString: text)
    }

    /// Ends MPI for this process (after the last collective; once).
    public func finalize() {
        guard !finalized else { return }
        finalized = true
        if muse_mpi_is_initialized() != 0, muse_mpi_is_finalized() == 0 { _ = muse_mpi_finalize() }
    }
}
