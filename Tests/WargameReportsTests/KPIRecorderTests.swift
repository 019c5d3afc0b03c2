import Testing
import Foundation
import SimKernel
import WargameModels
@testable import WargameReports

@Suite struct KPIRecorderTests {
    /// The run-level histograms are built from each closed step's values, not by adding
    /// every value twice; they must equal one histogram fed every value, at any moment —
    /// between steps and in the middle of one (a live scrape) — and each closed step's
    /// quantiles must be the exact order statistics of its values.
    @Test func runSketchesEqualOneSketchOfEveryValue() {
        var recorder = KPIRecorder(providers: 3)
        var rtt = LogLinearHistogram(), decision = LogLinearHistogram()
        var stepRTTs: [Int64] = []
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
                rtt.add(r.microseconds)
                decision.add(p.microseconds)
                stepRTTs.append(r.microseconds)
                if i == 20 {
                    #expect(recorder.bridgeRTT == rtt, "mid-step \(step)")
                    #expect(recorder.decisionTime == decision, "mid-step \(step)")
                }
            }
            let closed = recorder.closeStep(submitted: 1, openBreakers: 0)
            let sorted = stepRTTs.sorted()
            for q in [0.0, 0.5, 0.95, 1.0] where !sorted.isEmpty {
                #expect(closed.bridgeRTTMilliseconds(q) == Double(sorted[Int((q * Double(sorted.count - 1)).rounded(.down))]) / 1_000)
            }
            #expect(sorted.isEmpty == (closed.bridgeRTTMilliseconds(0.5) == nil))
            stepRTTs = []
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
