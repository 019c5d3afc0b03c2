import SimKernel

/// A window in which a provider is (partly) unavailable.
public struct Outage: Sendable, Equatable {
    public var start: SimTime
    public var duration: SimDuration
    /// Fraction of capacity lost: 1 = fully down (it rejects every new job and its running
    /// jobs fail); less = only that share of slots is unavailable.
    public var capacityLost: Double = 1

    public init(start: SimTime, duration: SimDuration, capacityLost: Double = 1) {
        self.start = start
        self.duration = duration
        self.capacityLost = capacityLost
    }
}

/// A price spike: the price is multiplied by `factor` during the window.
public struct PriceSpike: Sendable, Equatable {
    public var start: SimTime
    public var duration: SimDuration
    public var factor: Double

    public init(start: SimTime, duration: SimDuration, factor: Double) {
        self.start = start
        self.duration = duration
        self.factor = factor
    }
}

/// One DePIN compute provider's parameters.
public struct ProviderConfig: Sendable, Equatable {
    public var id: String
    /// Indices into the scenario's region list.
    public var regions: [Int]
    /// Concurrent GPU slots.
    public var capacity: Int
    public var pricePerGPUHour: Double
    /// Per-minute log-price volatility of a mean-reverting random walk around the base.
    public var priceVolatility: Double = 0.02
    public var ackMedian: SimDuration
    public var ackP95: SimDuration
    /// No acknowledgement by then counts as a failure and fails over.
    public var ackTimeout: SimDuration = .seconds(5)
    /// Probability a job is rejected or fails at acknowledgement.
    public var failureProbability: Double
    public var reputation: Double
    public var weight: Double
    public var outages: [Outage] = []
    public var priceSpikes: [PriceSpike] = []

    public init(id: String, regions: [Int], capacity: Int, pricePerGPUHour: Double, ackMedian: SimDuration,
                ackP95: SimDuration, failureProbability: Double, reputation: Double, weight: Double) {
        self.id = id
        self.regions = regions
        self.capacity = capacity
        self.pricePerGPUHour = pricePerGPUHour
        self.ackMedian = ackMedian
        self.ackP95 = ackP95
        self.failureProbability = failureProbability
        self.reputation = reputation
        self.weight = weight
    }

    /// The seven default providers. Regions: 0 us-east, 1 eu-west, 2 ap-south.
    public static let defaults: [ProviderConfig] = [
        .init(id: "akash", regions: [0, 1], capacity: 220, pricePerGPUHour: 1.10, ackMedian: .milliseconds(300),
              ackP95: .milliseconds(1_100), failureProbability: 0.004, reputation: 0.92, weight: 3),
        .init(id: "flux", regions: [0, 1, 2], capacity: 130, pricePerGPUHour: 0.95, ackMedian: .milliseconds(350),
              ackP95: .milliseconds(1_300), failureProbability: 0.006, reputation: 0.85, weight: 2),
        .init(id: "vast", regions: [0, 2], capacity: 160, pricePerGPUHour: 1.30, ackMedian: .milliseconds(250),
              ackP95: .milliseconds(900), failureProbability: 0.005, reputation: 0.88, weight: 2),
        .init(id: "aethir", regions: [1, 2], capacity: 150, pricePerGPUHour: 1.60, ackMedian: .milliseconds(200),
              ackP95: .milliseconds(800), failureProbability: 0.003, reputation: 0.94, weight: 2),
        .init(id: "ionet", regions: [0, 2], capacity: 120, pricePerGPUHour: 1.20, ackMedian: .milliseconds(400),
              ackP95: .milliseconds(1_500), failureProbability: 0.008, reputation: 0.80, weight: 1),
        .init(id: "render", regions: [0, 1], capacity: 110, pricePerGPUHour: 1.80, ackMedian: .milliseconds(220),
              ackP95: .milliseconds(850), failureProbability: 0.003, reputation: 0.95, weight: 1),
        .init(id: "golem", regions: [1, 2], capacity: 90, pricePerGPUHour: 0.85, ackMedian: .milliseconds(500),
              ackP95: .milliseconds(2_000), failureProbability: 0.010, reputation: 0.72, weight: 1),
    ]
}

