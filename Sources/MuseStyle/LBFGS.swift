import Foundation

/// Limited-memory BFGS with a strong-Wolfe line search, minimising a function of a `Float` vector
/// given its value and gradient (as `torch.optim.LBFGS(line_search_fn="strong_wolfe")`).
///
/// Each iteration forms the search direction by the two-loop recursion over the last
/// `historySize` pairs (sₖ = xₖ₊₁ − xₖ, yₖ = gₖ₊₁ − gₖ, kept only when yₖ·sₖ > 1e-10) with the
/// initial inverse Hessian γ = sᵀy / yᵀy, then finds a step t satisfying the strong Wolfe
/// conditions f(x + td) ≤ f + c₁·t·gᵀd and |g(x + td)ᵀd| ≤ c₂·|gᵀd| by bracketing and zooming
/// with safeguarded cubic interpolation (Nocedal and Wright, algorithms 3.5 and 3.6). The first
/// trial step is min(1, 1/‖g‖₁) on the first iteration and 1 afterwards. Dot products accumulate
/// in `Double`.
public struct LBFGS: Sendable {
    /// Correction pairs kept (m).
    public var historySize: Int
    /// Function evaluations allowed in one line search.
    public var maximumLineSearchEvaluations: Int
    /// Stop when the largest gradient component falls to this.
    public var gradientTolerance: Double
    /// Stop when a step or the change of the value falls below this.
    public var changeTolerance: Double
    /// Sufficient-decrease constant c₁.
    public var c1: Double
    /// Curvature constant c₂.
    public var c2: Double

    /// PyTorch's defaults: m = 10 (100 in torch; 10 is the usual choice), 25 evaluations per line
    /// search, tolerances 1e-7 and 1e-9, c₁ = 1e-4, c₂ = 0.9.
    public init(historySize: Int = 10, maximumLineSearchEvaluations: Int = 25, gradientTolerance: Double = 1e-7,
                changeTolerance: Double = 1e-9, c1: Double = 1e-4, c2: Double = 0.9) {
        self.historySize = historySize
        self.maximumLineSearchEvaluations = maximumLineSearchEvaluations
        self.gradientTolerance = gradientTolerance
        self.changeTolerance = changeTolerance
        self.c1 = c1
        self.c2 = c2
    }

    /// The value and gradient of the function at a point.
    public typealias Evaluation = (value: Double, gradient: [Float])

    /// What one finished iteration reached.
    public struct Iteration: Sendable {
        /// 1-based iteration number.
        public var index: Int
        /// Function value after the iteration's line search.
        public var value: Double
        /// Largest absolute gradient component there.
        public var gradientMaximum: Double
        /// Step length t accepted by the line search.
        public var step: Double
        /// Function evaluations so far, all iterations together.
        public var evaluations: Int
    }

    /// Why and where the minimisation stopped.
    public struct Result: Sendable {
        /// The last accepted point.
        public var x: [Float]
        /// The function value there.
        public var value: Double
        /// Iterations run.
        public var iterations: Int
        /// Function evaluations made.
        public var evaluations: Int
        /// `true` when a tolerance (not the iteration budget or the callback) ended the run.
        public var converged: Bool
    }

