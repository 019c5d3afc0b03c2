import Testing
import SimKernel
@testable import WargameModels

@Suite struct ProvenanceTests {
    func provenance(_ edit: (inout ProvenanceConfig) -> Void = { _ in }) -> Provenance {
        var c = ProvenanceConfig()
        c.batchSize = 3
        c.guardMinimumJobs = 3
        edit(&c)
        return Provenance(config: c, rng: Xoshiro256StarStar(seed: 4))
    }

    @Test func batchesSealBySizeOrByTimer() {
        var p = provenance()
        #expect(p.addReceipt(job: 1, at: .zero) == .startTimer)
        #expect(p.addReceipt(job: 2, at: .zero) == ReceiptEffect.none)
        #expect(p.addReceipt(job: 3, at: .zero) == .sealNow)
        let b = p.seal(at: .zero)!
        #expect(b.jobs == 3 && b.id == 0)
        #expect(p.seal(at: .zero) == nil)  // a late timer finds nothing to seal
        #expect(p.addReceipt(job: 4, at: .zero + .seconds(5)) == .startTimer)
    }
    typealias ReceiptEffect = Provenance.ReceiptEffect

    @Test func merkleRootsAreDeterministicAndOrderSensitive() {
        let leaves: [UInt64] = [1, 2, 3, 4, 5]
        #expect(Provenance.merkleRoot(leaves) == Provenance.merkleRoot(leaves))
        #expect(Provenance.merkleRoot(leaves) != Provenance.merkleRoot([2, 1, 3, 4, 5]))
        #expect(Provenance.merkleRoot([7]) == 7)
    }

    @Test func aJobIsCoveredOnlyWhenTimestampedAndPinnedBeforeTheDeadline() {
        var p = provenance()
        for j in 1...3 { _ = p.addReceipt(job: Int64(j), at: .zero) }
        let a = p.seal(at: .zero)!
        #expect(p.mark(batch: a.id, timestamped: true, at: .zero + .seconds(1)) == nil)   // not pinned yet
        #expect(p.mark(batch: a.id, timestamped: false, at: .zero + .seconds(2))?.jobs == 3)
        for j in 4...6 { _ = p.addReceipt(job: Int64(j), at: .zero) }
        let b = p.seal(at: .zero)!
        _ = p.mark(batch: b.id, timestamped: true, at: .zero + .seconds(1))
        #expect(p.expire(batch: b.id, at: .zero + .minutes(10))?.jobs == 3)          // never pinned
        #expect(p.mark(batch: b.id, timestamped: false, at: .zero + .minutes(11)) == nil)  // too late
        #expect(p.jobsCovered == 3 && p.jobsUncovered == 3 && p.coverage == 0.5)
    }

    @Test func theGuardHaltsBelowItsThresholdAndResumesWithHysteresis() {
        var p = provenance()
        var job: Int64 = 0
        func batch(covered: Bool, at t: SimTime) {
            for _ in 0..<3 { job += 1; _ = p.addReceipt(job: job, at: t) }
            let b = p.seal(at: t)!
            if covered {
                _ = p.mark(batch: b.id, timestamped: true, at: t)
                _ = p.mark(batch: b.id, timestamped: false, at: t)
            } else {
                _ = p.expire(batch: b.id, at: t)
            }
        }
        let t0 = SimTime.zero + .minutes(30)
        batch(covered: true, at: t0)
        #expect(p.updateGuard(at: t0) == nil)
        batch(covered: false, at: t0)                      // 3/6 = 0.5 < 0.8
        #expect(p.updateGuard(at: t0) == .halted && p.halted)
        for _ in 0..<6 { batch(covered: true, at: t0) }    // 21/24 = 0.875: not yet 0.90
        #expect(p.updateGuard(at: t0) == nil && p.halted)
        for _ in 0..<4 { batch(covered: true, at: t0) }    // 33/36 = 0.917
        #expect(p.updateGuard(at: t0) == .resumed && !p.halted)
        // Ten minutes later the window has moved on: nothing decided, no verdict.
        #expect(p.trailingCoverage(at: t0 + .minutes(10)) == nil)
    }

