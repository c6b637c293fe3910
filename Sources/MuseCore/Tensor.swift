import Foundation

/// An n-dimensional array of `Float` (float32) with reverse-mode automatic differentiation.
///
/// # MuseCore API conventions (read this before building on MuseCore)
///
/// **Layout and ownership.** A `Tensor` is a final class: a `shape` and a contiguous, row-major
/// `TensorStorage` (C order, last axis fastest, no strides, no offset). Tensors are *explicitly
/// owned, not copy-on-write*: every op returns a new tensor with fresh storage, except `reshape`
/// (and `flatten`, `squeeze`, `unsqueeze`), which returns a *view* sharing the same storage.
/// In-place mutation exists only through `withUnsafeMutableBufferPointer` and `copy(from:)`; it
/// is for optimizers, weight loading and kernels, bypasses autodiff, and is visible through every
/// view of that storage. Treat tensors as immutable values everywhere else. Rank-0 tensors
/// (shape `[]`, one element) are what full reductions and losses return; `item()` reads them.
///
/// **Errors.** Ops whose validity depends on shapes or indices (`+ - * /` between tensors,
/// `matmul`, `concat`, `reshape`, axis arguments, `gather`, …) are `throws` and throw
/// `TensorError` naming the op and both shapes; a model writes one `try` per expression:
/// `let y = try (x.matmul(w, transposeB: true) + b).relu()`. Ops that cannot fail on valid
/// tensors (unary math, `tensor * 2`) do not throw. `precondition` is used only for programmer
/// errors that no input can cause (e.g. `item()` on a non-scalar).
///
/// **Autodiff.** Set `requiresGrad = true` on leaves (parameters). Every op on a tensor that
/// requires grad records a `GradFunction` (its inputs and a backward closure written next to
/// the forward code, micrograd style). `loss.backward()` on a one-element tensor accumulates
/// (`+=`) into the `.grad` of every leaf; `zeroGrad()`/`optimizer.zeroGrad()` clear them.
/// Intermediate tensors get no `.grad`. The graph is released after `backward()` unless
/// `retainGraph: true`. Inside `noGrad { … }` (a task-local flag, so it is per task/thread and
/// not global state) no graph is recorded. `detach()` returns a view cut from the graph.
///
/// **Axes** may be negative (`-1` = last). **Indices** (targets, token ids, gather indices) are
/// passed as `[Int]`, or as tensors holding integral `Float` values (exact below 2^24).
/// **Randomness** comes from a generator passed `inout` (`SplitMix64`, state `Codable`); nothing
/// in MuseCore owns hidden global random state.
///
/// **Names.** Layers follow PyTorch shapes (`[batch, seq, features]` with `batchFirst`) and
/// parameter names (`"lstm.weight_ih_l0"`), so safetensors files map 1:1 onto `torch` modules.
///
/// **Threads.** One pool of workers (`Parallel`) runs everything parallel: large matrix products
/// split into row or column blocks, each a single-threaded OpenBLAS call (the LSTM kernel gives
/// each thread a batch slice and all its small per-step products); compute-bound elementwise
/// work (exp, tanh, gelu, softmax…) above `Parallel.minimumElements` splits into one chunk per
/// thread; memory-bound
/// work (add, multiply) stays on one vectorised core. Kernels written inside MuseCore use the
/// internal helpers `map`, `zip`, `broadcastBinary`, `sumTo` and `Parallel.forEachChunk`.
///
/// **Where things are.** Ops: `Ops/Tensor+*.swift`. Autodiff: `Autodiff/Autodiff.swift` (how to
/// write an op: see `Tensor.record`). Layers (`Module`, `Layer`, `Sequential`, `Linear`,
/// `Embedding`, `LSTM` + fused kernel, `GRU`, `LayerNorm`, `Dropout`, `Activation`): `Layers/`.
/// Losses: `Losses/`. Optimizers, `clipGradientNorm`, LR schedules: `Optimizers/`. Files
/// (`SafeTensors`, `NPY`, `Checkpoint`, `AtomicFile`): `IO/`. `SplitMix64`,
/// `sampleCategorical`: `Random/`. Test helpers (`assertClose`, `checkGradients`): the
/// `_MuseTestSupport` target.
public final class Tensor {
    /// Dimensions, outermost first; `[]` for a scalar.
    public let shape: [Int]
    /// The contiguous row-major buffer (shared by reshape views).
    public let storage: TensorStorage
    /// Whether gradients flow to this tensor: set on leaves (parameters); ops propagate it.
    public var requiresGrad: Bool
    /// The accumulated gradient of the last `backward()` calls (leaves only); same shape as `self`.
    public var grad: Tensor?
    /// The op that produced this tensor and how to differentiate it; `nil` for leaves.
    public internal(set) var gradFunction: GradFunction?

