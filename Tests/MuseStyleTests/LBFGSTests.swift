import MuseStyle
import XCTest

/// L-BFGS with the strong-Wolfe line search on the classic test functions.
final class LBFGSTests: XCTestCase {
    /// Σ 100 (x[i+1] − x[i]²)² + (1 − x[i])² and its gradient.
    func rosenbrock(_ x: [Float]) -> LBFGS.Evaluation {
        var f = 0.0, g = [Double](repeating: 0, count: x.count)
        for i in 0..<(x.count - 1) {
            let a = Double(x[i]), b = Double(x[i + 1])
            f += 100 * (b - a * a) * (b - a * a) + (1 - a) * (1 - a)
            g[i] += -400 * a * (b - a * a) - 2 * (1 - a)
            g[i + 1] += 200 * (b - a * a)
        }
        return (f, g.map { Float($0) })
    }

    func testRosenbrockFromTheClassicStartReachesTheMinimum() throws {
        let result = try LBFGS().minimize([-1.2, 1], iterations: 200, function: rosenbrock)
        XCTAssertEqual(result.x[0], 1, accuracy: 1e-3)
        XCTAssertEqual(result.x[1], 1, accuracy: 1e-3)
        XCTAssertLessThan(result.value, 1e-6)
        // torch.optim.LBFGS(history_size=10, line_search_fn="strong_wolfe") takes 36 iterations
        // (44 evaluations); steepest descent needs thousands.
        XCTAssertLessThanOrEqual(result.iterations, 45, "\(result.iterations) iterations, \(result.evaluations) evaluations")
    }

    func testTenDimensionalRosenbrockReachesTheMinimum() throws {
        let start = (0..<10).map { $0 % 2 == 0 ? Float(-1.2) : 1 }
        let result = try LBFGS().minimize(start, iterations: 500, function: rosenbrock)
        for v in result.x { XCTAssertEqual(v, 1, accuracy: 1e-2) }
        XCTAssertLessThan(result.value, 1e-4)
    }

    func testValueNeverIncreasesBetweenIterations() throws {
        var values: [Double] = []
        _ = try LBFGS().minimize([-1.2, 1], iterations: 40, function: rosenbrock) { values.append($0.value); return true }
        XCTAssertFalse(values.isEmpty)
        for (a, b) in zip(values, values.dropFirst()) { XCTAssertLessThanOrEqual(b, a) }
    }

    func testQuadraticConvergesInAFewIterations() throws {
        // f = Σ c_i x_i², a diagonal quadratic with condition number 100.
        let c: [Double] = [1, 3, 10, 30, 100]
        let result = try LBFGS().minimize([1, 1, 1, 1, 1], iterations: 50) { x in
            (zip(c, x).reduce(0) { $0 + $1.0 * Double($1.1 * $1.1) }, zip(c, x).map { Float(2 * $0.0) * $0.1 })
        }
        XCTAssertTrue(result.converged)
        // torch.optim.LBFGS(history_size=10, line_search_fn="strong_wolfe") takes 19 here.
        XCTAssertLessThanOrEqual(result.iterations, 19)
        XCTAssertLessThan(result.value, 1e-8)
    }

    func testCallbackStopsTheRun() throws {
        let result = try LBFGS().minimize([-1.2, 1], iterations: 100, function: rosenbrock) { $0.index < 3 }
        XCTAssertEqual(result.iterations, 3)
        XCTAssertFalse(result.converged)
    }

    func testNonFiniteStartIsRefused() {
        XCTAssertThrowsError(try LBFGS().minimize([1], iterations: 5) { _ in (.nan, [0]) }) { error in
            XCTAssertEqual(error as? StyleError, .nonFinite(what: "loss", iteration: 0))
        }
    }
}
