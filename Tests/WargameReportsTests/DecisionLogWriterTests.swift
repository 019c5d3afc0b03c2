import Foundation
import Testing
import SimKernel
import WargameModels
@testable import WargameReports

/// The decision logs are formatted on a thread of their own (`DecisionLogWriter`); the
/// files must be exactly what formatting each decision inline writes.
@Suite struct DecisionLogWriterTests {
    /// Varied decisions: every kind and reason, optional fields present and absent, and
    /// times spread over steps and past a warm-up.
    static func decisions(_ n: Int, seed: UInt64) -> [Decision] {
        var rng = Xoshiro256StarStar(seed: seed)
        let kinds = DecisionKind.allCases, reasons = Reason.allCases, states = BreakerState.allCases
        var time: Int64 = 0
        return (0..<n).map { i in
            time += Int64(rng.next() % 50_000)
            var d = Decision(time: SimTime(microseconds: time), kind: kinds[i % kinds.count],
                             reason: reasons[Int(rng.next() % UInt64(reasons.count))])
            d.orderID = rng.next() % 7 == 0 ? -1 : Int64(i)
            d.tenant = Int(rng.next() % 50)
            d.region = Int(rng.next() % 3) - 1
            d.gpuHours = rng.nextDouble() * 4
            d.provider = Int(rng.next() % 8) - 1
            d.attempt = Int(rng.next() % 4)
            if rng.next() % 2 == 0 { d.bridgeRTT = .microseconds(Int64(rng.next() % 3_000_000)) }
            if rng.next() % 2 == 0 { d.policyDecisionTime = .microseconds(Int64(rng.next() % 20_000)) }
            if rng.next() % 2 == 0 { d.pricePerGPUHour = rng.nextDouble() * 3 }
            if rng.next() % 3 == 0 { d.breakerState = states[Int(rng.next() % UInt64(states.count))] }
            return d
        }
    }

    func logs(_ outputs: OutputSet) throws -> [DecisionLog] {
        try [(DecisionLog.Layout.routing, "routing.csv"), (.events, "events.csv")].map { layout, name in
            try DecisionLog(file: try outputs.open(name), layout: layout, stepLength: .seconds(60),
                            regions: ["us-east", "eu-west"], providers: ["akash", "flux", "vast", "aethir", "golem", "io", "render"],
                            warmup: .seconds(600))
        }
    }

    func contents(_ dir: String) throws -> [Data] {
        try ["routing.csv", "events.csv"].map { try Data(contentsOf: URL(fileURLWithPath: dir + "/" + $0)) }
    }

    @Test func filesAreByteIdenticalToInlineFormatting() throws {
        // Several full batches and a partial one, so hand-offs and the final flush both count.
        let all = Self.decisions(3 * DecisionLogWriter.batchSize + 123, seed: 5)
        let (threaded, inline) = (temporaryDirectory(), temporaryDirectory())

        let a = try OutputSet(directory: threaded)
        let writer = DecisionLogWriter(try logs(a))
        for d in all { writer.record(d) }
        #expect(writer.finish() == nil)
        _ = try a.commitAll()

        let b = try OutputSet(directory: inline)
        var direct = try logs(b)
        for d in all { for i in direct.indices { direct[i].record(d) } }
        for i in direct.indices { direct[i].flush() }
        _ = try b.commitAll()

        let (x, y) = (try contents(threaded), try contents(inline))
        #expect(x == y)
        // Both logs got rows: the routing log only outcomes, the events log every decision.
        #expect(direct[1].rows == all.count)
        #expect(direct[0].rows > 0 && direct[0].rows < all.count)
        #expect(x[1].count > x[0].count)
    }

    @Test func finishingTwiceWritesNothingMore() throws {
        let dir = temporaryDirectory()
        let outputs = try OutputSet(directory: dir)
        let writer = DecisionLogWriter(try logs(outputs))
        for d in Self.decisions(DecisionLogWriter.batchSize + 1, seed: 9) { writer.record(d) }
        #expect(writer.finish() == nil)
        #expect(writer.finish() == nil)
        _ = try outputs.commitAll()
        let lines = try contents(dir)[1].split(separator: UInt8(ascii: "\n")).count
        #expect(lines == DecisionLogWriter.batchSize + 2)  // the header and every decision, once
    }

    /// A failed run drops its writer unfinished and aborts its outputs: dropping waits for
    /// the batches in flight, so the abort leaves nothing behind.
    @Test func droppingAnUnfinishedWriterWaitsAndAbortLeavesNoFiles() throws {
        let dir = temporaryDirectory()
        let outputs = try OutputSet(directory: dir)
        do {
            let writer = DecisionLogWriter(try logs(outputs))
            for d in Self.decisions(2 * DecisionLogWriter.batchSize + 7, seed: 3) { writer.record(d) }
        }
        outputs.abortAll()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }
}