    @Test func outagesFailTriesAndTheBackupAlternates() {
        var p = provenance { c in
            c.primaryTSA.outages = [Outage(start: .zero, duration: .hours(1))]
            c.ipfsOutages = [Outage(start: .zero, duration: .minutes(5))]
        }
        let first = p.tsaTry(attempt: 1, at: .zero + .minutes(1))
        #expect(!first.success && !first.backup && first.delay == .seconds(10))
        #expect(p.tsaTry(attempt: 2, at: .zero + .minutes(1)).backup)
        p.preferBackup = true
        #expect(p.tsaTry(attempt: 1, at: .zero + .minutes(1)).backup)
        #expect(!p.ipfsTry(at: .zero + .minutes(1)).success)
    }
}

@Suite struct DemandTests {
    @Test func diurnalShapeAndSurgesScaleTheRate() {
        var c = DemandConfig()
        c.tenants = 2
        c.ordersPerSecond = 2
        c.diurnalAmplitude = 0.5
        c.peakHour = 12
        c.surges = [Surge(start: .zero + .hours(1), duration: .hours(1), multiplier: 4, tenant: 1)]
        let d = Demand(config: c, streams: RandomStreams(seed: 1))
        #expect(abs(d.rate(tenant: 0, at: .zero + .hours(12)) - 1.5) < 1e-12)  // peak: 1 × 1.5
        #expect(abs(d.rate(tenant: 0, at: .zero) - 0.5) < 1e-12)                // trough
        #expect(abs(d.rate(tenant: 1, at: .zero + .minutes(90)) / d.rate(tenant: 0, at: .zero + .minutes(90)) - 4) < 1e-12)
    }

    /// Thinning reproduces a non-homogeneous Poisson process: the count over a day has mean
    /// ∫λ(t)dt (= base rate × day for a full cosine period) and Poisson variance; checked
    /// within 5 standard deviations.
    @Test func thinningGivesTheIntegratedRate() {
        var c = DemandConfig()
        c.tenants = 1
        c.ordersPerSecond = 0.05
        c.diurnalAmplitude = 0.8
        var d = Demand(config: c, streams: RandomStreams(seed: 9))
        var t = SimTime.zero, n = 0
        let day = SimTime.zero + .hours(24)
        while let next = d.nextArrival(tenant: 0, after: t, horizon: day), next < day { n += 1; t = next }
        let expected = 0.05 * 86_400
        #expect(abs(Double(n) - expected) <= 5 * expected.squareRoot(), "\(n) arrivals vs \(expected)")
    }

    @Test func ordersCarryReplaysAndInvalidSignaturesAtTheirRates() {
        var c = DemandConfig()
        c.tenants = 1
        c.replayProbability = 0.1
        c.invalidSignatureProbability = 0.05
        var d = Demand(config: c, streams: RandomStreams(seed: 2))
        var last: UInt64 = 0, replays = 0, invalid = 0
        let n = 20_000
        for i in 0..<n {
            let o = d.makeOrder(id: Int64(i), tenant: 0, at: .zero)
            if o.nonce == last { replays += 1 }
            if !o.signatureValid { invalid += 1 }
            last = o.nonce
        }
        #expect(abs(Double(replays) / Double(n) - 0.1) <= 5 * (0.1 * 0.9 / Double(n)).squareRoot())
        #expect(abs(Double(invalid) / Double(n) - 0.05) <= 5 * (0.05 * 0.95 / Double(n)).squareRoot())
    }
}

