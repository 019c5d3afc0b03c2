import Testing
@testable import WargameReports

@Suite struct SweepStatisticsTests {
    @Test func tQuantilesMatchTablesAndApproachTheNormal() {
        #expect(SweepStatistics.tQuantile975(degreesOfFreedom: 1) == 12.706)
        #expect(SweepStatistics.tQuantile975(degreesOfFreedom: 30) == 2.042)
        // Published values: df 40 → 2.0211, 60 → 2.0003, 120 → 1.9799.
        #expect(abs(SweepStatistics.tQuantile975(degreesOfFreedom: 40) - 2.0211) < 5e-4)
        #expect(abs(SweepStatistics.tQuantile975(degreesOfFreedom: 60) - 2.0003) < 5e-4)
        #expect(abs(SweepStatistics.tQuantile975(degreesOfFreedom: 120) - 1.9799) < 5e-4)
    }

    @Test func summaryOfKnownValues() throws {
        let s = try #require(SweepStatistics.summarize([2, 4, 4, 4, 5, 5, 7, 9]))
        #expect(s.mean == 5)
        #expect(abs(s.standardDeviation - 2.138089935) < 1e-9)
        #expect(abs((s.ciHigh - s.mean) - 2.365 * 2.138089935 / 8.0.squareRoot()) < 1e-9)
        #expect(s.p50 == 4.5 && abs(s.p5 - 2.7) < 1e-12 && abs(s.p95 - 8.3) < 1e-12)
        #expect(SweepStatistics.summarize([]) == nil)
    }

    /// Wilson 95 % intervals against published values (e.g. 8/10 → 0.4902…0.9433).
    @Test func wilsonIntervals() {
        let a = SweepStatistics.wilson(successes: 8, trials: 10)
        #expect(abs(a.low - 0.4902) < 1e-4 && abs(a.high - 0.9433) < 1e-4)
        let b = SweepStatistics.wilson(successes: 10, trials: 10)
        #expect(abs(b.low - 0.7225) < 1e-4 && b.high == 1)
        let c = SweepStatistics.wilson(successes: 0, trials: 50)
        #expect(c.low == 0 && abs(c.high - 0.0714) < 1e-4)
    }
}
