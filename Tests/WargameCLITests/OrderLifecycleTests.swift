import Foundation
import Testing
import SimKernel
import WargameModels
import WargameReports
import WargameScenario
@testable import WargameCLI

/// Every order ends exactly once: completed, rejected, dropped before it was served,
/// interrupted after it was filled, or still in flight — never two of them.
@Suite struct OrderLifecycleTests {
    static var warGames: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: packageRoot + "/scenarios")) ?? [])
            .filter { $0.hasSuffix(".json") }.map { String($0.dropLast(5)) }.sorted()
    }

    /// The identity over every shipped war game on three seeds, in the totals, in the final
    /// states by reason that `metrics.prom` exports, and against the milestones: an order is
    /// filled at most once and ends completed or interrupted only if it was filled.
    @Test(arguments: warGames)
    func finalStatesPartitionTheOrdersSubmitted(name: String) throws {
        let s = try scenario(name)
        for seed: UInt64 in [1, 2, 3] {
            let r = try run(s, seed: seed)
            let t = r.totals
            #expect(t.submitted > 0, "\(name) seed \(seed) submitted nothing")
            #expect(t.isConserved && t.completed + t.rejected + t.dropped + t.interrupted + t.inFlight == t.submitted,
                    "\(name) seed \(seed): \(t.submitted) submitted ≠ \(t.completed) + \(t.rejected) + \(t.dropped) + \(t.interrupted) + \(t.inFlight)")
            var byReason = r.recorder.outcomes(.completed, .none)
            for kind in [DecisionKind.rejected, .dropped, .interrupted] {
                byReason += Reason.allCases.reduce(0) { $0 + r.recorder.outcomes(kind, $1) }
            }
            #expect(byReason == t.finished, "\(name) seed \(seed): final states by reason \(byReason) ≠ \(t.finished)")
            #expect(t.filled >= t.completed + t.interrupted && t.filled <= t.completed + t.interrupted + t.inFlight,
                    "\(name) seed \(seed): filled \(t.filled) vs completed \(t.completed) + interrupted \(t.interrupted) (+ \(t.inFlight) in flight)")
        }
    }

    /// In the decision log itself: each order has exactly one final-state row, and the
    /// orders whose provider failed under them are `interrupted` after a `filled` row, never
    /// `dropped`. alert-drill takes akash and flux down with jobs running on them.
    @Test func eachOrderHasOneFinalRowAndInterruptionsFollowAFill() throws {
        let dir = scratchDirectory()
        let r = runCLI(["run", packageRoot + "/scenarios/alert-drill.json", "--seed", "1", "--out", dir])
        #expect(r.code == .sloBreached)
        let rows = try #require(CSVReader.parse(String(contentsOfFile: dir + "/order_events.csv", encoding: .utf8)))
        let header = rows[0]
        let order = header.firstIndex(of: "order_id")!, decision = header.firstIndex(of: "decision")!, reason = header.firstIndex(of: "reason")!
        var finals: [String: [String]] = [:], filled: Set<String> = []
        for row in rows.dropFirst() where !row[order].isEmpty {
            switch row[decision] {
            case "filled": filled.insert(row[order])
            case "completed", "rejected", "dropped", "interrupted": finals[row[order], default: []].append(row[decision])
            default: break
            }
            if row[decision] == "interrupted" { #expect(row[reason] == "provider_outage") }
            if row[decision] == "dropped" { #expect(row[reason] != "provider_outage") }
        }
        let summary = try jsonFile(dir + "/kpi_summary.json")
        func final(_ k: String) -> Int { if case .number(let n)? = summary["totals"]?["final_states"]?[k] { n.int ?? -1 } else { -1 } }
        #expect(finals.values.allSatisfy { $0.count == 1 }, "orders with several final rows: \(finals.filter { $0.value.count > 1 }.prefix(3))")
        let interrupted = finals.filter { $0.value == ["interrupted"] }.map(\.key)
        #expect(interrupted.count == final("interrupted") && interrupted.count > 100, "interrupted \(interrupted.count)")
        #expect(interrupted.allSatisfy { filled.contains($0) })
        #expect(finals.filter { $0.value == ["dropped"] }.count == final("dropped"))
    }
}
