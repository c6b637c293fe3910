import CMuseKernels
import Foundation
@testable import MuseCore
import XCTest

/// MuseCore's worker pool (`MuseWorkerPool`, through `Parallel`): every index of every job runs
/// exactly once, the workers take part, nested and concurrent callers run inline without
/// deadlock, sleeping workers wake, and a lowered thread count keeps work on the caller. The
/// sanitizer runs (`make sanitize`) run these under ThreadSanitizer.
final class WorkerPoolTests: XCTestCase {
    /// Runs `count` indices on `pool`, each recording the thread that ran it; returns
    /// (runs per index, distinct threads, whether the workers took part).
    private func run(_ pool: OpaquePointer?, count: Int, work: (Int) -> Void = { _ in }) -> (runs: [Int], threads: Int, shared: Bool) {
        // Each index writes only its own slots: raw buffers, so no two tasks touch one object.
        let runs = UnsafeMutableBufferPointer<Int>.allocate(capacity: max(count, 1))
        let threads = UnsafeMutableBufferPointer<UInt>.allocate(capacity: max(count, 1))
        runs.initialize(repeating: 0)
        threads.initialize(repeating: 0)
        defer { runs.deallocate(); threads.deallocate() }
        typealias Context = (runs: UnsafeMutableBufferPointer<Int>, threads: UnsafeMutableBufferPointer<UInt>, work: (Int) -> Void)
        let shared = withoutActuallyEscaping(work) { work -> Int32 in
            var context: Context = (runs, threads, work)
            return withUnsafeMutablePointer(to: &context) { pointer in
                muse_worker_pool_run(pool, count, { raw, index in
                    let context = raw!.assumingMemoryBound(to: Context.self).pointee
                    context.runs[index] += 1
                    context.threads[index] = UInt(pthread_self())
                    context.work(index)
                }, pointer)
            }
        }
        return (Array(runs.prefix(count)), Set(threads.prefix(count)).count, shared == 1)
    }

    func testEveryIndexRunsExactlyOnceOverManyJobs() throws {
        for workers in [1, 3] {
            let pool = try XCTUnwrap(muse_worker_pool_create(Int32(workers), 50_000))
            defer { muse_worker_pool_destroy(pool) }
            for job in 0..<2000 {
                let count = 2 + job % 61
                let result = run(pool, count: count)
                XCTAssertEqual(result.runs, Array(repeating: 1, count: count), "job \(job), \(workers) workers")
                XCTAssertTrue(result.shared)
            }
        }
    }

    func testTheWorkersTakePart() throws {
        let pool = try XCTUnwrap(muse_worker_pool_create(1, 1_000_000))
        defer { muse_worker_pool_destroy(pool) }
        // Long tasks: the caller cannot claim them all before the worker wakes.
        let result = run(pool, count: 8) { _ in usleep(2000) }
        XCTAssertEqual(result.runs, Array(repeating: 1, count: 8))
        XCTAssertEqual(result.threads, 2)
    }

    func testSleepingWorkersWakeForTheNextJob() throws {
        let pool = try XCTUnwrap(muse_worker_pool_create(2, 0))   // no spinning: asleep after each job
        defer { muse_worker_pool_destroy(pool) }
        var threadsSeen = 0
        for _ in 0..<20 {
            usleep(2000)
            let result = run(pool, count: 6) { _ in usleep(1000) }
            XCTAssertEqual(result.runs, Array(repeating: 1, count: 6))
            threadsSeen = max(threadsSeen, result.threads)
        }
        XCTAssertGreaterThan(threadsSeen, 1)
    }

    func testNestedJobsRunInlineOnTheirThread() throws {
        let pool = try XCTUnwrap(muse_worker_pool_create(1, 50_000))
        defer { muse_worker_pool_destroy(pool) }
        final class Nested { var counts = [[Int]](repeating: [], count: 4); var shared = [Bool](repeating: true, count: 4) }
        let nested = Nested()
        let outer = run(pool, count: 4) { i in
            let inner = self.run(pool, count: 5)
            nested.counts[i] = inner.runs
            nested.shared[i] = inner.shared
        }
        XCTAssertEqual(outer.runs, [1, 1, 1, 1])
        XCTAssertEqual(nested.counts, Array(repeating: [1, 1, 1, 1, 1], count: 4))
        XCTAssertEqual(nested.shared, [false, false, false, false], "a job inside a job runs on its own thread")
    }

    func testConcurrentCallersEachGetTheirIndices() throws {
        let pool = try XCTUnwrap(muse_worker_pool_create(2, 20_000))
        defer { muse_worker_pool_destroy(pool) }
        let failures = NSLock()
        var wrong = 0
        DispatchQueue.concurrentPerform(iterations: 8) { caller in
            for job in 0..<300 {
                let count = 2 + (caller + job) % 17
                let result = self.run(pool, count: count)
                if result.runs != Array(repeating: 1, count: count) { failures.lock(); wrong += 1; failures.unlock() }
            }
        }
        XCTAssertEqual(wrong, 0)
    }

    func testOneParticipantKeepsTheWorkOnTheCaller() throws {
        let pool = try XCTUnwrap(muse_worker_pool_create(3, 50_000))
        defer { muse_worker_pool_destroy(pool) }
        XCTAssertEqual(muse_worker_pool_participants(pool), 4)
        muse_worker_pool_set_participants(pool, 1)
        XCTAssertEqual(muse_worker_pool_participants(pool), 1)
        let alone = run(pool, count: 16) { _ in usleep(200) }
        XCTAssertFalse(alone.shared)
        XCTAssertEqual(alone.threads, 1)
        muse_worker_pool_set_participants(pool, 2)           // the caller and worker 0 only
        let two = run(pool, count: 16) { _ in usleep(1000) }
        XCTAssertEqual(two.runs, Array(repeating: 1, count: 16))
        XCTAssertLessThanOrEqual(two.threads, 2)
        muse_worker_pool_set_participants(pool, 99)          // clamped to the pool's size
        XCTAssertEqual(muse_worker_pool_participants(pool), 4)
    }

    func testNoWorkersAndEmptyJobs() throws {
        let pool = try XCTUnwrap(muse_worker_pool_create(0, 0))
        defer { muse_worker_pool_destroy(pool) }
        XCTAssertEqual(run(pool, count: 5).runs, [1, 1, 1, 1, 1])
        XCTAssertFalse(run(pool, count: 5).shared)
        XCTAssertEqual(run(pool, count: 0).runs, [])
        XCTAssertEqual(run(nil, count: 3).runs, [1, 1, 1])
    }

    /// `Parallel` over the process's pool: chunks cover the range once, inner loops nest.
    func testParallelForEachChunkCoversTheRangeOnce() {
        for count in [0, 1, 5, Parallel.minimumElements - 1, 3 * Parallel.minimumElements + 7] {
            var hits = [UInt8](repeating: 0, count: count)
            hits.withUnsafeMutableBufferPointer { hits in
                Parallel.forEachChunk(count: count) { range in
                    for i in range { hits[i] += 1 }
                    Parallel.forEachChunk(count: 4, minimumChunk: 1) { _ in }   // nested: inline
                }
            }
            XCTAssertTrue(hits.allSatisfy { $0 == 1 }, "count \(count)")
        }
    }
}
