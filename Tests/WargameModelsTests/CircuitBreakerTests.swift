import Testing
import SimKernel
@testable import WargameModels

@Suite struct CircuitBreakerTests {
    func config(_ type: BreakerConfig.WindowType = .countBased) -> BreakerConfig {
        var c = BreakerConfig()
        c.windowType = type
        c.windowSize = 10
        c.minimumCalls = 4
        c.failureRateThreshold = 0.5
        c.waitInOpen = .seconds(30)
        c.permittedCallsInHalfOpen = 2
        return c
    }
    let t0 = SimTime.zero

    @Test func closedStaysClosedBelowMinimumCallsEvenIfAllFail() {
        var b = CircuitBreaker(config: config())
        for _ in 0..<3 { #expect(b.record(failure: true, at: t0) == nil) }
        #expect(b.state == .closed)
        #expect(b.record(failure: true, at: t0)?.to == .open)  // the 4th call reaches the minimum
    }

    @Test func closedOpensAtTheFailureRateThreshold() {
        var b = CircuitBreaker(config: config())
        for f in [false, false, false, true, true] { #expect(b.record(failure: f, at: t0) == nil) }  // 2/5 = 40 %
        let t = b.record(failure: true, at: t0)  // 3/6 = 50 %
        #expect(t == BreakerTransition(time: t0, from: .closed, to: .open))
    }

    @Test func countWindowForgetsOldCalls() {
        var b = CircuitBreaker(config: config())
        for f in [false, false, true, false, true] { _ = b.record(failure: f, at: t0) }  // at most 2/5: stays closed
        #expect(b.state == .closed)
        for _ in 0..<10 { _ = b.record(failure: false, at: t0) }  // pushes both failures out
        #expect(b.failureRate(at: t0) == 0)
        // Four failures now make 4/10 = 40 %: still closed. Had the window kept the two old
        // failures, the rate would be 6/10 and the breaker would have opened.
        for _ in 0..<4 { #expect(b.record(failure: true, at: t0) == nil) }
        #expect(b.state == .closed)
        #expect(b.record(failure: true, at: t0)?.to == .open)  // 5/10 = 50 %
    }

    @Test func openRefusesUntilTheWaitThenAdmitsATrialInHalfOpen() {
        var b = CircuitBreaker(config: config())
        for _ in 0..<4 { _ = b.record(failure: true, at: t0) }
        #expect(b.state == .open)
        #expect(!b.wouldPermit(at: t0 + .seconds(29)))
        #expect(b.acquire(at: t0 + .seconds(29)).permitted == false)
        let first = b.acquire(at: t0 + .seconds(30))
        #expect(first.permitted && first.transition?.to == .halfOpen)
        #expect(b.acquire(at: t0 + .seconds(31)).permitted)    // second permitted trial
        #expect(!b.acquire(at: t0 + .seconds(31)).permitted)   // no more permits
    }

    @Test func halfOpenClosesWhenTrialsSucceed() {
        var b = tripped()
        _ = b.acquire(at: t0 + .seconds(30)); _ = b.acquire(at: t0 + .seconds(30))
        #expect(b.record(failure: false, at: t0 + .seconds(31)) == nil)
        #expect(b.record(failure: false, at: t0 + .seconds(32))?.to == .closed)
        #expect(b.failureRate(at: t0 + .seconds(32)) == 0)  // a fresh window after closing
    }

    @Test func halfOpenReopensWhenTrialsFail() {
        var b = tripped()
        _ = b.acquire(at: t0 + .seconds(30)); _ = b.acquire(at: t0 + .seconds(30))
        _ = b.record(failure: false, at: t0 + .seconds(31))
        let t = b.record(failure: true, at: t0 + .seconds(32))  // 1/2 = 50 % ≥ threshold
        #expect(t?.from == .halfOpen && t?.to == .open)
        #expect(b.openedAt == t0 + .seconds(32))
    }

    @Test func timeWindowCountsOnlyTheLastNSeconds() {
        var b = CircuitBreaker(config: config(.timeBased))
        for s: Int64 in [0, 1, 2] { _ = b.record(failure: true, at: t0 + .seconds(s)) }
        // 20 s later the failures have aged out: four fresh successes and one failure.
        for s: Int64 in [20, 21, 22, 23] { _ = b.record(failure: false, at: t0 + .seconds(s)) }
        #expect(b.record(failure: true, at: t0 + .seconds(24)) == nil)
        #expect(b.state == .closed)
        #expect(abs(b.failureRate(at: t0 + .seconds(24)) - 0.2) < 1e-12)
    }

    @Test func onlyResilience4jTransitionsAreLegal() {
        let legal = BreakerState.allCases.flatMap { from in BreakerState.allCases.map { (from, $0) } }
            .filter { BreakerTransition(time: t0, from: $0.0, to: $0.1).isLegal }
        #expect(legal.map { "\($0.0.rawValue)→\($0.1.rawValue)" }
                == ["CLOSED→OPEN", "OPEN→HALF_OPEN", "HALF_OPEN→CLOSED", "HALF_OPEN→OPEN"])
    }

    func tripped() -> CircuitBreaker {
        var b = CircuitBreaker(config: config())
        for _ in 0..<4 { _ = b.record(failure: true, at: t0) }
        return b
    }
}
