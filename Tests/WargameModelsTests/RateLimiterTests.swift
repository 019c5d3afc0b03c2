import Testing
import SimKernel
@testable import WargameModels

@Suite struct RateLimiterTests {
    /// Over every interval [tᵢ, tⱼ] of a random request stream, a bucket admits at most
    /// burst + rate·(tⱼ − tᵢ) requests (+1 for the closed interval's endpoint admission).
    @Test(arguments: [(2.0, 5.0), (0.5, 1.0), (10.0, 30.0)])
    func tokenBucketNeverAdmitsMoreThanBurstPlusRateTimesT(rate: Double, burst: Double) {
        var rng = RandomStreams(seed: 21).stream("test.bucket")
        var bucket = TokenBucket(rate: rate, burst: burst)
        var t = SimTime.zero
        var admitted: [SimTime] = []
        for _ in 0..<3_000 {
            // Bursty arrivals: mostly faster than the rate, with occasional idle gaps.
            let gap = rng.nextDouble() < 0.05 ? 5.0 / rate : rng.nextDouble() * 0.3 / rate
            t += SimDuration(seconds: gap)
            if bucket.tryAcquire(at: t) { admitted.append(t) }
        }
        #expect(admitted.count > 100)
        for i in admitted.indices {
            for j in i..<min(admitted.count, i + 400) {
                let allowed = burst + rate * (admitted[j] - admitted[i]).seconds
                #expect(Double(j - i + 1) <= allowed + 1e-9, "\(j - i + 1) admitted in \(admitted[j] - admitted[i])")
            }
        }
    }

    @Test func tokenBucketRefillsAtItsRate() {
        var b = TokenBucket(rate: 1, burst: 3)
        let t0 = SimTime.zero
        #expect((0..<5).map { _ in b.tryAcquire(at: t0) } == [true, true, true, false, false])
        let early = b.tryAcquire(at: t0 + .milliseconds(999)), onTime = b.tryAcquire(at: t0 + .seconds(1))
        #expect(!early && onTime)
        #expect((0..<4).map { _ in b.tryAcquire(at: t0 + .seconds(10)) } == [true, true, true, false])
    }

    @Test func slidingWindowLogIsExact() {
        var w = SlidingWindowLog(limit: 3, window: .seconds(10))
        let t = { (s: Int64) in SimTime.zero + .seconds(s) }
        #expect([w.tryAcquire(at: t(0)), w.tryAcquire(at: t(1)), w.tryAcquire(at: t(2)), w.tryAcquire(at: t(9))]
                == [true, true, true, false])
        let afterExpiry = w.tryAcquire(at: t(10)), again = w.tryAcquire(at: t(10))
        #expect(afterExpiry && !again)  // the t=0 admission left the window, making room for one
        #expect(w.usage(at: t(13)) == 1)
    }

    @Test func slidingWindowLogNeverExceedsItsLimitInAnyWindow() {
        var rng = RandomStreams(seed: 22).stream("test.log")
        var w = SlidingWindowLog(limit: 20, window: .seconds(1))
        var t = SimTime.zero, admitted: [SimTime] = []
        for _ in 0..<5_000 {
            t += SimDuration(seconds: rng.nextDouble() * 0.02)
            if w.tryAcquire(at: t) { admitted.append(t) }
        }
        for i in admitted.indices where i + 20 < admitted.count {
            #expect(admitted[i + 20] - admitted[i] >= .seconds(1))
        }
    }

    @Test func slidingWindowCounterWeighsThePreviousWindow() {
        var c = SlidingWindowCounter(limit: 10, window: .seconds(60))
        let t = { (s: Int64) in SimTime.zero + .seconds(s) }
        let first = (0..<11).map { _ in c.tryAcquire(at: t(30)) }
        #expect(first == Array(repeating: true, count: 10) + [false])
        // 15 s into the next window, 75 % of the previous window's 10 still count: 7.5,
        // so two more fit (8.5, 9.5) and a third would make 10.5.
        let fits = (0..<3).map { _ in c.tryAcquire(at: t(75)) }
        #expect(fits == [true, true, false])
        let later = c.estimate(at: t(200))
        #expect(later == 0)  // two windows later nothing remains
    }

    @Test func gatewayChecksTheTenantBeforeTheGlobalLimiter() {
        var g = Gateway(tenants: 3, perTenant: .tokenBucket(ratePerSecond: 0, burst: 2),
                        global: .slidingWindowLog(limit: 3, window: .seconds(60)))
        let now = SimTime.zero
        #expect(g.admit(tenant: 0, at: now) == .none)
        #expect(g.admit(tenant: 0, at: now) == .none)
        #expect(g.admit(tenant: 0, at: now) == .rateLimited)  // the tenant's own bucket, global untouched
        #expect(g.admit(tenant: 1, at: now) == .none)
        #expect(g.admit(tenant: 2, at: now) == .globalRateLimited)
    }
}

@Suite struct WorkerPoolTests {
    @Test func servesInArrivalOrderAcrossServers() {
        var pool = WorkerPool<Int>(servers: 2, maxQueue: 2)
        let t = SimTime.zero
        #expect([pool.arrive(1, at: t), pool.arrive(2, at: t), pool.arrive(3, at: t), pool.arrive(4, at: t),
                 pool.arrive(5, at: t)] == [.start, .start, .queued, .queued, .refused])
        #expect(pool.complete()?.job == 3)
        #expect(pool.complete()?.job == 4)
        #expect(pool.complete() == nil)
        #expect(pool.busy == 1)
    }

}

@Suite struct OrdinalTests {
    /// The generated `ordinal`s must be positions in `allCases`, or logs would print the
    /// wrong names.
    @Test func ordinalsArePositionsInAllCases() {
        #expect(Reason.allCases.map(\.ordinal) == Array(Reason.allCases.indices))
        #expect(DecisionKind.allCases.map(\.ordinal) == Array(DecisionKind.allCases.indices))
        #expect(BreakerState.allCases.map(\.ordinal) == Array(BreakerState.allCases.indices))
    }
}
