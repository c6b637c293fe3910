import Foundation
import MuseCore
import XCTest

/// OpenBLAS's thread count is one process-wide setting with one owner.
final class BLASThreadsTests: XCTestCase {
    /// Sections that overlap in every order leave the count as it was; inside any section it is 1.
    /// (A save/set/restore per caller fails this: the last to finish restores "1".)
    func testOverlappingSingleThreadedSectionsRestoreTheCount() {
        let before = BLASThreads.current
        BLASThreads.set(2)
        defer { BLASThreads.set(before) }
        let group = DispatchGroup()
        let lock = NSLock()
        var seenInside: Set<Int> = []
        for k in 0..<16 {
            group.enter()
            Thread.detachNewThread {
                BLASThreads.singleThreaded {
                    Thread.sleep(forTimeInterval: 0.002 * Double(k % 5))
                    lock.lock(); seenInside.insert(BLASThreads.current); lock.unlock()
                }
                group.leave()
            }
        }
        group.wait()
        XCTAssertEqual(seenInside, [1])
        XCTAssertEqual(BLASThreads.current, 2)
        BLASThreads.singleThreaded(if: false) { XCTAssertEqual(BLASThreads.current, 2) }
    }
}