    /// Wraps existing storage (no copy). `shape`'s element count must equal `storage.count`.
    public init(shape: [Int], storage: TensorStorage, requiresGrad: Bool = false) {
        precondition(shape.reduce(1, *) == storage.count, "Tensor: shape \(shape) does not fit \(storage.count) elements")
        self.shape = shape
        self.storage = storage
        self.requiresGrad = requiresGrad
    }

    /// A tensor with uninitialised contents (every element must be written by the caller).
    @usableFromInline
    internal convenience init(uninitializedShape shape: [Int]) {
        self.init(shape: shape, storage: TensorStorage(uninitializedCount: shape.reduce(1, *)))
    }

    /// A tensor holding `scalars` in row-major order.
    /// - Throws: `TensorError.invalidShape` if `shape` has a negative dimension or its element
    ///   count differs from `scalars.count`.
    public convenience init(_ scalars: [Float], shape: [Int], requiresGrad: Bool = false) throws {
        try Tensor.validate(shape: shape, op: "Tensor.init")
        guard shape.reduce(1, *) == scalars.count else {
            throw TensorError.invalidShape(op: "Tensor.init", shape: shape,
                                           reason: "holds \(shape.reduce(1, *)) elements, given \(scalars.count)")
        }
        self.init(shape: shape, storage: TensorStorage(copying: scalars), requiresGrad: requiresGrad)
    }

    /// A rank-1 tensor of shape `[scalars.count]`.
    public convenience init(_ scalars: [Float], requiresGrad: Bool = false) {
        self.init(shape: [scalars.count], storage: TensorStorage(copying: scalars), requiresGrad: requiresGrad)
    }

    /// A rank-0 tensor (shape `[]`) holding `value`.
    public convenience init(scalar value: Float, requiresGrad: Bool = false) {
        self.init(shape: [], storage: TensorStorage(copying: [value]), requiresGrad: requiresGrad)
    }

    // MARK: - Properties

    /// Number of elements (product of `shape`; 1 for a scalar).
    @inlinable public var count: Int { storage.count }
    /// Number of dimensions.
    @inlinable public var rank: Int { shape.count }
    /// The elements in row-major order (a copy).
    public var scalars: [Float] { Array(UnsafeBufferPointer(start: storage.pointer, count: storage.count)) }

    /// The single element of a one-element tensor (programmer error otherwise).
    public func item() -> Float {
        precondition(count == 1, "item(): tensor of shape \(shape) has \(count) elements")
        return storage.pointer[0]
    }

