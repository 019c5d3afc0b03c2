import SimKernel

/// What happened to an order at one step of the pipeline. The CSV's decision column.
public enum DecisionKind: String, Sendable, CaseIterable {
    /// Passed a gate (bridge delivered, policy allowed, shard admitted).
    case accepted
    /// Refused by a rule; final for the order.
    case rejected
    /// Given up on before it was served (timeouts, retries exhausted); final for the order.
    case dropped
    /// A transient failure that will be tried again (bridge retry).
    case retried
    /// Moved to another provider after a rejection, failure or timeout.
    case failedOver = "failed_over"
    /// Placed on a provider and running: the order is filled.
    case filled
    /// The job finished on its provider; final for the order.
    case completed
    /// A circuit breaker changed state (not about one order).
    case breakerTransition = "breaker_transition"
    /// A provenance batch was covered, or missed its deadline (not about one order).
    case provenance
    /// The fail-closed guard halted or resumed allocations.
    case guardChange = "guard"
    /// Filled, then lost while running because its provider went down under it; final for
    /// the order, and neither a completion nor a drop (it had been served).
    case interrupted
}

/// Machine-readable reasons. Raw values are the strings written to the decision log.
public enum Reason: String, Sendable, CaseIterable {
    case none = ""
    // Gateway
    case rateLimited = "rate_limited"
    case globalRateLimited = "global_rate_limited"
    // Bridge
    /// A lost message looks like a timeout to the sender, so it is reported as one.
    case bridgeTimeout = "bridge_timeout"
    // Policy (vault-law), in check order
    case badSignature = "bad_signature"
    case replayedNonce = "replayed_nonce"
    case quotaExhausted = "quota_exhausted"
    case regionDenied = "region_denied"
    case reputationFloor = "reputation_floor"
    // Shards
    case systemPaused = "system_paused"
    case shardPaused = "shard_paused"
    case shardFull = "shard_full"
    case overRewardCap = "over_reward_cap"
    case durationExceeded = "duration_exceeded"
    case failClosed = "fail_closed"
    // Routing and providers
    case noEligibleProvider = "no_eligible_provider"
    case overBudget = "over_budget"
    case providerRejected = "provider_rejected"
    case providerFailed = "provider_failed"
    case ackTimeout = "ack_timeout"
    case providerOutage = "provider_outage"
    case attemptsExhausted = "attempts_exhausted"
    // Stage markers for accepted decisions
    case bridged
    case policyAllowed = "policy_allowed"
    case admitted
    // Provenance and guard
    case covered
    case uncovered
    case halted
    case resumed
    /// Refused while an operator has halted allocations (`halt_allocations`, the Aurora
    /// "Halt Treaty"), told apart from the provenance guard's `fail_closed`.
    case operatorHalt = "operator_halt"
}

/// One line of the decision log: what the pipeline decided, when, about which order.
///
/// A plain value with every field the CSV needs, so the reports layer formats it without
/// reaching back into the models. Fields that do not apply are `nil` or `.none`.
public struct Decision: Sendable, Equatable {
    public var time: SimTime
    public var kind: DecisionKind
    public var reason: Reason
    /// Sequential order id, or -1 for decisions about no order (breakers, batches).
    public var orderID: Int64 = -1
    public var tenant: Int = -1
    public var region: Int = -1
    public var gpuHours: Double = 0
    /// Index into the scenario's providers, or -1.
    public var provider: Int = -1
    /// 1 for the first try at a stage; retries and failovers count up.
    public var attempt: Int = 0
    public var bridgeRTT: SimDuration?
    public var policyDecisionTime: SimDuration?
    public var pricePerGPUHour: Double?
    public var breakerState: BreakerState?

    public init(time: SimTime, kind: DecisionKind, reason: Reason) {
        self.time = time
        self.kind = kind
        self.reason = reason
    }
}

/// Receives decisions as they are made; the reports layer streams them to CSV.
public protocol DecisionSink {
    mutating func record(_ decision: Decision)
}

/// Discards decisions (runs that only need the statistics).
public struct NullSink: DecisionSink, Sendable {
    public init() {}
    public mutating func record(_ decision: Decision) {}
}

/// Keeps every decision in memory. For tests only: real runs stream.
public struct CollectingSink: DecisionSink, Sendable {
    public private(set) var decisions: [Decision] = []
    public init() {}
    public mutating func record(_ decision: Decision) { decisions.append(decision) }
}

extension DecisionKind {
    /// Position in `allCases`: an array index, so hot paths never hash the raw string.
    public var ordinal: Int {
        switch self {
        case .accepted: 0
        case .rejected: 1
        case .dropped: 2
        case .retried: 3
        case .failedOver: 4
        case .filled: 5
        case .completed: 6
        case .breakerTransition: 7
        case .provenance: 8
        case .guardChange: 9
        case .interrupted: 10
        }
    }
}

extension Reason {
    /// Position in `allCases`: an array index, so hot paths never hash the raw string.
    public var ordinal: Int {
        switch self {
        case .none: 0
        case .rateLimited: 1
        case .globalRateLimited: 2
        case .bridgeTimeout: 3
        case .badSignature: 4
        case .replayedNonce: 5
        case .quotaExhausted: 6
        case .regionDenied: 7
        case .reputationFloor: 8
        case .systemPaused: 9
        case .shardPaused: 10
        case .shardFull: 11
        case .overRewardCap: 12
        case .durationExceeded: 13
        case .failClosed: 14
        case .noEligibleProvider: 15
        case .overBudget: 16
        case .providerRejected: 17
        case .providerFailed: 18
        case .ackTimeout: 19
        case .providerOutage: 20
        case .attemptsExhausted: 21
        case .bridged: 22
        case .policyAllowed: 23
        case .admitted: 24
        case .covered: 25
        case .uncovered: 26
        case .halted: 27
        case .resumed: 28
        case .operatorHalt: 29
        }
    }
}
