import Foundation
import MuseCore
import MuseImage
import XCTest

final class ImageGridTests: XCTestCase {
    /// make_grid's geometry: cols·(w + gutter) + gutter across, rows·(h + gutter) + gutter down.
    func testGridSizeAndPlacementFollowMakeGrid() throws {
        let a = Image(width: 3, height: 2, layout: .grey, filledWith: 10)
        let b = Image(width: 3, height: 2, layout: .grey, filledWith: 20)
        let c = Image(width: 3, height: 2, layout: .grey, filledWith: 30)
        let grid = try ImageGrid.compose([a, b, c], rows: 2, columns: 2)
        XCTAssertEqual([grid.width, grid.height], [2 * 5 + 2, 2 * 4 + 2])
        XCTAssertEqual(grid.sample(x: 0, y: 0), 255)  // gutter
        XCTAssertEqual(grid.sample(x: 2, y: 2), 10)  // first cell's top-left
        XCTAssertEqual(grid.sample(x: 4, y: 3), 10)  // first cell's bottom-right
        XCTAssertEqual(grid.sample(x: 5, y: 2), 255)  // gutter between columns
        XCTAssertEqual(grid.sample(x: 7, y: 2), 20)  // second cell
        XCTAssertEqual(grid.sample(x: 2, y: 6), 30)  // third cell, second row
        XCTAssertEqual(grid.sample(x: 7, y: 6), 255)  // the empty fourth cell keeps the gutter colour
    }

    func testTensorGridWritesAReadablePNG() throws {
        var rng = SplitMix64(seed: 1)
        let batch = Tensor.uniform([6, 1, 28, 28], low: -1, high: 1, using: &rng)
        let path = try temporaryFolder().appendingPathComponent("grid.png").path
        try ImageGrid.write(tensor: batch, rows: 2, columns: 3, to: path)
        let back = try PNGFile.read(path: path)
        XCTAssertEqual([back.width, back.height, back.layout.channels], [3 * 30 + 2, 2 * 30 + 2, 1])
        // Image 4 (row 1, column 1), pixel (5, 7).
        let expected = UInt16(((batch.scalars[4 * 784 + 7 * 28 + 5] + 1) * 127.5).rounded())
        XCTAssertEqual(back.sample(x: 2 + 30 + 5, y: 2 + 30 + 7), expected)
    }

    func testMixedSizesAndOverfullGridsAreRefused() {
        let small = Image(width: 2, height: 2, layout: .grey, filledWith: 0)
        let big = Image(width: 3, height: 2, layout: .grey, filledWith: 0)
        XCTAssertNotNil(imageError(try ImageGrid.compose([small, big], rows: 1, columns: 2)))
        XCTAssertNotNil(imageError(try ImageGrid.compose([small, small, small], rows: 1, columns: 2)))
        XCTAssertNotNil(imageError(try ImageGrid.compose([], rows: 1, columns: 1)))
    }
}