@Suite struct BridgeTests {
    /// Full jitter: every backoff lies in [0, min(cap, base·2^(n−1))), and its mean is half
    /// the ceiling (uniform), within 5 standard errors.
    @Test func backoffIsCappedExponentialWithFullJitter() {
        var b = Bridge(config: .axelar, rng: Xoshiro256StarStar(seed: 5), backgroundRNG: Xoshiro256StarStar(seed: 6))
        for attempt in 1...8 {
            let ceiling = min(8.0, 0.25 * Double(1 << (attempt - 1)))
            var sum = 0.0
            let n = 4_000
            for _ in 0..<n {
                let s = b.backoff(after: attempt).seconds
                #expect(s >= 0 && s <= ceiling)
                sum += s
            }
            let se = ceiling / 12.0.squareRoot() / Double(n).squareRoot()
            #expect(abs(sum / Double(n) - ceiling / 2) <= 5 * se)
        }
    }

    @Test func congestionScalesRelayWorkAndNetworkTime() {
        var a = Bridge(config: .ibc, rng: Xoshiro256StarStar(seed: 7), backgroundRNG: Xoshiro256StarStar(seed: 8))
        var congested = BridgeConfig.ibc
        congested.latencyMultiplier = 3
        var b = Bridge(config: congested, rng: Xoshiro256StarStar(seed: 7), backgroundRNG: Xoshiro256StarStar(seed: 8))
        #expect(b.networkRTT == a.networkRTT * 3)
        for _ in 0..<100 {
            let x = a.sampleRelayWork().microseconds, y = b.sampleRelayWork().microseconds
            #expect(abs(y - 3 * x) <= 2)  // same draws, scaled (±rounding)
        }
    }
}

@Suite struct RelayerQueueTests {
    /// The recursion must agree exactly with simulating the same FIFO c-server queue
    /// event by event (here with the `WorkerPool` rules and a sorted completion list).
    @Test(arguments: [1, 2, 3, 5, 24])
    func matchesAnEventDrivenFIFOQueue(servers: Int) {
        var rng = Xoshiro256StarStar(seed: UInt64(servers))
        var arrivals: [(SimTime, SimDuration)] = []
        var t = SimTime.zero
        for _ in 0..<2_000 {
            t += SimDuration(microseconds: Int64(rng.nextInt(below: 400)))
            arrivals.append((t, SimDuration(microseconds: Int64(1 + rng.nextInt(below: 300 * servers)))))
        }
        var q = RelayerQueue(relayers: servers)
        let fast = arrivals.map { q.serve(arrival: $0.0, work: $0.1)!.start }

        // Event-driven reference: process arrivals and completions in time order.
        var pool = WorkerPool<Int>(servers: servers)
        var completions: [(SimTime, Int)] = []  // (time, job)
        var starts = Array(repeating: SimTime.zero, count: arrivals.count)
        func start(_ job: Int, at now: SimTime) {
            starts[job] = now
            completions.append((now + arrivals[job].1, job))
            completions.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        }
        for (job, a) in arrivals.enumerated() {
            while let c = completions.first, c.0 <= a.0 {
                completions.removeFirst()
                if let next = pool.complete() { start(next.job, at: c.0) }
            }
            if pool.arrive(job, at: a.0) == .start { start(job, at: a.0) }
        }
        while let c = completions.first {  // drain: jobs still in line start as servers free up
            completions.removeFirst()
            if let next = pool.complete() { start(next.job, at: c.0) }
        }
        let firstMismatch = zip(fast, starts).enumerated().first { $0.element.0 != $0.element.1 }?.offset
        #expect(firstMismatch == nil, "first mismatch at job \(firstMismatch ?? -1)")
    }

