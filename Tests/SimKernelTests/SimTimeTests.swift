import Testing
@testable import SimKernel

@Suite struct SimTimeTests {
    @Test func constructorsAgree() {
        #expect(SimDuration.milliseconds(1) == .microseconds(1_000))
        #expect(SimDuration.seconds(1) == .milliseconds(1_000))
        #expect(SimDuration.minutes(1) == .seconds(60))
        #expect(SimDuration.hours(1) == .minutes(60))
        #expect(SimDuration(seconds: 1.5) == .milliseconds(1_500))
        #expect(SimDuration(milliseconds: 0.25) == .microseconds(250))
    }

    @Test func arithmeticKeepsInstantsAndDurationsApart() {
        let t = SimTime.zero + .seconds(90)
        #expect(t - .seconds(30) == .zero + .minutes(1))
        #expect((t - SimTime.zero) == .seconds(90))
        #expect(SimDuration.seconds(2) * 3 == .seconds(6))
        #expect(t.seconds == 90 && SimDuration.milliseconds(1500).seconds == 1.5)
    }

    /// Rounding is to nearest, half away from zero; non-finite and huge inputs never trap.
    @Test func sampledDurationsRoundAndSaturate() {
        #expect(SimDuration(seconds: 0.0000004).microseconds == 0)
        #expect(SimDuration(seconds: 0.0000005).microseconds == 1)
        #expect(SimDuration(seconds: -0.0000015).microseconds == -2)
        #expect(SimDuration(seconds: .nan).microseconds == 0)
        #expect(SimDuration(seconds: .infinity).microseconds == .max)
        #expect(SimDuration(seconds: -1e300).microseconds == .min)
    }

    @Test func timesPrintAsClockReadings() {
        #expect(SimTime.zero.description == "00:00:00.000000")
        #expect((SimTime.zero + .hours(1) + .minutes(2) + .seconds(3) + .microseconds(456)).description == "01:02:03.000456")
        #expect((SimTime.zero + .hours(49)).description == "2d 01:00:00.000000")
        #expect(SimTime(microseconds: -1_500_000).description == "-00:00:01.500000")
    }

    @Test func durationsPrintInTheirShortestExactForm() {
        let cases: [(SimDuration, String)] = [
            (.zero, "0s"), (.microseconds(12), "12µs"), (.milliseconds(250), "250ms"),
            (.microseconds(1_234), "1.234ms"), (.milliseconds(1_500), "1.5s"), (.seconds(150), "2m30s"),
            (.hours(1), "1h"), (.hours(1) + .microseconds(1), "1h0m0.000001s"), (.minutes(-2), "-2m"),
        ]
        for (d, text) in cases { #expect(d.description == text) }
    }
}