/// A provider's live state: slots in use, the current price, availability.
///
/// **Invariant**: `running ≤ advertisedCapacity ≤ capacity` whenever a job is placed; a
/// partial outage may leave running jobs above the reduced capacity until they finish.
public struct Provider: Sendable {
    public var config: ProviderConfig {
        didSet { regionMask = Self.mask(config.regions) }
    }
    /// Bit r set when the provider serves region r (< 64): the router asks every provider
    /// per order, and searching the regions array was a tenth of routing.
    private var regionMask: UInt64 = 0
    public internal(set) var running = 0
    /// Fraction of capacity currently lost to outages (0 = healthy, 1 = down).
    public internal(set) var capacityLost = 0.0
    /// Log of the random-walk price factor (0 = base price).
    var logPriceFactor = 0.0 {
        didSet { priceFactor = CMath.expOf(logPriceFactor) }
    }
    /// exp(logPriceFactor), kept with it: routing reads every provider's price per order,
    /// and an `exp` per read was a tenth of routing.
    public private(set) var priceFactor = 1.0
    public internal(set) var spikeFactor = 1.0
    /// Jobs placed here over the run (traffic share).
    public internal(set) var placed = 0
    var rng: Xoshiro256StarStar
    let ack: LogNormal
    /// Every ack latency drawn while up, and the outcomes (`InputTelemetry.ackOutcomes`).
    public internal(set) var acks = DrawRecord(bounds: InputTelemetry.serviceBounds, outcomes: 3)

    public init(config: ProviderConfig, rng: Xoshiro256StarStar) {
        self.config = config
        self.rng = rng
        ack = try! LogNormal(median: config.ackMedian.seconds, p95: config.ackP95.seconds)
        regionMask = Self.mask(config.regions)
    }

    static func mask(_ regions: [Int]) -> UInt64 {
        regions.reduce(0) { m, r in r >= 0 && r < 64 ? m | 1 << UInt64(r) : m }
    }

    public var isDown: Bool { capacityLost >= 1 }
    /// Paused by an operator (Vagus: "emergency pause for specific executors"): takes no new
    /// jobs, finishes the ones it runs; orders wait for other providers as when it is full.
    public var paused = false
    /// Slots that still work: partial capacity losses are announced and routed around.
    /// Floored without libm: the router reads this for every provider per order.
    public var usableCapacity: Int { CMath.floorInt(Double(config.capacity) * (1 - capacityLost)) }
    /// Slots the provider offers to the router. A full outage is *not* announced — the
    /// provider keeps offering its capacity and refuses every job — so the router finds
    /// out the way production does: failures, failover, and its circuit breaker opening.
    public var advertisedCapacity: Int { isDown ? config.capacity : usableCapacity }
    public var freeSlots: Int { max(0, advertisedCapacity - running) }
    public var price: Double { config.pricePerGPUHour * priceFactor * spikeFactor }
    public var load: Double { config.capacity > 0 ? Double(running) / Double(config.capacity) : 1 }

    public func serves(region: Int) -> Bool {
        region >= 0 && region < 64 ? regionMask & (1 << UInt64(region)) != 0 : config.regions.contains(region)
    }

    /// One minute of the price walk: log-price mean-reverts to the base with volatility σ.
    /// An AR(1) in log space (φ = 0.9): shocks persist for ~10 minutes, then fade.
    public mutating func tickPrice() {
        logPriceFactor = 0.9 * logPriceFactor + Normal.standard(&rng) * config.priceVolatility
    }

    /// Acknowledgement outcome for a job placed now: how long until the provider answers
    /// and whether it accepts. Fixed draws per call, whatever the outcome.
    public mutating func sampleAck() -> (delay: SimDuration, accepted: Bool) {
        let delay = SimDuration(seconds: ack.sample(&rng))
        let fails = rng.nextDouble() < config.failureProbability
        if isDown { return (min(delay, .milliseconds(50)), false) }  // a down provider refuses fast
        acks.latency.add(delay.seconds)
        if delay > config.ackTimeout { acks.outcomes[2] += 1; return (config.ackTimeout, false) }
        acks.outcomes[fails ? 1 : 0] += 1
        return (delay, !fails)
    }
}

