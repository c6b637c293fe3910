import Foundation

/// Where tensor storage of at least `TensorMemory.minimumCachedBytes` comes from: freed blocks are
/// kept in a cache, by size, and handed to the next request of the same size.
///
/// Why: glibc serves every allocation above 32 MiB (and, before its threshold adapts, above
/// 128 KiB) with a fresh `mmap`, and unmaps it when it is freed. Each first write to a fresh page
/// is a page fault in which the kernel zeroes that page, so a training step that makes the same
/// large activations and gradients every time pays a fault every 4 KiB of them, every step. In a
/// style-transfer iteration at 384 × 384 (feature maps of 75 MB) the faults were more than half
/// the time. A training loop asks for the same sizes in the same order each step, so blocks of
/// the freed sizes are asked for again at once.
///
/// The cache holds at most `capacityBytes`; beyond it the least recently freed blocks go back to
/// the system. `MUSE_TENSOR_CACHE_MB` sets the capacity at start-up (0 turns the cache off); the
/// default is an eighth of the machine's memory, at most 2 GiB. The cache is process-wide, as
/// malloc's own arenas are: one serves every thread, behind a lock (large blocks are few, a few
/// hundred per training step, so the lock is held briefly and seldom).
public enum TensorMemory {
    /// Blocks below this go straight to malloc, whose bins reuse small blocks without faults.
    public static let minimumCachedBytes = 1 << 20
    /// Cached sizes are rounded up to this (64 KiB), so nearly equal requests share blocks.
    static let granule = 1 << 16
    /// Alignment of cached blocks: whole pages.
    static let alignment = 4096
    /// Blocks from this size (4 MiB) are aligned to `hugePageBytes` and marked for transparent
    /// huge pages (`madvise(MADV_HUGEPAGE)`; Debian's kernels give them only where asked): one
    /// fault and one TLB entry per 2 MiB instead of per 4 KiB. A style iteration went from 540 to
    /// 483 ms with it, a Transformer 4×256 training step from 820 to 738 ms.
    static let hugePageMinimumBytes = 4 << 20
    /// A transparent huge page on x86-64.
    static let hugePageBytes = 2 << 20

    /// Freed bytes held for reuse now.
    public static var cachedBytes: Int { LargeBlockCache.shared.cachedBytes }
    /// The most bytes the cache holds.
    public static var capacityBytes: Int { LargeBlockCache.shared.capacityBytes }

    /// Returns every cached block to the system (after a run, or before measuring memory).
    public static func releaseCache() { LargeBlockCache.shared.releaseAll() }

    /// The capacity from `MUSE_TENSOR_CACHE_MB` (megabytes; 0 turns caching off), else an eighth
    /// of `physicalBytes`, at most 2 GiB. A value that is not a whole number of megabytes is ignored.
    static func capacity(environment: [String: String], physicalBytes: UInt64) -> Int {
        if let text = environment["MUSE_TENSOR_CACHE_MB"], let megabytes = Int(text.trimmingCharacters(in: .whitespaces)),
           megabytes >= 0 {
            return megabytes > (Int.max >> 20) ? Int.max : megabytes << 20
        }
        return Int(Swift.min(physicalBytes / 8, 2 << 30))
    }

    /// Storage for `byteCount` bytes, 64-byte aligned (page-aligned when cached).
    static func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        if byteCount >= minimumCachedBytes { return LargeBlockCache.shared.allocate(byteCount: byteCount) }
        return UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
    }

    /// Frees what `allocate(byteCount:)` returned for the same `byteCount`.
    static func deallocate(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        if byteCount >= minimumCachedBytes { LargeBlockCache.shared.release(pointer, byteCount: byteCount) } else { pointer.deallocate() }
    }
}

/// The freed large blocks of `TensorMemory`, least recently freed first.
final class LargeBlockCache: @unchecked Sendable {
    static let shared = LargeBlockCache(capacityBytes: TensorMemory.capacity(environment: ProcessInfo.processInfo.environment,
                                                                             physicalBytes: ProcessInfo.processInfo.physicalMemory))

    /// The most bytes held.
    let capacityBytes: Int
    private let lock = NSLock()
    /// Free blocks with their rounded sizes, least recently freed first.
    private var blocks: [(bytes: Int, pointer: UnsafeMutableRawPointer)] = []
    private var held = 0

    init(capacityBytes: Int) { self.capacityBytes = capacityBytes }

    /// Bytes held now.
    var cachedBytes: Int { lock.withLock { held } }
    /// Blocks held now.
    var cachedBlocks: Int { lock.withLock { blocks.count } }

    /// `byteCount` rounded up to the granule: the size a block is kept and looked up by.
    static func rounded(_ byteCount: Int) -> Int {
        let g = TensorMemory.granule
        return (byteCount + g - 1) / g * g
    }

    /// The most recently freed block of `byteCount`'s rounded size, else a new one.
    func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        let bytes = Self.rounded(byteCount)
        let reused: UnsafeMutableRawPointer? = lock.withLock {
            guard let i = blocks.lastIndex(where: { $0.bytes == bytes }) else { return nil }
            held -= bytes
            return blocks.remove(at: i).pointer
        }
        if let reused { return reused }
        if bytes >= TensorMemory.hugePageMinimumBytes {
            let block = UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: TensorMemory.hugePageBytes)
            #if os(Linux)
            _ = madvise(block, bytes, MADV_HUGEPAGE)  // advice only: without transparent huge pages it does nothing
            #endif
            return block
        }
        return UnsafeMutableRawPointer.allocate(byteCount: bytes, alignment: TensorMemory.alignment)
    }

    /// Keeps a freed block (from `allocate` with the same `byteCount`); while the cache would hold
    /// more than its capacity, the least recently freed blocks go back to the system.
    func release(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        let bytes = Self.rounded(byteCount)
        guard bytes <= capacityBytes else { pointer.deallocate(); return }
        let evicted: [UnsafeMutableRawPointer] = lock.withLock {
            var drop = 0, freed = 0
            while held - freed + bytes > capacityBytes, drop < blocks.count {
                freed += blocks[drop].bytes
                drop += 1
            }
            let evicted = blocks[..<drop].map(\.pointer)
            blocks.removeFirst(drop)
            blocks.append((bytes, pointer))
            held += bytes - freed
            return evicted
        }
        for block in evicted { block.deallocate() }  // outside the lock: munmap takes a while
    }

    /// Returns every held block to the system.
    func releaseAll() {
        let all: [UnsafeMutableRawPointer] = lock.withLock {
            defer { blocks.removeAll(); held = 0 }
            return blocks.map(\.pointer)
        }
        for block in all { block.deallocate() }
    }
}
