import CFFTW
import Foundation
@testable import MuseDSP
import XCTest

/// FFTW's planner is process-global: separate `FFTPlanCache`s planning on many threads at once
/// must each get working plans (run under ThreadSanitizer by `make sanitize`).
final class FFTPlanningConcurrencyTests: XCTestCase {
    func testSeparateCachesPlanningOnManyThreadsGetCorrectPlans() {
        let sizes = [16, 24, 32, 48, 64, 96, 128, 256]
        let failures = NSLock()
        var wrong: [String] = []
        DispatchQueue.concurrentPerform(iterations: 16) { thread in
            let cache = FFTPlanCache(plannerFlags: UInt32(FFTW_ESTIMATE))
            for size in sizes.shuffled() {
                let plan = cache.plan(size: size)
                let input = FFTScratch(count: size), output = FFTScratch(count: size + 2)
                input.pointer[1] = 1  // impulse at sample 1 → X[k] = exp(−2πik/N)
                plan.forward(input.pointer, output.pointer)
                for k in 0...(size / 2) {
                    let angle = -2 * Double.pi * Double(k) / Double(size)
                    if abs(Double(output.pointer[2 * k]) - cos(angle)) > 1e-5 || abs(Double(output.pointer[2 * k + 1]) - sin(angle)) > 1e-5 {
                        failures.lock(); wrong.append("thread \(thread) size \(size) bin \(k)"); failures.unlock()
                        break
                    }
                }
            }
        }
        XCTAssertEqual(wrong, [])
    }

    func testOneSharedCacheHandsEveryThreadTheSamePlan() {
        let cache = FFTPlanCache(plannerFlags: UInt32(FFTW_ESTIMATE))
        let lock = NSLock()
        var plans: [ObjectIdentifier] = []
        DispatchQueue.concurrentPerform(iterations: 32) { _ in
            let plan = cache.plan(size: 512)
            lock.lock(); plans.append(ObjectIdentifier(plan)); lock.unlock()
        }
        XCTAssertEqual(Set(plans).count, 1)
    }
}