    /// The heap must give exactly what the plain recursion gives — scan every relayer, take
    /// the earliest (lowest index on ties) — start for start, and hold the same free times,
    /// through relayers leaving and joining, for every relayer count from 0 to 40.
    @Test(arguments: 0...40)
    func heapMatchesTheScanningRecursion(relayers: Int) {
        var rng = Xoshiro256StarStar(seed: 0xC0FFEE &+ UInt64(relayers))
        var heap = RelayerQueue(relayers: relayers)
        var scan = Array(repeating: Int64(0), count: relayers)
        var t: Int64 = 0
        var mismatches = 0
        for step in 0..<3_000 {
            t += Int64(rng.nextInt(below: 200))
            if step % 500 == 499 {  // a relayer outage or recovery: leave or join
                let n = rng.nextInt(below: 2 * relayers + 2)
                heap.setRelayers(n, at: SimTime(microseconds: t))
                scan.sort()
                if n > scan.count { scan += Array(repeating: t, count: n - scan.count) } else { scan.removeLast(scan.count - n) }
            }
            let work = Int64(1 + rng.nextInt(below: 150 * max(1, scan.count)))
            let got = heap.serve(arrival: SimTime(microseconds: t), work: SimDuration(microseconds: work))?.start.microseconds
            var want: Int64?
            if !scan.isEmpty {
                var best = 0
                for i in scan.indices where scan[i] < scan[best] { best = i }
                want = max(t, scan[best])
                scan[best] = want! + work
            }
            if got != want { mismatches += 1 }
            let free = heap.freeAt.map(\.microseconds)
            for i in free.indices where (2 * i + 1 < free.count && free[2 * i + 1] < free[i])
                || (2 * i + 2 < free.count && free[2 * i + 2] < free[i]) {
                Issue.record("heap order broken at \(i) after step \(step)")
            }
        }
        #expect(mismatches == 0)
        #expect(heap.sortedFreeTimes.map(\.microseconds) == scan.sorted())
        // Equality is of the free times, not of their heap order.
        var rebuilt = RelayerQueue(relayers: 0)
        rebuilt.setRelayers(heap.relayers, at: .zero)
        for t in heap.sortedFreeTimes.reversed() {  // each lands on a relayer still free at 0
            _ = rebuilt.serve(arrival: .zero, work: SimDuration(microseconds: t.microseconds))
        }
        #expect(rebuilt == heap)
    }

    @Test func relayersCanLeaveAndJoin() {
        var q = RelayerQueue(relayers: 2)
        _ = q.serve(arrival: .zero, work: .seconds(10))
        q.setRelayers(1, at: .zero + .seconds(1))
        #expect(q.sortedFreeTimes == [.zero])  // the busy relayer left; the idle one stays
        q.setRelayers(0, at: .zero + .seconds(1))
        #expect(q.serve(arrival: .zero + .seconds(2), work: .seconds(1)) == nil)
        q.setRelayers(1, at: .zero + .seconds(3))
        #expect(q.serve(arrival: .zero + .seconds(3), work: .seconds(1))?.start == .zero + .seconds(3))
    }

    /// Background traffic on shared relayers delays our messages: the same message finishes
    /// later on a busy bridge than on an idle one, from queueing alone.
    @Test func backgroundTrafficQueuesAheadOfOurMessages() {
        var idle = BridgeConfig.axelar, busy = BridgeConfig.axelar
        idle.backgroundMessagesPerSecond = 0
        busy.backgroundMessagesPerSecond = 30
        var a = Bridge(config: idle, rng: Xoshiro256StarStar(seed: 1), backgroundRNG: Xoshiro256StarStar(seed: 2))
        var b = Bridge(config: busy, rng: Xoshiro256StarStar(seed: 1), backgroundRNG: Xoshiro256StarStar(seed: 2))
        var waitA = 0.0, waitB = 0.0
        for k in 1...2_000 {
            let t = SimTime.zero + .milliseconds(Int64(k) * 500)
            waitA += (a.relay(at: t)! - t).milliseconds
            waitB += (b.relay(at: t)! - t).milliseconds
        }
        #expect(waitB > waitA * 1.1, "mean relay time \(waitB / 2_000) ms busy vs \(waitA / 2_000) ms idle")
    }
}
