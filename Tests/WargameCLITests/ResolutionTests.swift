import Foundation
import Testing
import WargameReports
@testable import WargameCLI

/// Figures carry no more digits than they resolve, and differences smaller than the
/// resolution are said to be so rather than printed as zeros.
@Suite struct ResolutionTests {
    @Test func aLatencyIsPrintedWithTheDecimalsItsBucketResolves() {
        let k = KPI.bridgeRTTP95
        #expect(k.decimals(at: 6.504) == 3 && RunReport.format(k, 6.504) == "6.504")        // exact below 65.536 ms
        #expect(k.decimals(at: 268.3411) == 2 && RunReport.format(k, 268.3411) == "268.34")  // 8 µs buckets
        #expect(k.decimals(at: 700) == 1 && k.decimals(at: 5_000) == 0)
        #expect(KPI.fillRateP50.decimals(at: 0.5) == 4 && KPI.failoversPer5mMax.decimals(at: 12) == 0)
        #expect(k.resolution(at: 268.3411) == 0.008 && k.belowResolution(0.007, at: 268) && !k.belowResolution(0.009, at: 268))
        // merge accepts what a run writes: 0 to 3 decimals for latencies, exactly 4 for ratios.
        for cell in ["268.34", "6.504", "700.5", "5012"] { #expect(SweepTable.problem(column: k.rawValue, cell: cell) == nil, "\(cell)") }
        #expect(SweepTable.problem(column: k.rawValue, cell: "268.3411") != nil)
        #expect(SweepTable.problem(column: k.rawValue, cell: "268.") != nil)
        #expect(SweepTable.problem(column: KPI.fillRateP50.rawValue, cell: "0.85") != nil)
    }

    /// A scenario compared with itself differs by nothing: every KPI says so.
    @Test func compareSaysWhenADifferenceIsBelowResolution() {
        let baseline = packageRoot + "/scenarios/baseline.json"
        let r = runCLI(["compare", baseline, baseline, "--seeds", "1..3", "--steps", "10"])
        #expect(r.code == .success)
        let rows = r.out.split(separator: "\n").filter { $0.contains("_") && !$0.contains("wargame compare") }
        #expect(rows.count == KPI.allCases.count, "\(r.out)")
        #expect(rows.allSatisfy { $0.contains("below resolution (< ") }, "\(r.out)")
        #expect(!r.out.contains("0.000 … 0.000") && r.out.contains("within ± 0.0001"))
        #expect(r.out.contains("bridge_rtt_p95_ms") && r.out.contains("below resolution (< 0.00"))
    }
}
