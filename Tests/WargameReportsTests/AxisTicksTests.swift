import Testing
import SimKernel
@testable import WargameReports

/// Axis ticks are round: 1, 2 or 5 × 10^k in the axis unit, whole numbers for counts.
@Suite struct AxisTicksTests {
    /// The cases the readers tripped over, pinned.
    @Test func theReportsAxesGetRoundTicks() {
        // A 155-minute drill's time axis: 0, 31, 62, 93, 124, 155 before.
        #expect(AxisTicks(0, 155, maximum: 9, extend: false).values == [0, 20, 40, 60, 80, 100, 120, 140])
        // An RTT axis up to 973 ms: 0, 195, 389, 584 before.
        let rtt = AxisTicks(0, 973 * 1.05, maximum: 6)
        #expect(rtt.values == [0, 200, 400, 600, 800, 1_000, 1_200] || rtt.values == [0, 500, 1_000, 1_500])
        #expect(AxisTicks(0, 973, maximum: 6).values == [0, 200, 400, 600, 800, 1_000])
        // A count of open breakers: 0.44, 0.88, 1.32 before.
        #expect(AxisTicks(0, 2.2, maximum: 6, integer: true).values == [0, 1, 2, 3])
        #expect(AxisTicks(0, 1, maximum: 6, integer: true).values == [0, 1])
        // A ratio.
        let ratio = AxisTicks(0, 1, maximum: 6)
        #expect(ratio.values == [0, 0.2, 0.4, 0.6, 0.8, 1])
        #expect(ratio.values.map(ratio.label) == ["0.0", "0.2", "0.4", "0.6", "0.8", "1.0"])
        // A day in hours, an hour in minutes.
        #expect(AxisTicks(0, 24, maximum: 9, extend: false).values == [0, 5, 10, 15, 20])
        #expect(AxisTicks(0, 60, maximum: 9, extend: false).values == [0, 10, 20, 30, 40, 50, 60])
        // Small and negative ranges, and a constant.
        #expect(AxisTicks(0.031, 0.049, maximum: 9).values == [0.030, 0.035, 0.040, 0.045, 0.050])
        #expect(AxisTicks(-0.33, 0.33, maximum: 9).values == [-0.4, -0.3, -0.2, -0.1, 0, 0.1, 0.2, 0.3, 0.4])
        let constant = AxisTicks(5, 5, maximum: 6)
        #expect(constant.low < 5 && constant.high > 5)
    }

    @Test func runLengthsChooseTheirTimeUnit() {
        #expect(TimeAxis(runSeconds: 3_600).unit == "minutes")
        #expect(TimeAxis(runSeconds: 3 * 3_600).unit == "minutes")
        #expect(TimeAxis(runSeconds: 86_400).unit == "hours")
        #expect(TimeAxis(runSeconds: 10 * 86_400).unit == "days")
        #expect(TimeAxis(runSeconds: 86_400).value(43_200) == 12)
    }

    /// Over thousands of random ranges: every step is 1, 2 or 5 × 10^k, ticks are its
    /// multiples and at most `maximum`, an extended axis covers the range, and whole-number
    /// axes never step below 1.
    @Test(arguments: [1, 2, 3, 4])
    func ticksAreRoundForAnyRange(seed: UInt64) {
        var rng = Xoshiro256StarStar(seed: seed)
        for _ in 0..<2_000 {
            let scale = Double.pow10(Int(rng.next() % 13) - 6)
            var a = (rng.nextDouble() * 2 - 1) * scale, b = (rng.nextDouble() * 2 - 1) * scale
            if a > b { swap(&a, &b) }
            let maximum = 2 + Int(rng.next() % 10), integer = rng.next() % 4 == 0, extend = rng.next() % 2 == 0
            let t = AxisTicks(a, b, maximum: maximum, integer: integer, extend: extend)
            var m = t.step
            while m >= 10 { m /= 10 }
            while m < 1 - 1e-9 { m *= 10 }
            #expect([1, 2, 5].contains { abs(m - Double($0)) < 1e-6 }, "step \(t.step) for \(a)…\(b)")
            // An extended axis across zero needs −s, 0 and s: three ticks at the fewest.
            let fewest = extend && a < 0 && b > 0 ? max(maximum, 3) : maximum
            #expect(t.values.count <= fewest, "\(t.values.count) ticks for \(a)…\(b), at most \(fewest)")
            #expect(t.step.isFinite && t.low.isFinite && t.high.isFinite)
            if integer { #expect(t.step >= 1) }
            for v in t.values {
                let k = v / t.step
                #expect(abs(k - k.rounded()) < 1e-6, "\(v) is not a multiple of \(t.step)")
            }
            if extend && b - a > 1e-9 * max(1, abs(a), abs(b)) { #expect(t.low <= a + 1e-12 && t.high >= b - 1e-12) }
        }
    }
}