    /// Minimises `function` from `start` for at most `iterations` iterations.
    /// - Parameters:
    ///   - onIteration: called after every iteration; return `false` to stop.
    /// - Throws: `StyleError.invalidArgument` for a gradient of the wrong length,
    ///   `.nonFinite` for a NaN or infinite first value, and whatever `function` throws.
    public func minimize(_ start: [Float], iterations: Int, function: ([Float]) throws -> Evaluation,
                         onIteration: (Iteration) throws -> Bool = { _ in true }) throws -> Result {
        let n = start.count
        var evaluations = 0
        func evaluate(_ point: [Float]) throws -> Evaluation {
            let e = try function(point)
            evaluations += 1
            guard e.gradient.count == n else {
                throw StyleError.invalidArgument(name: "gradient length", value: "\(e.gradient.count)", reason: "must equal the point's \(n)")
            }
            return e
        }
        var x = start
        var (f, g) = try evaluate(x)
        guard f.isFinite else { throw StyleError.nonFinite(what: "loss", iteration: 0) }
        if LBFGS.maxAbs(g) <= gradientTolerance {
            return Result(x: x, value: f, iterations: 0, evaluations: evaluations, converged: true)
        }
        var sHistory: [[Float]] = [], yHistory: [[Float]] = [], rhoHistory: [Double] = []
        var d = [Float](repeating: 0, count: n), previousG = g, t = 1.0, hDiag = 1.0
        var converged = false, done = 0
        for iteration in 1...max(iterations, 1) where iterations > 0 {
            if iteration == 1 {
                for i in 0..<n { d[i] = -g[i] }
            } else {
                // Curvature pair from the last step.
                var y = [Float](repeating: 0, count: n), s = [Float](repeating: 0, count: n)
                for i in 0..<n { y[i] = g[i] - previousG[i]; s[i] = Float(t) * d[i] }
                let ys = LBFGS.dot(y, s)
                if ys > 1e-10 {
                    if sHistory.count == historySize { sHistory.removeFirst(); yHistory.removeFirst(); rhoHistory.removeFirst() }
                    sHistory.append(s); yHistory.append(y); rhoHistory.append(1 / ys)
                    hDiag = ys / LBFGS.dot(y, y)
                }
                d = twoLoop(gradient: g, s: sHistory, y: yHistory, rho: rhoHistory, hDiag: hDiag)
            }
            previousG = g
            let previousF = f
            t = iteration == 1 ? min(1, 1 / LBFGS.sumAbs(g)) : 1
            let gtd = LBFGS.dot(g, d)
            if gtd > -changeTolerance { converged = true; break }
            let search = try lineSearch(x: x, t: t, d: d, f: f, g: g, gtd: gtd, evaluate: evaluate)
            for i in 0..<n { x[i] += Float(search.t) * d[i] }
            (f, g, t) = (search.f, search.g, search.t)
            guard f.isFinite else { throw StyleError.nonFinite(what: "loss", iteration: iteration) }
            done = iteration
            let report = Iteration(index: iteration, value: f, gradientMaximum: LBFGS.maxAbs(g), step: t, evaluations: evaluations)
            if try !onIteration(report) { break }
            if report.gradientMaximum <= gradientTolerance { converged = true; break }
            if LBFGS.maxAbs(d) * abs(t) <= changeTolerance { converged = true; break }
            if abs(f - previousF) < changeTolerance { converged = true; break }
        }
        return Result(x: x, value: f, iterations: done, evaluations: evaluations, converged: converged)
    }

    /// −H·g by the two-loop recursion (newest pair last in the arrays).
    func twoLoop(gradient g: [Float], s: [[Float]], y: [[Float]], rho: [Double], hDiag: Double) -> [Float] {
        let n = g.count, m = s.count
        var q = g.map { -Double($0) }
        var alpha = [Double](repeating: 0, count: m)
        for i in stride(from: m - 1, through: 0, by: -1) {
            var a = 0.0
            s[i].withUnsafeBufferPointer { sp in for k in 0..<n { a += Double(sp[k]) * q[k] } }
            a *= rho[i]
            alpha[i] = a
            y[i].withUnsafeBufferPointer { yp in for k in 0..<n { q[k] -= a * Double(yp[k]) } }
        }
        for k in 0..<n { q[k] *= hDiag }
        for i in 0..<m {
            var b = 0.0
            y[i].withUnsafeBufferPointer { yp in for k in 0..<n { b += Double(yp[k]) * q[k] } }
            b *= rho[i]
            let c = alpha[i] - b
            s[i].withUnsafeBufferPointer { sp in for k in 0..<n { q[k] += c * Double(sp[k]) } }
        }
        return q.map { Float($0) }
    }

    /// One trial point of the line search.
    struct Point {
        var t: Double, f: Double, g: [Float], gtd: Double
    }

