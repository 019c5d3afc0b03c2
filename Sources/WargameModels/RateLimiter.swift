import SimKernel

/// Which limiter algorithm, with its parameters. Value type for scenario configuration.
public enum RateLimiterConfig: Sendable, Equatable {
    case tokenBucket(ratePerSecond: Double, burst: Double)
    case slidingWindowLog(limit: Int, window: SimDuration)
    case slidingWindowCounter(limit: Int, window: SimDuration)
    /// Admit everything.
    case unlimited
}

/// One limiter instance of any kind; the gateway holds one per tenant plus a global one.
public enum RateLimiter: Sendable {
    case tokenBucket(TokenBucket)
    case slidingWindowLog(SlidingWindowLog)
    case slidingWindowCounter(SlidingWindowCounter)
    case unlimited

    public init(_ config: RateLimiterConfig) {
        switch config {
        case .tokenBucket(let r, let b): self = .tokenBucket(TokenBucket(rate: r, burst: b))
        case .slidingWindowLog(let l, let w): self = .slidingWindowLog(SlidingWindowLog(limit: l, window: w))
        case .slidingWindowCounter(let l, let w): self = .slidingWindowCounter(SlidingWindowCounter(limit: l, window: w))
        case .unlimited: self = .unlimited
        }
    }

    /// Admits (true) or refuses with a 429 (false) a request at `now`.
    public mutating func tryAcquire(at now: SimTime) -> Bool {
        switch self {
        case .tokenBucket(var b): defer { self = .tokenBucket(b) }; return b.tryAcquire(at: now)
        case .slidingWindowLog(var w): defer { self = .slidingWindowLog(w) }; return w.tryAcquire(at: now)
        case .slidingWindowCounter(var c): defer { self = .slidingWindowCounter(c) }; return c.tryAcquire(at: now)
        case .unlimited: return true
        }
    }
}

/// The gateway: a limiter per tenant (indexed by tenant number, never a dictionary, so no
/// hash order can reach a run) and one global limiter in front of them all.
public struct Gateway: Sendable {
    var perTenant: [RateLimiter]
    var global: RateLimiter
    public private(set) var perTenantConfig: RateLimiterConfig
    public private(set) var globalConfig: RateLimiterConfig

    public init(tenants: Int, perTenant: RateLimiterConfig, global: RateLimiterConfig) {
        self.perTenant = Array(repeating: RateLimiter(perTenant), count: tenants)
        self.global = RateLimiter(global)
        perTenantConfig = perTenant
        globalConfig = global
    }

    /// Raises, lowers or resets a limit: the limiters start afresh under the new config
    /// (a full bucket, an empty window), as a redeployed gateway would.
    public mutating func setLimits(perTenant: RateLimiterConfig? = nil, global: RateLimiterConfig? = nil) {
        if let perTenant {
            perTenantConfig = perTenant
            self.perTenant = Array(repeating: RateLimiter(perTenant), count: self.perTenant.count)
        }
        if let global {
            globalConfig = global
            self.global = RateLimiter(global)
        }
    }

    /// `.none` when admitted, else the 429 reason. The tenant's own limit is checked first,
    /// so one abusive tenant exhausts its bucket without consuming global capacity.
    public mutating func admit(tenant: Int, at now: SimTime) -> Reason {
        if !perTenant[tenant].tryAcquire(at: now) { return .rateLimited }
        if !global.tryAcquire(at: now) { return .globalRateLimited }
        return .none
    }
}
