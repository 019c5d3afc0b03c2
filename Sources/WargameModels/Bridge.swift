import SimKernel

/// Parameters of one cross-chain bridge (Axelar-like GMP or IBC-like relaying).
public struct BridgeConfig: Sendable, Equatable {
    public var name: String
    /// Network round trip without queueing or relayer work.
    public var baseRTT: SimDuration
    /// Relayer work per message: lognormal, given as median and p95.
    public var relayMedian: SimDuration
    public var relayP95: SimDuration
    /// Relayers serving messages in parallel; messages queue when all are busy.
    public var relayers: Int
    /// Probability that a message is lost (no response ever comes).
    public var lossProbability: Double
    /// A try without a response by then is abandoned and retried.
    public var timeout: SimDuration
    /// Tries in all, including the first; after the last a message is dropped.
    public var maxAttempts: Int
    /// Exponential backoff with full jitter: sleep U(0, min(cap, base·2^(n−1))).
    public var backoffBase: SimDuration
    public var backoffCap: SimDuration
    /// Congestion knob: multiplies base RTT and relayer work (incidents raise it).
    public var latencyMultiplier: Double = 1
    /// Share of orders submitted through this bridge (weights over bridges).
    public var weight: Double
    /// Other applications' messages per second sharing the relayers (Poisson). Relayers
    /// are never ours alone; this traffic is what makes congestion queue.
    public var backgroundMessagesPerSecond: Double = 0

    public init(name: String, baseRTT: SimDuration, relayMedian: SimDuration, relayP95: SimDuration,
                relayers: Int, lossProbability: Double, timeout: SimDuration, maxAttempts: Int,
                backoffBase: SimDuration, backoffCap: SimDuration, weight: Double, background: Double = 0) {
        self.name = name
        self.baseRTT = baseRTT
        self.relayMedian = relayMedian
        self.relayP95 = relayP95
        self.relayers = relayers
        self.lossProbability = lossProbability
        self.timeout = timeout
        self.maxAttempts = maxAttempts
        self.backoffBase = backoffBase
        self.backoffCap = backoffCap
        self.weight = weight
        backgroundMessagesPerSecond = background
    }

    public static let axelar = BridgeConfig(
        name: "axelar", baseRTT: .milliseconds(100), relayMedian: .milliseconds(50), relayP95: .milliseconds(140),
        relayers: 2, lossProbability: 0.002, timeout: .seconds(2), maxAttempts: 4,
        backoffBase: .milliseconds(250), backoffCap: .seconds(8), weight: 0.6, background: 14)

    public static let ibc = BridgeConfig(
        name: "ibc", baseRTT: .milliseconds(90), relayMedian: .milliseconds(55), relayP95: .milliseconds(150),
        relayers: 2, lossProbability: 0.002, timeout: .seconds(2), maxAttempts: 4,
        backoffBase: .milliseconds(250), backoffCap: .seconds(8), weight: 0.4, background: 12)
}

/// One bridge's live state: its relayer pool, its stream, and the backoff rule.
///
/// A try's round trip is the time in the relayer line, plus lognormal relayer work, plus
/// the network's base RTT, both scaled by the congestion multiplier — so RTT rises with
/// load because messages genuinely wait for relayers, not because a formula says so.
public struct Bridge: Sendable {
    public var config: BridgeConfig
    public var pool: WorkerPool<BridgeTry>
    var rng: Xoshiro256StarStar
    let relay: LogNormal

    /// One message as it waits for and occupies a relayer: a try of one of our orders, or
    /// (with `order == nil`) another application's message.
    public struct BridgeTry: Sendable, Equatable {
        public let order: OrderRef?
        public let attempt: Int
        public let submittedAt: SimTime
    }

    var backgroundRNG: Xoshiro256StarStar

    public init(config: BridgeConfig, rng: Xoshiro256StarStar, backgroundRNG: Xoshiro256StarStar) {
        self.config = config
        self.rng = rng
        self.backgroundRNG = backgroundRNG
        pool = WorkerPool(servers: config.relayers, maxQueue: 50_000)
        // Validated by the scenario layer: median > 0 and p95 ≥ median.
        relay = try! LogNormal(median: config.relayMedian.seconds, p95: config.relayP95.seconds)
    }

    /// Relayer work for one message, under the current congestion.
    public mutating func sampleRelayWork() -> SimDuration {
        SimDuration(seconds: relay.sample(&rng) * config.latencyMultiplier)
    }

    /// The return leg after relaying: the network's base RTT under congestion.
    public var networkRTT: SimDuration {
        SimDuration(seconds: config.baseRTT.seconds * config.latencyMultiplier)
    }

    /// Gap to the next background message, or `nil` without background traffic. Its own
    /// stream, so changing our traffic never shifts the background's.
    public mutating func nextBackgroundGap() -> SimDuration? {
        guard config.backgroundMessagesPerSecond > 0 else { return nil }
        let u = backgroundRNG.nextOpenClosedDouble()
        return SimDuration(seconds: -CMath.ln(u) / config.backgroundMessagesPerSecond)
    }

    /// Whether this message is lost. One draw per message, lost or not.
    public mutating func isLost() -> Bool { rng.nextDouble() < config.lossProbability }

    /// Full-jitter exponential backoff before try `attempt + 1` (AWS Architecture Blog,
    /// "Exponential Backoff and Jitter"): U(0, min(cap, base·2^(attempt−1))).
    public mutating func backoff(after attempt: Int) -> SimDuration {
        let exponent = Double(min(attempt - 1, 30))
        let ceiling = min(config.backoffCap.seconds, config.backoffBase.seconds * Double(1 << Int(exponent)))
        return SimDuration(seconds: ceiling * rng.nextDouble())
    }
}
