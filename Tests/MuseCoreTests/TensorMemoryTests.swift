import Foundation
@testable import MuseCore
import XCTest

/// `TensorMemory`'s cache of large freed blocks: a freed block comes back for the next request of
/// its size, least recently freed blocks go first when the cache is full, blocks from 4 MiB are
/// aligned for huge pages, a zero capacity keeps nothing, reused storage never leaks old contents into `Tensor.zeros`, and threads allocating
/// and freeing at once keep the count straight. The sanitizer runs (`make sanitize`) run these
/// under ThreadSanitizer.
final class TensorMemoryTests: XCTestCase {
    let mib = 1 << 20

    func testCapacityComesFromTheEnvironmentElseAnEighthOfMemoryAtMostTwoGiB() {
        let gib: UInt64 = 1 << 30
        XCTAssertEqual(TensorMemory.capacity(environment: [:], physicalBytes: 8 * gib), 1 << 30)
        XCTAssertEqual(TensorMemory.capacity(environment: [:], physicalBytes: 64 * gib), 2 << 30)
        XCTAssertEqual(TensorMemory.capacity(environment: ["MUSE_TENSOR_CACHE_MB": "0"], physicalBytes: 8 * gib), 0)
        XCTAssertEqual(TensorMemory.capacity(environment: ["MUSE_TENSOR_CACHE_MB": "300"], physicalBytes: 8 * gib), 300 << 20)
        // Not a whole number of megabytes: the default.
        for bad in ["-5", "1.5", "lots", ""] {
            XCTAssertEqual(TensorMemory.capacity(environment: ["MUSE_TENSOR_CACHE_MB": bad], physicalBytes: 8 * gib), 1 << 30, bad)
        }
    }

    func testSizesAreRoundedUpTo64KiB() {
        XCTAssertEqual(LargeBlockCache.rounded(mib), mib)
        XCTAssertEqual(LargeBlockCache.rounded(mib + 1), mib + 64 * 1024)
        XCTAssertEqual(LargeBlockCache.rounded(3 * mib - 7), 3 * mib)
    }

    func testAFreedBlockComesBackForTheSameSizeOnly() {
        let cache = LargeBlockCache(capacityBytes: 16 * mib)
        defer { cache.releaseAll() }
        let a = cache.allocate(byteCount: 2 * mib)
        XCTAssertEqual(Int(bitPattern: a) % TensorMemory.alignment, 0, "cached blocks are page-aligned")
        cache.release(a, byteCount: 2 * mib)
        XCTAssertEqual(cache.cachedBytes, 2 * mib)
        let other = cache.allocate(byteCount: 3 * mib)
        XCTAssertNotEqual(other, a, "another size must not take the 2 MiB block")
        XCTAssertEqual(cache.cachedBytes, 2 * mib)
        let again = cache.allocate(byteCount: 2 * mib - 100)  // rounds to the same 2 MiB
        XCTAssertEqual(again, a)
        XCTAssertEqual(cache.cachedBytes, 0)
        cache.release(again, byteCount: 2 * mib - 100)
        cache.release(other, byteCount: 3 * mib)
        XCTAssertEqual(cache.cachedBytes, 5 * mib)
        XCTAssertEqual(cache.cachedBlocks, 2)
        cache.releaseAll()
        XCTAssertEqual(cache.cachedBytes, 0)
        XCTAssertEqual(cache.cachedBlocks, 0)
    }

    func testTheLeastRecentlyFreedBlocksGoFirstWhenTheCacheIsFull() {
        let cache = LargeBlockCache(capacityBytes: 5 * mib)
        defer { cache.releaseAll() }
        let blocks = (0..<3).map { _ in cache.allocate(byteCount: 2 * mib) }
        for block in blocks { cache.release(block, byteCount: 2 * mib) }
        // Three 2 MiB blocks in 5 MiB: the first freed went back to the system.
        XCTAssertEqual(cache.cachedBytes, 4 * mib)
        XCTAssertEqual(cache.cachedBlocks, 2)
        // The most recently freed comes back first, then the one before it.
        XCTAssertEqual(cache.allocate(byteCount: 2 * mib), blocks[2])
        XCTAssertEqual(cache.allocate(byteCount: 2 * mib), blocks[1])
        XCTAssertEqual(cache.cachedBytes, 0)
        cache.release(blocks[1], byteCount: 2 * mib)
        cache.release(blocks[2], byteCount: 2 * mib)
        // A block larger than the whole cache is never kept, and evicts nothing.
        let big = cache.allocate(byteCount: 6 * mib)
        cache.release(big, byteCount: 6 * mib)
        XCTAssertEqual(cache.cachedBytes, 4 * mib)
    }

    func testBlocksOfFourMiBAndMoreAreAlignedForHugePages() {
        let cache = LargeBlockCache(capacityBytes: 0)
        for bytes in [4 * mib, 9 * mib + 5] {
            let block = cache.allocate(byteCount: bytes)
            XCTAssertEqual(Int(bitPattern: block) % TensorMemory.hugePageBytes, 0, "\(bytes) bytes")
            block.storeBytes(of: 1, toByteOffset: LargeBlockCache.rounded(bytes) - 1, as: UInt8.self)  // the whole rounded size is ours
            cache.release(block, byteCount: bytes)
        }
    }

    func testZeroCapacityKeepsNothing() {
        let cache = LargeBlockCache(capacityBytes: 0)
        let a = cache.allocate(byteCount: 2 * mib)
        cache.release(a, byteCount: 2 * mib)
        XCTAssertEqual(cache.cachedBytes, 0)
        XCTAssertEqual(cache.cachedBlocks, 0)
    }

    func testLargeTensorsReuseFreedStorageAndZerosAreStillZero() throws {
        try XCTSkipIf(TensorMemory.capacityBytes < 8 * mib, "MUSE_TENSOR_CACHE_MB turns the cache off")
        let count = 3 * mib / 4 + 123  // floats: 3 MiB and a little
        var address = 0
        do {
            let dirty = Tensor.full([count], 7)
            address = Int(bitPattern: dirty.storage.pointer)
        }
        let zeros = Tensor.zeros([count])
        XCTAssertEqual(Int(bitPattern: zeros.storage.pointer), address, "the freed block should come back")
        XCTAssertTrue(zeros.withUnsafeBufferPointer { $0.allSatisfy { $0 == 0 } })
        // Small tensors never enter the cache.
        let before = TensorMemory.cachedBytes
        do { _ = Tensor.zeros([1000]) }
        XCTAssertEqual(TensorMemory.cachedBytes, before)
    }

    func testThreadsAllocatingAndFreeingAtOnceKeepTheCountStraight() {
        let cache = LargeBlockCache(capacityBytes: 12 * mib)
        DispatchQueue.concurrentPerform(iterations: 8) { t in
            for i in 0..<200 {
                let bytes = (1 + (t + i) % 3) * mib
                let block = cache.allocate(byteCount: bytes)
                block.storeBytes(of: UInt64(t), toByteOffset: 0, as: UInt64.self)
                block.storeBytes(of: UInt64(i), toByteOffset: bytes - 8, as: UInt64.self)
                XCTAssertEqual(block.load(fromByteOffset: 0, as: UInt64.self), UInt64(t), "a block was handed to two threads")
                cache.release(block, byteCount: bytes)
            }
        }
        XCTAssertLessThanOrEqual(cache.cachedBytes, 12 * mib)
        XCTAssertGreaterThan(cache.cachedBlocks, 0)
        cache.releaseAll()
        XCTAssertEqual(cache.cachedBytes, 0)
    }
}
