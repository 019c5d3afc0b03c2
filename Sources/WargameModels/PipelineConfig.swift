import SimKernel

/// Everything that parameterises an order pipeline. Defaults describe a healthy marketplace
/// (fill rate, bridge RTT, coverage and decision time within the Aurora SLOs); the scenario
/// layer states only what differs.
public struct PipelineConfig: Sendable, Equatable {
    /// Region names; orders and providers refer to regions by index.
    public var regions = ["us-east", "eu-west", "ap-south", "cn-north"]
    public var demand = DemandConfig()
    /// Per-tenant limiter: normal tenants never reach it; an abusive one does.
    public var tenantLimit = RateLimiterConfig.tokenBucket(ratePerSecond: 1, burst: 10)
    public var globalLimit = RateLimiterConfig.slidingWindowLog(limit: 600, window: .seconds(10))
    public var bridges = [BridgeConfig.axelar, BridgeConfig.ibc]
    public var policy = PolicyConfig()
    public var shards = [
        ShardConfig(name: "EARTH", maxOpenJobs: 420, maxActiveJobs: 320, rewardCap: 1_000, maxJobDuration: .hours(4)),
        ShardConfig(name: "LUNA", maxOpenJobs: 420, maxActiveJobs: 320, rewardCap: 1_000, maxJobDuration: .hours(4)),
        ShardConfig(name: "MARS", maxOpenJobs: 420, maxActiveJobs: 320, rewardCap: 1_000, maxJobDuration: .hours(4)),
    ]
    public var providers = ProviderConfig.defaults
    public var breaker = BreakerConfig()
    public var router = RouterConfig()
    public var provenance = ProvenanceConfig()
    /// An admitted job waiting longer than this for a provider is dropped.
    public var maxQueueWait: SimDuration = .minutes(2)
    /// Faults injected over the run (war games).
    public var incidents: [Incident] = []

    public init() {}
}

extension PipelineConfig {
    /// An upper bound on the arrivals a run of `duration` draws: candidate orders (at every
    /// tenant's thinning rate, incidents' surges included) and other applications' relayer
    /// messages on every bridge. A run's work is proportional to it; see `workLimit`.
    public func workBound(duration: SimDuration) -> Double {
        let c = compilingIncidents()
        let perSecond = Demand.peakRates(c.demand).reduce(0, +) + c.bridges.map(\.backgroundMessagesPerSecond).reduce(0, +)
        return perSecond * duration.seconds
    }

    /// The most arrivals a run may draw: 10^11, a few hours of one core at about 10 M
    /// arrivals per second (a run of the baseline's 10,000,000 steps, the longest allowed,
    /// draws 1.6 × 10^10). A configuration beyond it would in effect never finish, so it is
    /// refused before the run instead (a surge of 10^6 × over a simulated day, say).
    public static let workLimit = 1e11
}
