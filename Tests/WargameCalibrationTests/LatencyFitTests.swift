import Foundation
import SimKernel
import Testing
@testable import WargameCalibration

/// Draws n values of `d` from a fixed stream.
func draws(_ d: LatencyDistribution, _ n: Int, seed: UInt64) -> [Double] {
    var rng = RandomStreams(seed: seed).stream("test.draws")
    return (0..<n).map { _ in d.sample(&rng) }
}

/// Bucket counts of `values` at `bounds` (Prometheus `le` buckets) and the overflow.
func bucketed(_ values: [Double], _ bounds: [Double]) -> Observations {
    var h = BucketHistogram(bounds: bounds)
    values.forEach { h.add($0) }
    return .binned(bounds: bounds, counts: h.counts, overflow: h.overflow)
}

let latencyBounds: [Double] = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.75,
                               1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10, 15, 30]

@Suite struct LatencyFitTests {
    /// The ack latency of the default akash: median 300 ms, p95 1,100 ms.
    static let akash = LatencyDistribution(.lognormal, [log(0.3), log(1.1 / 0.3) / NormalQuantile.of(0.95)])

    @Test func rawLognormalRecoversItsParametersWithinFourStandardErrors() throws {
        let n = 20_000, d = Self.akash
        let fit = try #require(LatencyFit.fit(.lognormal, .raw(draws(d, n, seed: 1))))
        let sigma = d.parameters[1]
        #expect(abs(fit.distribution.parameters[0] - d.parameters[0]) < 4 * sigma / Double(n).squareRoot())
        #expect(abs(fit.distribution.parameters[1] - sigma) < 4 * sigma / Double(2 * n).squareRoot())
    }

    /// Every family's MLE from raw samples, against the asymptotic standard error of its
    /// shape: exponential λ/√n; gamma √(k / n(kψ′(k) − 1)); Weibull √(6/π²)·k/√n.
    static let familyCases: [(LatencyDistribution, Double)] = {
        let n = 20_000.0
        let gammaSE: Double = (2 / (n * (2 * Special.trigamma(2) - 1))).squareRoot()
        let weibullSE: Double = (6 / (Double.pi * Double.pi)).squareRoot() * 1.5 / n.squareRoot()
        return [(LatencyDistribution(.exponential, [4]), 4 / n.squareRoot()),
                (LatencyDistribution(.gamma, [2, 0.1]), gammaSE),
                (LatencyDistribution(.weibull, [1.5, 0.3]), weibullSE)]
    }()

    @Test(arguments: familyCases)
    func rawFitsRecoverEachFamily(_ truth: LatencyDistribution, _ standardError: Double) throws {
        let fit = try #require(LatencyFit.fit(truth.family, .raw(draws(truth, 20_000, seed: 2))))
        #expect(abs(fit.distribution.parameters[0] - truth.parameters[0]) < 4 * standardError, "\(fit.distribution.description)")
    }

    /// Bucket counts are interval-censored data: the grouped MLE agrees with the raw one to
    /// within the grouped fit's own standard error (it loses a little information).
    @Test func binnedFitAgreesWithTheRawFit() throws {
        let values = draws(Self.akash, 20_000, seed: 3)
        let raw = try #require(LatencyFit.fit(.lognormal, .raw(values)))
        guard case .binned(let b, let c, let o) = bucketed(values, latencyBounds) else { return }
        let binned = try #require(LatencyFit.fit(.lognormal, .binned(bounds: b, counts: c, overflow: o)))
        let est = try #require(LognormalEstimate(binned: binned.distribution, bounds: b, counts: c, overflow: o))
        #expect(abs(binned.distribution.parameters[0] - raw.distribution.parameters[0]) < 3 * est.varMu.squareRoot())
        #expect(abs(binned.distribution.parameters[1] - raw.distribution.parameters[1]) < 3 * est.varSigma.squareRoot())
        // Grouping loses information, never gains it.
        let rawEst = LognormalEstimate(raw: raw.distribution, n: values.count)
        #expect(est.varMu >= rawEst.varMu * 0.99)
    }

    /// The 95 % intervals of the median and p95 cover the truth at about their nominal rate:
    /// over 200 samples the count covered is Binomial(200, 0.95), so 181…199 holds with
    /// probability above 0.99 (±3 standard deviations of 3.1).
    @Test(arguments: [false, true])
    func intervalsCoverAtTheirNominalRate(binned: Bool) throws {
        let d = Self.akash
        var medianCovered = 0, p95Covered = 0
        for seed in 0..<200 as Range<UInt64> {
            let values = draws(d, 400, seed: 1_000 + seed)
            let est: LognormalEstimate
            if binned {
                guard case .binned(let b, let c, let o) = bucketed(values, latencyBounds) else { return }
                let fit = try #require(LatencyFit.fit(.lognormal, .binned(bounds: b, counts: c, overflow: o)))
                est = try #require(LognormalEstimate(binned: fit.distribution, bounds: b, counts: c, overflow: o))
            } else {
                est = LognormalEstimate(raw: try #require(LatencyFit.fit(.lognormal, .raw(values))).distribution, n: values.count)
            }
            if est.median.contains(0.3) { medianCovered += 1 }
            if est.p95.contains(1.1) { p95Covered += 1 }
        }
        #expect((181...199).contains(medianCovered), "median covered \(medianCovered)/200")
        #expect((181...199).contains(p95Covered), "p95 covered \(p95Covered)/200")
    }

    /// AIC names the generating family among the four, by more than 2 (Burnham & Anderson's
    /// "substantial support"), for the three two-parameter families. Exponential data fit
    /// the nested gamma and Weibull (shape 1) as well, less one parameter's penalty; the
    /// exponential must be within 2 of the best (the likelihood-ratio statistic below 4: a
    /// 95.5 % event, at this fixed seed).
    @Test(arguments: LatencyFamily.allCases)
    func aicPicksTheGeneratingFamily(_ family: LatencyFamily) throws {
        let truth: LatencyDistribution = switch family {
        case .lognormal: Self.akash
        case .gamma: LatencyDistribution(.gamma, [2, 0.15])
        case .weibull: LatencyDistribution(.weibull, [1.5, 0.3])
        case .exponential: LatencyDistribution(.exponential, [4])
        }
        let values = draws(truth, 5_000, seed: 4)
        let ranked = LatencyFamily.allCases.compactMap { LatencyFit.fit($0, .raw(values)) }.sorted { $0.aic < $1.aic }
        #expect(ranked.count == 4)
        let own = try #require(ranked.first { $0.distribution.family == family })
        if family == .exponential {
            #expect(own.aic - ranked[0].aic < 2)
        } else {
            #expect(ranked[0].distribution.family == family)
            #expect(ranked[1].aic - ranked[0].aic > 2, "\(ranked.map { ($0.distribution.family, $0.aic) })")
        }
    }

    @Test func degenerateDataGiveNoFit() {
        #expect(LatencyFit.fit(.lognormal, .raw([0.3])) == nil)
        #expect(LatencyFit.fit(.lognormal, .raw([0.3, 0.3, 0.3])) == nil)
        #expect(LatencyFit.fit(.gamma, .raw([0.3, -1])) == nil)
        #expect(LatencyFit.fit(.lognormal, .binned(bounds: [0.1, 0.2], counts: [0, 40], overflow: 0)) == nil)
    }
}
