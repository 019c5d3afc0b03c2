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

/// One bridge's live state: its relayers, its streams, and the backoff rule.
///
/// A try's round trip is the wait for a relayer, plus lognormal relayer work, plus the
/// network's base RTT, both scaled by the congestion multiplier — so RTT rises with load
/// because messages genuinely queue for relayers (shared with other applications'
/// traffic), not because a formula says so. The queue is a `RelayerQueue`: exact FIFO
/// multi-server queueing without an event per message.
public struct Bridge: Sendable {
    public var config: BridgeConfig
    public internal(set) var relayers: RelayerQueue
    var rng: Xoshiro256StarStar
    let relay: LogNormal
    /// Our messages' relay work and their fates (`InputTelemetry.messageOutcomes`).
    public internal(set) var messages = DrawRecord(bounds: InputTelemetry.serviceBounds, outcomes: 2)
    /// Other applications' traffic: its own stream, so our traffic never shifts it,
    /// absorbed lazily in arrival order.
    var background: BackgroundTraffic

    public init(config: BridgeConfig, rng: Xoshiro256StarStar, backgroundRNG: Xoshiro256StarStar) {
        self.config = config
        self.rng = rng
        relayers = RelayerQueue(relayers: config.relayers)
        // Validated by the scenario layer: median > 0 and p95 ≥ median.
        relay = try! LogNormal(median: config.relayMedian.seconds, p95: config.relayP95.seconds)
        background = BackgroundTraffic(rate: config.backgroundMessagesPerSecond, work: relay, rng: backgroundRNG)
    }

    /// Our message arrives at `now`: absorb the background traffic that arrived up to now
    /// (it is ahead of us in line), then queue ours. Returns when its relay work finishes,
    /// or `nil` if there is no relayer to take it (it will time out).
    public mutating func relay(at now: SimTime) -> SimTime? {
        absorbBackground(through: now)
        return relayers.serve(arrival: now, work: sampleRelayWork())?.finish
    }

    /// Queues every background message that arrived at or before `t`, its work scaled by
    /// the congestion multiplier in force (callers absorb up to the moment it changes).
    mutating func absorbBackground(through t: SimTime) {
        background.drain(through: t, into: &relayers, multiplier: config.latencyMultiplier)
    }

    /// Sets the congestion multiplier from `now` on: background messages that arrived
    /// before now keep the old one.
    public mutating func setLatencyMultiplier(_ m: Double, at now: SimTime) {
        absorbBackground(through: now)
        config.latencyMultiplier = m
    }

    /// Relayers join or leave at `now`; background messages that arrived before now were
    /// queued on the relayers there were then.
    public mutating func setRelayers(_ n: Int, at now: SimTime) {
        absorbBackground(through: now)
        relayers.setRelayers(n, at: now)
    }

    /// Relayer work for one message, under the current congestion.
    public mutating func sampleRelayWork() -> SimDuration {
        let work = relay.sample(&rng) * config.latencyMultiplier
        messages.latency.add(work)
        return SimDuration(seconds: work)
    }

    /// The return leg after relaying: the network's base RTT under congestion.
    public var networkRTT: SimDuration {
        SimDuration(seconds: config.baseRTT.seconds * config.latencyMultiplier)
    }

    /// Whether this message is lost. One draw per message, lost or not.
    public mutating func isLost() -> Bool {
        let lost = rng.nextDouble() < config.lossProbability
        messages.outcomes[lost ? 1 : 0] += 1
        return lost
    }

    /// Full-jitter exponential backoff before try `attempt + 1` (AWS Architecture Blog,
    /// "Exponential Backoff and Jitter"): U(0, min(cap, base·2^(attempt−1))).
    public mutating func backoff(after attempt: Int) -> SimDuration {
        let exponent = Double(min(attempt - 1, 30))
        let ceiling = min(config.backoffCap.seconds, config.backoffBase.seconds * Double(1 << Int(exponent)))
        return SimDuration(seconds: ceiling * rng.nextDouble())
    }
}
