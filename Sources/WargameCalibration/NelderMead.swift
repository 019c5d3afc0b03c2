/// The Nelder–Mead simplex method (Nelder & Mead 1965, with the standard coefficients
/// 1, 2, ½, ½): a derivative-free maximiser for the few-parameter likelihoods of
/// interval-censored fits, where derivatives of bucket probabilities are tedious and the
/// surface is smooth. Deterministic: a fixed start simplex, a fixed iteration limit.
enum NelderMead {
    struct Optimum { let point: [Double]; let value: Double }

    /// Maximises `f` from `start`; non-finite values count as −∞. Stops when the simplex's
    /// values agree to 1e-10 (relative) or after 2,000 iterations.
    static func maximise(_ f: ([Double]) -> Double, from start: [Double], scale: Double = 0.3) -> Optimum {
        let n = start.count
        func value(_ x: [Double]) -> Double { let v = f(x); return v.isFinite ? v : -.infinity }
        var simplex = [start]
        for i in 0..<n { var p = start; p[i] += scale; simplex.append(p) }
        var values = simplex.map(value)
        for _ in 0..<2_000 {
            let order = values.indices.sorted { values[$0] > values[$1] }
            simplex = order.map { simplex[$0] }; values = order.map { values[$0] }
            let best = values[0], worst = values[n]
            if best.isFinite && abs(best - worst) <= 1e-10 * (abs(best) + 1e-10) { break }
            var centroid = [Double](repeating: 0, count: n)
            for p in simplex.dropLast() { for i in 0..<n { centroid[i] += p[i] / Double(n) } }
            func toward(_ t: Double) -> [Double] { (0..<n).map { centroid[$0] + t * (simplex[n][$0] - centroid[$0]) } }
            let reflected = toward(-1), fr = value(reflected)
            if fr > values[0] {
                let expanded = toward(-2), fe = value(expanded)
                if fe > fr { simplex[n] = expanded; values[n] = fe } else { simplex[n] = reflected; values[n] = fr }
            } else if fr > values[n - 1] {
                simplex[n] = reflected; values[n] = fr
            } else {
                let contracted = fr > values[n] ? toward(-0.5) : toward(0.5), fc = value(contracted)
                if fc > max(fr, values[n]) {
                    simplex[n] = contracted; values[n] = fc
                } else {
                    for j in 1...n {
                        simplex[j] = (0..<n).map { simplex[0][$0] + 0.5 * (simplex[j][$0] - simplex[0][$0]) }
                        values[j] = value(simplex[j])
                    }
                }
            }
        }
        let i = values.indices.max { values[$0] < values[$1] }!
        return Optimum(point: simplex[i], value: values[i])
    }
}
