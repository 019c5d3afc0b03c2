import Foundation
import Testing
@testable import SimKernel

/// Sample moments of `n` draws.
func moments(_ d: some Distribution, n: Int, seed: UInt64) -> Tally {
    var rng = RandomStreams(seed: seed).stream("test.distribution")
    var t = Tally()
    for _ in 0..<n { t.add(d.sample(&rng)) }
    return t
}

/// Expects the sample mean and variance within z = 5 standard errors of the closed forms:
/// SE(mean) = σ/√n and SE(s²) ≈ √((μ₄ − σ⁴)/n), μ₄ the fourth central moment. The
/// tolerance comes from the sample size and the distribution, not from trial and error.
func expectMoments(_ d: some Distribution, fourthCentralMoment mu4: Double, n: Int = 200_000, seed: UInt64 = 1,
                   sourceLocation: SourceLocation = #_sourceLocation) {
    let t = moments(d, n: n, seed: seed)
    let sigma2 = d.variance
    let meanTolerance = 5 * (sigma2 / Double(n)).squareRoot()
    let varianceTolerance = 5 * ((mu4 - sigma2 * sigma2) / Double(n)).squareRoot()
    #expect(abs(t.mean - d.mean) <= meanTolerance, "mean \(t.mean) vs \(d.mean) ± \(meanTolerance)",
            sourceLocation: sourceLocation)
    #expect(abs(t.variance - sigma2) <= varianceTolerance, "variance \(t.variance) vs \(sigma2) ± \(varianceTolerance)",
            sourceLocation: sourceLocation)
}

/// Fourth central moment from raw moments E[X], E[X²], E[X³], E[X⁴].
func centralFourth(_ m1: Double, _ m2: Double, _ m3: Double, _ m4: Double) -> Double {
    m4 - 4 * m1 * m3 + 6 * m1 * m1 * m2 - 3 * m1 * m1 * m1 * m1
}

/// Expects the sample p-quantile of `n` draws within 5 standard errors of the true one,
/// SE = √(p(1−p)/n) / f(x_p) for density f (the asymptotic law of order statistics).
func expectQuantile(_ d: some Distribution, p: Double, truth: Double, density: Double, n: Int = 200_000,
                    sourceLocation: SourceLocation = #_sourceLocation) {
    var rng = RandomStreams(seed: 3).stream("test.quantile")
    var xs = (0..<n).map { _ in d.sample(&rng) }
    xs.sort()
    let sample = xs[Int(p * Double(n - 1))]
    let tolerance = 5 * (p * (1 - p) / Double(n)).squareRoot() / density
    #expect(abs(sample - truth) <= tolerance, "q\(p): \(sample) vs \(truth) ± \(tolerance)", sourceLocation: sourceLocation)
}

@Suite struct DistributionTests {
    @Test func constantIsConstant() throws {
        let c = try Constant(2.5)
        let t = moments(c, n: 1_000, seed: 1)
        #expect(t.min == 2.5 && t.max == 2.5 && t.variance == 0)
    }

    @Test func uniform() throws {
        let d = try Uniform(lower: -2, upper: 6)
        expectMoments(d, fourthCentralMoment: pow(8, 4) / 80)
        let t = moments(d, n: 10_000, seed: 2)
        #expect(t.min >= -2 && t.max < 6)
    }

    @Test func exponential() throws {
        let d = try Exponential(rate: 4)
        expectMoments(d, fourthCentralMoment: 9 / pow(4, 4))
        expectQuantile(d, p: 0.95, truth: d.quantile(0.95), density: 4 * exp(-4 * d.quantile(0.95)))
        #expect(try Exponential(mean: 0.25) == d)
    }

    @Test func normal() throws {
        let d = try Normal(mean: 10, standardDeviation: 3)
        expectMoments(d, fourthCentralMoment: 3 * pow(3, 4))
        let z = 10 + 3 * standardNormalZ95
        expectQuantile(d, p: 0.95, truth: z, density: exp(-0.5 * standardNormalZ95 * standardNormalZ95) / (3 * (2 * Double.pi).squareRoot()))
        #expect(abs(d.cdf(z) - 0.95) < 1e-12)
    }

    @Test func logNormalByMuSigma() throws {
        let d = try LogNormal(mu: 0.5, sigma: 0.4)
        expectMoments(d, fourthCentralMoment: centralFourth(d.rawMoment(1), d.rawMoment(2), d.rawMoment(3), d.rawMoment(4)))
    }