    /// Strong-Wolfe line search from `x` along `d` (bracketing, then zoom).
    func lineSearch(x: [Float], t startT: Double, d: [Float], f: Double, g: [Float], gtd: Double,
                    evaluate: ([Float]) throws -> Evaluation) throws -> (t: Double, f: Double, g: [Float]) {
        let n = x.count
        let dNorm = LBFGS.maxAbs(d)
        var trial = [Float](repeating: 0, count: n)
        var used = 0
        func at(_ t: Double) throws -> Point {
            for i in 0..<n { trial[i] = x[i] + Float(t) * d[i] }
            let e = try evaluate(trial)
            used += 1
            // A non-finite value counts as "too far": the bracket shrinks towards the start.
            let value = e.value.isFinite ? e.value : .infinity
            return Point(t: t, f: value, g: e.gradient, gtd: value.isFinite ? LBFGS.dot(e.gradient, d) : 0)
        }
        var new = try at(startT)
        var previous = Point(t: 0, f: f, g: g, gtd: gtd)
        var bracket: [Point] = []
        var done = false
        // Bracketing phase.
        while true {
            if new.f > f + c1 * new.t * gtd || (used > 1 && new.f >= previous.f) {
                bracket = [previous, new]; break
            }
            if abs(new.gtd) <= -c2 * gtd { bracket = [new]; done = true; break }
            if new.gtd >= 0 { bracket = [previous, new]; break }
            if used >= maximumLineSearchEvaluations { bracket = [Point(t: 0, f: f, g: g, gtd: gtd), new]; break }
            let minStep = new.t + 0.01 * (new.t - previous.t), maxStep = new.t * 10
            let nextT = LBFGS.cubicMinimum(previous.t, previous.f, previous.gtd, new.t, new.f, new.gtd, bounds: (minStep, maxStep))
            previous = new
            new = try at(nextT)
        }
        if done { return (bracket[0].t, bracket[0].f, bracket[0].g) }
        // Zoom phase.
        var insufficientProgress = false
        var (low, high) = bracket[0].f <= bracket[1].f ? (0, 1) : (1, 0)
        while !done && used < maximumLineSearchEvaluations {
            if abs(bracket[1].t - bracket[0].t) * dNorm < changeTolerance { break }
            var t = LBFGS.cubicMinimum(bracket[0].t, bracket[0].f, bracket[0].gtd, bracket[1].t, bracket[1].f, bracket[1].gtd, bounds: nil)
            let hi = max(bracket[0].t, bracket[1].t), lo = min(bracket[0].t, bracket[1].t)
            let eps = 0.1 * (hi - lo)
            if min(hi - t, t - lo) < eps {
                if insufficientProgress || t >= hi || t <= lo {
                    t = abs(t - hi) < abs(t - lo) ? hi - eps : lo + eps
                    insufficientProgress = false
                } else {
                    insufficientProgress = true
                }
            } else {
                insufficientProgress = false
            }
            let p = try at(t)
            if p.f > f + c1 * t * gtd || p.f >= bracket[low].f {
                bracket[high] = p
                (low, high) = bracket[0].f <= bracket[1].f ? (0, 1) : (1, 0)
            } else {
                if abs(p.gtd) <= -c2 * gtd {
                    done = true
                } else if p.gtd * (bracket[high].t - bracket[low].t) >= 0 {
                    bracket[high] = bracket[low]
                }
                bracket[low] = p
            }
        }
        let best = bracket[low]
        // Never move uphill: without a better point the step is zero.
        if best.f > f || best.t == 0 { return (0, f, g) }
        return (best.t, best.f, best.g)
    }

    /// Minimiser of the cubic through (x₁, f₁, g₁) and (x₂, f₂, g₂), clamped to `bounds`
    /// (default: between the two points); their midpoint when the cubic has no minimum.
    static func cubicMinimum(_ x1: Double, _ f1: Double, _ g1: Double, _ x2: Double, _ f2: Double, _ g2: Double,
                             bounds: (Double, Double)?) -> Double {
        let (lo, hi) = bounds ?? (min(x1, x2), max(x1, x2))
        guard f1.isFinite, f2.isFinite, x1 != x2 else { return (lo + hi) / 2 }
        let d1 = g1 + g2 - 3 * (f1 - f2) / (x1 - x2)
        let d2Squared = d1 * d1 - g1 * g2
        guard d2Squared >= 0 else { return (lo + hi) / 2 }
        let d2 = d2Squared.squareRoot()
        let position = x1 <= x2 ? x2 - (x2 - x1) * ((g2 + d2 - d1) / (g2 - g1 + 2 * d2))
                                : x1 - (x1 - x2) * ((g1 + d2 - d1) / (g1 - g2 + 2 * d2))
        guard position.isFinite else { return (lo + hi) / 2 }
        return min(max(position, lo), hi)
    }

    static func dot(_ a: [Float], _ b: [Float]) -> Double {
        var s = 0.0
        a.withUnsafeBufferPointer { ap in b.withUnsafeBufferPointer { bp in for i in 0..<ap.count { s += Double(ap[i]) * Double(bp[i]) } } }
        return s
    }

    static func maxAbs(_ a: [Float]) -> Double { Double(a.reduce(0) { max($0, abs($1)) }) }

    static func sumAbs(_ a: [Float]) -> Double { a.reduce(0.0) { $0 + Double(abs($1)) } }
}