    /// Calls `body` with the elements, row-major. Read-only.
    @inlinable
    public func withUnsafeBufferPointer<R>(_ body: (UnsafeBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// Calls `body` with the elements for in-place mutation. Bypasses autodiff and is visible in
    /// every view sharing this storage: for optimizers, weight loading and kernels only.
    @inlinable
    public func withUnsafeMutableBufferPointer<R>(_ body: (UnsafeMutableBufferPointer<Float>) throws -> R) rethrows -> R {
        try body(UnsafeMutableBufferPointer(start: storage.pointer, count: storage.count))
    }

    /// Overwrites this tensor's elements with `source`'s (in place, no autodiff).
    /// - Throws: `TensorError.shapeMismatch` if the shapes differ.
    public func copy(from source: Tensor) throws {
        guard source.shape == shape else { throw TensorError.shapeMismatch(op: "copy", lhs: shape, rhs: source.shape) }
        storage.pointer.update(from: source.storage.pointer, count: count)
    }

    /// Overwrites this tensor's elements with `scalars` (in place, no autodiff); the count must
    /// match (programmer error otherwise).
    public func copy(fromScalars scalars: [Float]) {
        precondition(scalars.count == count, "copy(fromScalars:): \(scalars.count) values for shape \(shape)")
        scalars.withUnsafeBufferPointer { if let b = $0.baseAddress { storage.pointer.update(from: b, count: count) } }
    }

    /// A copy with its own storage, outside the graph.
    public func clone() -> Tensor {
        let out = Tensor(uninitializedShape: shape)
        out.storage.pointer.update(from: storage.pointer, count: count)
        return out
    }

    // MARK: - Creation

    /// A tensor of zeros.
    public static func zeros(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(shape, 0, requiresGrad: requiresGrad)
    }

    /// A tensor of ones.
    public static func ones(_ shape: [Int], requiresGrad: Bool = false) -> Tensor {
        full(shape, 1, requiresGrad: requiresGrad)
    }

    /// A tensor with every element `value`. Negative dimensions are a programmer error.
    public static func full(_ shape: [Int], _ value: Float, requiresGrad: Bool = false) -> Tensor {
        precondition(shape.allSatisfy { $0 >= 0 }, "full: negative dimension in \(shape)")
        let t = Tensor(uninitializedShape: shape)
        t.storage.pointer.initialize(repeating: value, count: t.count)
        t.requiresGrad = requiresGrad
        return t
    }

    /// A zero tensor with `other`'s shape.
    public static func zeros(like other: Tensor) -> Tensor { zeros(other.shape) }

    /// `[start, start + step, …]` up to but excluding `end` (as `torch.arange`), rank 1.
    public static func arange(_ start: Float = 0, _ end: Float, step: Float = 1) -> Tensor {
        precondition(step != 0, "arange: step must not be 0")
        let n = Swift.max(0, Int((Double(end - start) / Double(step)).rounded(.up)))
        let t = Tensor(uninitializedShape: [n])
        for i in 0..<n { t.storage.pointer[i] = start + Float(i) * step }
        return t
    }

    /// Samples from N(`mean`, `standardDeviation`²) drawn from `generator`.
    public static func randn<G: RandomNumberGenerator>(_ shape: [Int], mean: Float = 0, standardDeviation: Float = 1,
                                                       using generator: inout G) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        let p = t.storage.pointer
        for i in 0..<t.count { p[i] = mean + standardDeviation * generator.nextGaussian() }
        return t
    }

    /// Samples from U[`low`, `high`) drawn from `generator`.
    public static func uniform<G: RandomNumberGenerator>(_ shape: [Int], low: Float = 0, high: Float = 1,
                                                         using generator: inout G) -> Tensor {
        let t = Tensor(uninitializedShape: shape)
        let p = t.storage.pointer
        for i in 0..<t.count { p[i] = low + (high - low) * generator.nextUnitFloat() }
        return t
    }

    // MARK: - Helpers

    /// Throws if any dimension is negative.
    static func validate(shape: [Int], op: String) throws {
        guard shape.allSatisfy({ $0 >= 0 }) else {
            throw TensorError.invalidShape(op: op, shape: shape, reason: "negative dimension")
        }
    }

    /// Resolves a possibly negative `axis` for a tensor of `rank` dimensions.
    static func normalize(axis: Int, rank: Int, op: String) throws -> Int {
        let a = axis < 0 ? axis + rank : axis
        guard a >= 0 && a < rank else { throw TensorError.invalidAxis(op: op, axis: axis, rank: rank) }
        return a
    }
}

extension Tensor: @unchecked Sendable {}

extension Tensor: CustomStringConvertible {
    /// `Tensor([2, 3], [1.0, 2.0, …])` showing at most 8 elements.
    public var description: String {
        let shown = scalars.prefix(8).map { String($0) }.joined(separator: ", ")
        return "Tensor(\(shape), [\(shown)\(count > 8 ? ", …" : "")])"
    }
}

/// Contiguous float32 storage owned by one or more tensors (reshape views share it).
/// Allocated 64-byte aligned; freed when the last tensor using it goes away (large blocks to
/// `TensorMemory`'s cache, for the next tensor of their size).
public final class TensorStorage: @unchecked Sendable {
    /// Number of `Float` elements.
    public let count: Int
    /// The first element; valid for `count` elements while this object lives.
    public let pointer: UnsafeMutablePointer<Float>

    /// Storage whose contents are undefined until written.
    public init(uninitializedCount count: Int) {
        precondition(count >= 0, "TensorStorage: negative count")
        self.count = count
        let raw = TensorMemory.allocate(byteCount: Self.byteCount(count))
        pointer = raw.bindMemory(to: Float.self, capacity: max(count, 1))
    }

    /// Bytes of storage for `count` floats (at least one).
    static func byteCount(_ count: Int) -> Int { max(count, 1) * MemoryLayout<Float>.stride }

    /// Storage holding a copy of `values`.
    public convenience init(copying values: [Float]) {
        self.init(uninitializedCount: values.count)
        values.withUnsafeBufferPointer { src in
            if let base = src.baseAddress { pointer.update(from: base, count: values.count) }
        }
    }

    deinit { TensorMemory.deallocate(UnsafeMutableRawPointer(pointer), byteCount: Self.byteCount(count)) }
}