    /// Operators specify latency as "median 120 ms, p95 300 ms"; both must come back.
    @Test func logNormalByMedianAndP95() throws {
        let d = try LogNormal(median: 120, p95: 300)
        #expect(abs(d.median - 120) < 1e-9)
        #expect(abs(d.p95 - 300) < 1e-9)
        func density(_ x: Double) -> Double {
            let z = (log(x) - d.mu) / d.sigma
            return exp(-0.5 * z * z) / (x * d.sigma * (2 * Double.pi).squareRoot())
        }
        expectQuantile(d, p: 0.5, truth: 120, density: density(120))
        expectQuantile(d, p: 0.95, truth: 300, density: density(300))
        expectMoments(d, fourthCentralMoment: centralFourth(d.rawMoment(1), d.rawMoment(2), d.rawMoment(3), d.rawMoment(4)))
    }

    @Test func paretoMomentsWhereTheyExist() throws {
        let (xm, a) = (2.0, 5.0)
        let d = try Pareto(scale: xm, shape: a)
        func raw(_ k: Double) -> Double { a * pow(xm, k) / (a - k) }
        expectMoments(d, fourthCentralMoment: centralFourth(raw(1), raw(2), raw(3), raw(4)), n: 400_000)
    }

    /// A heavy tail (α = 1.5: finite mean, infinite variance) is tested by its quantiles.
    @Test func paretoHeavyTailQuantiles() throws {
        let d = try Pareto(scale: 1, shape: 1.5)
        #expect(d.variance == .infinity)
        for p in [0.5, 0.95, 0.99] {
            let x = d.quantile(p)
            expectQuantile(d, p: p, truth: x, density: 1.5 / pow(x, 2.5))
        }
        #expect(try Pareto(scale: 1, shape: 0.9).mean == .infinity)
    }

    @Test func bernoulli() throws {
        let p = 0.03
        let d = try Bernoulli(p: p)
        expectMoments(d, fourthCentralMoment: p * (1 - p) * (1 - 3 * p + 3 * p * p))
    }

    @Test func weightedChoiceFrequenciesFollowWeights() throws {
        let w = try WeightedChoice(weights: [5, 0, 1, 3, 1])
        var rng = RandomStreams(seed: 4).stream("test.choice")
        let n = 100_000
        var counts = [Int](repeating: 0, count: 5)
        for _ in 0..<n { counts[w.pick(&rng)] += 1 }
        #expect(counts[1] == 0)
        for i in 0..<5 {
            let p = w.probability(i)
            #expect(abs(Double(counts[i]) / Double(n) - p) <= 5 * (p * (1 - p) / Double(n)).squareRoot())
        }
    }

    @Test func empiricalSamplesOnlyItsValuesUniformly() throws {
        let values = [1.0, 2, 2, 10]
        let d = try Empirical(values: values)
        let m = d.mean
        let mu4 = values.map { pow($0 - m, 4) }.reduce(0, +) / 4
        expectMoments(d, fourthCentralMoment: mu4)
        var rng = RandomStreams(seed: 6).stream("test.empirical")
        for _ in 0..<1_000 { #expect(values.contains(d.sample(&rng))) }
    }

    @Test func invalidParametersAreRejectedWithTheirName() {
        #expect(throws: DistributionError(parameter: "rate", expected: "a finite number > 0", found: -1)) {
            try Exponential(rate: -1)
        }
        #expect(throws: DistributionError.self) { try Uniform(lower: 3, upper: 1) }
        #expect(throws: DistributionError.self) { try LogNormal(median: 100, p95: 50) }
        #expect(throws: DistributionError.self) { try Bernoulli(p: 1.5) }
        #expect(throws: DistributionError.self) { try WeightedChoice(weights: [0, 0]) }
        #expect(throws: DistributionError.self) { try WeightedChoice(weights: [1, .nan]) }
        #expect(throws: DistributionError.self) { try Pareto(scale: 0, shape: 2) }
        #expect(throws: DistributionError.self) { try Empirical(values: []) }
        #expect(throws: DistributionError.self) { try Normal(mean: 0, standardDeviation: -1) }
        #expect(throws: DistributionError.self) { try Constant(.infinity) }
    }

    /// Every sampler draws a fixed number of values per sample, which keeps variants of a
    /// scenario in lock-step on shared streams (common random numbers).
    @Test func samplersUseAFixedNumberOfDraws() throws {
        let cases: [(any Distribution, Int)] = [
            (try Constant(1), 0), (try Uniform(lower: 0, upper: 1), 1), (try Exponential(rate: 1), 1),
            (try Normal(mean: 0, standardDeviation: 1), 1), (try LogNormal(mu: 0, sigma: 1), 1),
            (try Pareto(scale: 1, shape: 2), 1), (try Bernoulli(p: 0.5), 1),
        ]
        for (d, draws) in cases {
            var a = Xoshiro256StarStar(seed: 11), b = Xoshiro256StarStar(seed: 11)
            for _ in 0..<100 { _ = d.sample(&a) }
            for _ in 0..<(100 * draws) { _ = b.next() }
            #expect(a.next() == b.next(), "\(type(of: d)) should use \(draws) draws per sample")
        }
    }
}
