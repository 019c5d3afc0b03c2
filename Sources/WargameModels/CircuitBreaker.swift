import SimKernel

/// The three states of a circuit breaker, as resilience4j names them.
public enum BreakerState: String, Sendable, CaseIterable {
    case closed = "CLOSED"
    case open = "OPEN"
    case halfOpen = "HALF_OPEN"

    /// Position in `allCases` (see `Reason.ordinal`).
    public var ordinal: Int {
        switch self {
        case .closed: 0
        case .open: 1
        case .halfOpen: 2
        }
    }
}

/// Circuit-breaker parameters with resilience4j's meanings and defaults-in-spirit.
public struct BreakerConfig: Sendable, Equatable {
    public enum WindowType: String, Sendable { case countBased = "count", timeBased = "time" }

    public var windowType: WindowType = .countBased
    /// Calls (count-based) or seconds (time-based) in the sliding window.
    public var windowSize: Int = 20
    /// No verdict until the window holds at least this many calls.
    public var minimumCalls: Int = 10
    /// Open when the failure rate in the window is at or above this fraction.
    public var failureRateThreshold: Double = 0.5
    /// How long OPEN rejects calls before a trial (HALF_OPEN).
    public var waitInOpen: SimDuration = .seconds(30)
    /// Trial calls allowed in HALF_OPEN; their failure rate decides CLOSED or OPEN.
    public var permittedCallsInHalfOpen: Int = 5

    public init() {}
}

/// A state change, for the decision log and for the legality checker.
public struct BreakerTransition: Sendable, Equatable {
    public let time: SimTime
    public let from: BreakerState
    public let to: BreakerState

    /// The transitions resilience4j allows.
    /// An operator's reset to CLOSED from OPEN or HALF_OPEN.
    public var isManualReset: Bool { to == .closed && from != .closed }

    public var isLegal: Bool {
        switch (from, to) {
        case (.closed, .open), (.open, .halfOpen), (.halfOpen, .closed), (.halfOpen, .open): true
        default: false
        }
    }
}

/// A per-provider circuit breaker with resilience4j semantics.
///
/// CLOSED records outcomes in a sliding window (the last N calls, or the calls of the last
/// N seconds) and opens when, with at least `minimumCalls` recorded, the failure rate
/// reaches the threshold. OPEN refuses calls for `waitInOpen`; the first call after that
/// moves it to HALF_OPEN (resilience4j's default, non-automatic transition), which admits
/// `permittedCallsInHalfOpen` trial calls and, once all have reported, closes if their
/// failure rate is below the threshold and opens again otherwise.
public struct CircuitBreaker: Sendable {
    public let config: BreakerConfig
    public private(set) var state: BreakerState = .closed
    public private(set) var openedAt: SimTime = .zero
    /// Count-based window: outcomes of the last `windowSize` calls (true = failure).
    var ring: [Bool] = []
    var ringNext = 0
    /// Time-based window: per-second (calls, failures) buckets.
    var buckets: [(second: Int64, calls: Int, failures: Int)] = []
    var halfOpenPermits = 0
    var halfOpenCalls = 0
    var halfOpenFailures = 0

    public init(config: BreakerConfig) {
        precondition(config.windowSize >= 1 && config.minimumCalls >= 1 && config.permittedCallsInHalfOpen >= 1,
                     "CircuitBreaker: window, minimum calls and permitted calls must be ≥ 1")
        self.config = config
        if config.windowType == .timeBased {
            buckets = Array(repeating: (-1, 0, 0), count: config.windowSize)
        }
    }

    /// Whether a call would be admitted now, without taking a permit (for routing).
    public func wouldPermit(at now: SimTime) -> Bool {
        switch state {
        case .closed: true
        case .open: now - openedAt >= config.waitInOpen
        case .halfOpen: halfOpenPermits > 0
        }
    }

    /// Takes permission for one call. May move OPEN → HALF_OPEN (returned as a transition).
    public mutating func acquire(at now: SimTime) -> (permitted: Bool, transition: BreakerTransition?) {
        switch state {
        case .closed:
            return (true, nil)
        case .open:
            guard now - openedAt >= config.waitInOpen else { return (false, nil) }
            let t = move(to: .halfOpen, at: now)
            halfOpenPermits = config.permittedCallsInHalfOpen - 1
            return (true, t)
        case .halfOpen:
            guard halfOpenPermits > 0 else { return (false, nil) }
            halfOpenPermits -= 1
            return (true, nil)
        }
    }

