import Foundation
import SimKernel
import Testing
@testable import WargameCalibration

@Suite struct GoodnessOfFitTests {
    /// Two modes a decade apart: what a fleet of fast and slow providers behind one name
    /// looks like. No lognormal fits it.
    static func bimodal(_ n: Int, seed: UInt64) -> [Double] {
        let fast = draws(LatencyDistribution(.lognormal, [log(0.1), 0.25]), n / 2, seed: seed)
        let slow = draws(LatencyDistribution(.lognormal, [log(1.0), 0.25]), n - n / 2, seed: seed + 1)
        return fast + slow
    }

    @Test func andersonDarlingAcceptsALognormalAndRejectsABimodalSample() throws {
        var rng = RandomStreams(seed: 7).stream("test.gof")
        let good = try #require(GoodnessOfFit.andersonDarling(draws(LatencyFitTests.akash, 5_000, seed: 8), family: .lognormal, rng: &rng))
        #expect(good.pValue > 0.05, "a lognormal sample rejected: A² = \(good.statistic), p = \(good.pValue)")
        #expect(good.n == GoodnessOfFit.andersonDarlingSubsample)
        let bad = try #require(GoodnessOfFit.andersonDarling(Self.bimodal(5_000, seed: 9), family: .lognormal, rng: &rng))
        #expect(bad.pValue <= 0.01, "a bimodal sample accepted: A² = \(bad.statistic), p = \(bad.pValue)")
    }

    @Test func chiSquareOnBucketsAcceptsALognormalAndRejectsABimodalSample() throws {
        for (values, shouldFit) in [(draws(LatencyFitTests.akash, 5_000, seed: 10), true), (Self.bimodal(5_000, seed: 11), false)] {
            guard case .binned(let b, let c, let o) = bucketed(values, latencyBounds) else { return }
            let fit = try #require(LatencyFit.fit(.lognormal, .binned(bounds: b, counts: c, overflow: o)))
            let gof = try #require(GoodnessOfFit.chiSquare(bounds: b, counts: c, overflow: o, fit.distribution))
            #expect(gof.rejected != shouldFit, "χ² = \(gof.statistic) on \(gof.detail) df, p = \(gof.pValue)")
            #expect(gof.n == 5_000)
        }
    }

    /// Against its own definition: A² of a tiny sample, computed by hand.
    @Test func andersonDarlingStatisticMatchesTheFormula() {
        let d = LatencyDistribution(.exponential, [1])
        let x = [0.5, 1.0, 2.0]
        let f = x.map { 1 - exp(-$0) }
        var s = 0.0
        for i in 0..<3 { s += Double(2 * i + 1) * (log(f[i]) + log(1 - f[2 - i])) }
        #expect(abs(GoodnessOfFit.andersonDarlingStatistic(sorted: x, d) - (-3 - s / 3)) < 1e-12)
    }

    @Test func selectionSamplingKeepsOrderAndSize() {
        var rng = RandomStreams(seed: 1).stream("test.subsample")
        let values = (0..<10_000).map(Double.init)
        let s = GoodnessOfFit.subsample(values, size: 500, rng: &rng)
        #expect(s.count == 500 && zip(s, s.dropFirst()).allSatisfy { $0 < $1 })
        #expect(GoodnessOfFit.subsample([1, 2], size: 500, rng: &rng) == [1, 2])
    }
}

@Suite struct SpecialFunctionTests {
    @Test func knownValues() {
        #expect(abs(Special.digamma(1) + 0.5772156649015329) < 1e-12)
        #expect(abs(Special.trigamma(1) - Double.pi * Double.pi / 6) < 1e-12)
        for x in [0.1, 1, 3, 10] { #expect(abs(Special.gammaP(1, x) - (1 - exp(-x))) < 1e-13) }
        #expect(abs(Special.chiSquareSurvival(3.841458820694124, degreesOfFreedom: 1) - 0.05) < 1e-10)
        #expect(abs(Special.chiSquareSurvival(18.307038053275146, degreesOfFreedom: 10) - 0.05) < 1e-10)
        #expect(abs(Special.gammaP(5, 5) + Special.gammaQ(5, 5) - 1) < 1e-15)
    }

    /// Wilson intervals from Newcombe (1998), table I.
    @Test func wilsonIntervalsMatchNewcombe() throws {
        let a = try #require(wilsonInterval(successes: 81, trials: 263))
        #expect(abs(a.low - 0.2553) < 5e-5 && abs(a.high - 0.3662) < 5e-5)
        let b = try #require(wilsonInterval(successes: 0, trials: 20))
        #expect(b.low == 0 && abs(b.high - 0.1611) < 5e-5)
        #expect(wilsonInterval(successes: 3, trials: 0) == nil)
    }

    @Test func quantileInvertsTheCDFForEveryFamily() {
        for d in [LatencyFitTests.akash, LatencyDistribution(.gamma, [2, 0.15]), LatencyDistribution(.weibull, [1.5, 0.3]),
                  LatencyDistribution(.exponential, [4])] {
            for q in [0.01, 0.5, 0.95, 0.999] { #expect(abs(d.cdf(d.quantile(q)) - q) < 1e-9, "\(d.description) at \(q)") }
        }
    }
}
