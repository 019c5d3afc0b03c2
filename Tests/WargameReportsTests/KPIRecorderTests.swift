import Testing
import Foundation
import SimKernel
import WargameModels
@testable import WargameReports

@Suite struct KPIRecorderTests {
    /// The run-level sketches are built by merging each closed step's sketch, not by adding
    /// every value twice; they must equal one sketch fed every value, at any moment —
    /// between steps and in the middle of one (a live scrape).
    @Test func runSketchesEqualOneSketchOfEveryValue() {
        var recorder = KPIRecorder(providers: 3)
        var rtt = QuantileSketch(), decision = QuantileSketch()
        var rng = Xoshiro256StarStar(seed: 11)
        for step in 0..<40 {
            for i in 0..<(step % 7) * 9 {
                var d = Decision(time: SimTime(microseconds: Int64(step * 60_000_000 + i)), kind: .accepted, reason: .bridged)
                // Spread over five orders of magnitude, with exact repeats and zeros.
                let r = SimDuration(microseconds: i % 5 == 0 ? 0 : Int64(exp(rng.nextDouble() * 11.5)))
                let p = SimDuration(microseconds: Int64(rng.nextDouble() * 40_000))
                d.bridgeRTT = r
                d.policyDecisionTime = p
                recorder.record(d)
                rtt.add(r.milliseconds)
                decision.add(p.milliseconds)
                if i == 20 {
                    #expect(recorder.bridgeRTT == rtt, "mid-step \(step)")
                    #expect(recorder.decisionTime == decision, "mid-step \(step)")
                }
            }
            _ = recorder.closeStep(submitted: 1, openBreakers: 0)
            #expect(recorder.bridgeRTT == rtt, "after step \(step)")
            #expect(recorder.decisionTime == decision, "after step \(step)")
        }
        #expect(rtt.count > 500)
        for q in [0.0, 0.05, 0.5, 0.95, 0.99, 1.0] {
            #expect(recorder.bridgeRTT.quantile(q) == rtt.quantile(q))
        }
        recorder.endWarmup()
        #expect(recorder.bridgeRTT.count == 0 && recorder.decisionTime.count == 0)
    }
}