    /// Reports the outcome of a permitted call. Returns the transition it caused, if any.
    public mutating func record(failure: Bool, at now: SimTime) -> BreakerTransition? {
        switch state {
        case .closed:
            let (calls, failures) = add(failure: failure, at: now)
            if calls >= config.minimumCalls && Double(failures) / Double(calls) >= config.failureRateThreshold {
                return trip(at: now)
            }
            return nil
        case .halfOpen:
            halfOpenCalls += 1
            if failure { halfOpenFailures += 1 }
            guard halfOpenCalls >= config.permittedCallsInHalfOpen else { return nil }
            if Double(halfOpenFailures) / Double(halfOpenCalls) >= config.failureRateThreshold {
                return trip(at: now)
            }
            resetWindow()
            return move(to: .closed, at: now)
        case .open:
            return nil  // a late outcome of a call admitted before the breaker opened
        }
    }

    /// Failure rate over the current window (CLOSED) or the trial calls (HALF_OPEN).
    public func failureRate(at now: SimTime) -> Double {
        let (calls, failures) = state == .halfOpen ? (halfOpenCalls, halfOpenFailures) : windowTotals(at: now)
        return calls > 0 ? Double(failures) / Double(calls) : 0
    }

    mutating func trip(at now: SimTime) -> BreakerTransition {
        openedAt = now
        resetWindow()
        return move(to: .open, at: now)
    }

    mutating func move(to next: BreakerState, at now: SimTime) -> BreakerTransition {
        let t = BreakerTransition(time: now, from: state, to: next)
        precondition(t.isLegal, "CircuitBreaker: illegal transition \(state) → \(next)")
        state = next
        halfOpenCalls = 0
        halfOpenFailures = 0
        if next != .halfOpen { halfOpenPermits = 0 }
        return t
    }

    /// A staged recovery: an operator moves an OPEN breaker to HALF_OPEN now, so its trial
    /// calls test the provider before the wait in OPEN is over (nil unless OPEN).
    public mutating func forceHalfOpen(at now: SimTime) -> BreakerTransition? {
        guard state == .open else { return nil }
        let t = move(to: .halfOpen, at: now)
        halfOpenPermits = config.permittedCallsInHalfOpen
        return t
    }

    /// An operator's manual reset: CLOSED with an empty window, whatever the state (nil when
    /// already CLOSED). Outside the automatic state machine, so `isManualReset`, not `isLegal`.
    public mutating func manualReset(at now: SimTime) -> BreakerTransition? {
        guard state != .closed else { return nil }
        let t = BreakerTransition(time: now, from: state, to: .closed)
        state = .closed
        halfOpenCalls = 0
        halfOpenFailures = 0
        halfOpenPermits = 0
        resetWindow()
        return t
    }

    mutating func resetWindow() {
        ring.removeAll(keepingCapacity: true)
        ringNext = 0
        for i in buckets.indices { buckets[i] = (-1, 0, 0) }
    }

    /// Adds an outcome to the CLOSED-state window and returns the window's totals.
    mutating func add(failure: Bool, at now: SimTime) -> (calls: Int, failures: Int) {
        switch config.windowType {
        case .countBased:
            if ring.count < config.windowSize {
                ring.append(failure)
            } else {
                ring[ringNext] = failure
                ringNext = (ringNext + 1) % config.windowSize
            }
        case .timeBased:
            let second = now.microseconds / 1_000_000
            let slot = Int(second % Int64(config.windowSize))
            if buckets[slot].second != second { buckets[slot] = (second, 0, 0) }
            buckets[slot].calls += 1
            if failure { buckets[slot].failures += 1 }
        }
        return windowTotals(at: now)
    }

    func windowTotals(at now: SimTime) -> (calls: Int, failures: Int) {
        switch config.windowType {
        case .countBased:
            return (ring.count, ring.reduce(0) { $0 + ($1 ? 1 : 0) })
        case .timeBased:
            let second = now.microseconds / 1_000_000
            var calls = 0, failures = 0
            for b in buckets where b.second > second - Int64(config.windowSize) {
                calls += b.calls
                failures += b.failures
            }
            return (calls, failures)
        }
    }
}
