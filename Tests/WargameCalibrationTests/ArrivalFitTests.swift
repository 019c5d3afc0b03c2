import Foundation
import SimKernel
import Testing
@testable import WargameCalibration

@Suite struct ArrivalFitTests {
    /// Poisson counts per minute of the model's diurnal rate, by inversion (means ≤ 200).
    static func counts(rate r: Double, amplitude: Double, peak: Double, days: Double, seed: UInt64) -> ArrivalCounts {
        var rng = RandomStreams(seed: seed).stream("test.arrivals")
        let minutes = Int(days * 1_440)
        let starts = (0..<minutes).map { Double($0) * 60 }
        let counts = starts.map { s -> Int in
            let h = (s + 30) / 3_600
            let mu = 60 * r * (1 + amplitude * cos(2 * Double.pi * (h - peak) / 24))
            var k = 0, p = exp(-mu), cdf = p
            let u = rng.nextDouble()
            while u > cdf && k < 10_000 { k += 1; p *= mu / Double(k); cdf += p }
            return k
        }
        return ArrivalCounts(starts: starts, length: 60, counts: counts)
    }

    @Test func twoDaysIdentifyRateAmplitudeAndPeak() throws {
        let fit = try #require(ArrivalFit.fit(Self.counts(rate: 1.2, amplitude: 0.3, peak: 14, days: 2, seed: 1), baseShape: (0, 14)))
        let amplitude = try #require(fit.amplitude), peak = try #require(fit.peakHour)
        #expect(fit.rate.contains(1.2), "rate \(fit.rate)")
        #expect(amplitude.contains(0.3), "amplitude \(amplitude)")
        #expect(peak.contains(14), "peak \(peak)")
        // About 207,000 arrivals: the rate's interval is about ±0.4 %.
        #expect(fit.rate.high - fit.rate.low < 0.02)
        #expect(try #require(fit.gof).pValue > 0.01)
    }

    /// Less than a day: only the rate, under the base scenario's shape.
    @Test func aShortWindowFitsTheRateUnderTheBaseShape() throws {
        let data = Self.counts(rate: 2, amplitude: 0.4, peak: 10, days: 0.25, seed: 2)
        let fit = try #require(ArrivalFit.fit(data, baseShape: (0.4, 10)))
        #expect(fit.amplitude == nil && fit.peakHour == nil)
        #expect(fit.rate.contains(2), "rate \(fit.rate)")
        // Ignoring the shape would be wrong: 0:00–6:00 is the trough of a 10:00 peak.
        let naive = Double(data.counts.reduce(0, +)) / data.window
        #expect(!fit.rate.contains(naive))
    }

    /// The rate's, amplitude's and peak hour's 95 % intervals each cover the truth in
    /// 181…199 of 200 windows (see `LatencyFitTests.intervalsCoverAtTheirNominalRate`).
    @Test func rateIntervalsCoverAtTheirNominalRate() throws {
        var covered = 0, amplitudeCovered = 0, peakCovered = 0
        for seed in 0..<200 as Range<UInt64> {
            let fit = try #require(ArrivalFit.fit(Self.counts(rate: 0.5, amplitude: 0.5, peak: 20, days: 1, seed: 100 + seed), baseShape: (0, 14)))
            if fit.rate.contains(0.5) { covered += 1 }
            if try #require(fit.amplitude).contains(0.5) { amplitudeCovered += 1 }
            if try #require(fit.peakHour).contains(20) { peakCovered += 1 }
        }
        #expect((181...199).contains(covered), "rate covered \(covered)/200")
        #expect((181...199).contains(amplitudeCovered), "amplitude covered \(amplitudeCovered)/200")
        #expect((181...199).contains(peakCovered), "peak hour covered \(peakCovered)/200")
    }

    /// Over-dispersed counts (bursts of 5 orders at once) fail the dispersion test.
    @Test func burstyCountsFailTheDispersionTest() throws {
        var data = Self.counts(rate: 0.3, amplitude: 0, peak: 14, days: 1, seed: 3)
        data.counts = data.counts.map { $0 * 5 }
        let fit = try #require(ArrivalFit.fit(data, baseShape: (0, 14)))
        #expect(try #require(fit.gof).pValue < 0.001)
    }
}
