import SimKernel

/// How the router picks among eligible providers.
public enum RoutingStrategy: String, Sendable, CaseIterable {
    /// Random, proportional to routing weights.
    case weighted
    /// Lowest score over price, latency, reputation, load and routing weight; ties by provider id.
    case score
    /// Power of two choices: two eligible providers drawn in proportion to their routing
    /// weights, the less loaded wins.
    case p2c
    /// Lowest current price; ties by provider id.
    case cheapest
    /// The first eligible provider in a fixed primary-then-backups order.
    case ordered
}

public struct RouterConfig: Sendable, Equatable {
    public var strategy: RoutingStrategy = .score
    /// Provider attempts per order, the first included; failovers use the rest.
    public var maxAttempts: Int = 3
    /// For `.ordered`: provider indices, primary first. Empty = scenario order.
    public var order: [Int] = []
    /// `.score` weights: price relative to budget, ack median in seconds, 1 − reputation, load,
    /// and the provider's routing weight (see `Router.score`).
    public var priceWeight = 1.0, latencyWeight = 1.0, reputationWeight = 2.0, loadWeight = 1.5, weightWeight = 0.5

    public init() {}
}

/// Why no provider was chosen.
public enum RoutingMiss: Sendable, Equatable {
    /// Nothing serves the region at the reputation floor (excluding providers tried): final.
    case noProvider
    /// Candidates exist but every one costs more than the order's budget: final.
    case overBudget
    /// Affordable candidates exist but are full or behind open breakers: worth waiting.
    case busy
}

/// Chooses a provider for an order among those eligible: breaker permits, serves the
/// region, has a free slot, price within budget, reputation at or above the floor, and
/// not already tried for this order.
public struct Router: Sendable {
    public var config: RouterConfig
    var rng: Xoshiro256StarStar
    var cachedWeights: [Double] = []
    var cachedTerms: [Double] = []

    public init(config: RouterConfig, rng: Xoshiro256StarStar) {
        self.config = config
        self.rng = rng
    }

    public mutating func choose(for order: Order, providers: [Provider], breakers: [CircuitBreaker],
                                reputationFloor: Double, at now: SimTime) -> Result<Int, RoutingMissError> {
        precondition(providers.count <= 64, "Router: at most 64 providers (a bit mask per order), got \(providers.count)")
        var candidates = 0, affordable = 0
        var eligible: UInt64 = 0  // bit i: provider i; a mask, so a pick allocates nothing
        for i in providers.indices {
            guard providers[i].serves(region: order.region), providers[i].config.reputation >= reputationFloor,
                  order.triedProviders & (1 << UInt64(i)) == 0 else { continue }
            candidates += 1
            guard providers[i].price <= order.budgetPerGPUHour else { continue }
            affordable += 1
            if !providers[i].paused && providers[i].freeSlots > 0 && breakers[i].wouldPermit(at: now) {
                eligible |= 1 << UInt64(i)
            }
        }
        if eligible == 0 {
            let miss: RoutingMiss = candidates == 0 ? .noProvider : affordable == 0 ? .overBudget : .busy
            return .failure(RoutingMissError(miss: miss))
        }
        return .success(pick(eligible, order: order, providers: providers))
    }

    /// The providers in `mask`, in index order.
    static func members(_ mask: UInt64) -> [Int] {
        var ids: [Int] = [], m = mask
        while m != 0 {
            ids.append(m.trailingZeroBitCount)
            m &= m &- 1
        }
        return ids
    }

    mutating func pick(_ eligible: UInt64, order: Order, providers: [Provider]) -> Int {
        switch config.strategy {
        case .weighted:
            let ids = Self.members(eligible)
            let weights = ids.map { providers[$0].config.weight }
            guard let choice = try? WeightedChoice(weights: weights) else { return lowestID(ids, providers) }
            return ids[choice.pick(&rng)]
        case .score:
            let terms = weightTerms(providers)
            return best(eligible, providers) { i in score(providers[i], order: order, weightTerm: terms[i]) }
        case .p2c:
            // Candidates in proportion to weight, so the runbook's "increase router weights"
            // shifts traffic here too; uniform when every eligible weight is zero.
            let ids = Self.members(eligible)
            let choice = try? WeightedChoice(weights: ids.map { providers[$0].config.weight })
            let a = ids[choice?.pick(&rng) ?? rng.nextInt(below: ids.count)]
            let b = ids[choice?.pick(&rng) ?? rng.nextInt(below: ids.count)]
            return best(1 << UInt64(a) | 1 << UInt64(b), providers) { providers[$0].load }
        case .cheapest:
            return best(eligible, providers) { providers[$0].price }
        case .ordered:
            let order = config.order.isEmpty ? Array(providers.indices) : config.order
            return order.first { eligible & (1 << UInt64($0)) != 0 } ?? lowestID(Self.members(eligible), providers)
        }
    }

    /// Each provider's weight term of the score (see `score`), −ln(w / mean w) (+∞ for
    /// weight 0; 0 for every provider when all weights are 0), cached
    /// until a weight changes: weights move only by operator action, a logarithm per
    /// provider per order did not.
    mutating func weightTerms(_ providers: [Provider]) -> [Double] {
        if cachedWeights.count == providers.count
            && providers.indices.allSatisfy({ cachedWeights[$0] == providers[$0].config.weight }) {
            return cachedTerms
        }
        cachedWeights = providers.map(\.config.weight)
        let meanWeight = cachedWeights.reduce(0, +) / Double(providers.count)
        cachedTerms = cachedWeights.map { w in
            guard meanWeight > 0 else { return 0 }
            return w > 0 ? -CMath.ln(w / meanWeight) : .infinity
        }
        return cachedTerms
    }

    /// The `score` strategy's cost of a provider, lowest wins:
    ///
    ///     price·w_price/budget + ack_median_s·w_latency + (1 − reputation)·w_reputation
    ///       + load·w_load − w_weight·ln(weight / mean weight)
    ///
    /// The weight term is what makes the runbook's lever work: a provider at the mean weight
    /// is unaffected, doubling its weight lowers its cost by w_weight·ln 2 (0.35 by default),
    /// and weight 0 drains it (infinite cost; chosen only if nothing else is eligible).
    /// Scaling every weight by the same factor changes nothing.
    public func score(_ p: Provider, order: Order, meanWeight: Double) -> Double {
        let term = meanWeight > 0 ? (p.config.weight > 0 ? -CMath.ln(p.config.weight / meanWeight) : .infinity) : 0
        return score(p, order: order, weightTerm: term)
    }

    func score(_ p: Provider, order: Order, weightTerm: Double) -> Double {
        var cost = config.priceWeight * p.price / max(order.budgetPerGPUHour, 1e-9)
            + config.latencyWeight * p.config.ackMedian.seconds
            + config.reputationWeight * (1 - p.config.reputation)
            + config.loadWeight * p.load
        if config.weightWeight > 0 && weightTerm != 0 { cost += config.weightWeight * weightTerm }
        return cost
    }

    /// The provider in `mask` with the smallest key, ties broken by provider id so no order
    /// of evaluation leaks; each key is computed once.
    func best(_ mask: UInt64, _ providers: [Provider], key: (Int) -> Double) -> Int {
        var m = mask
        var bestIndex = m.trailingZeroBitCount
        var bestKey = key(bestIndex)
        m &= m &- 1
        while m != 0 {
            let i = m.trailingZeroBitCount
            m &= m &- 1
            let k = key(i)
            if k < bestKey || (k == bestKey && providers[i].config.id < providers[bestIndex].config.id) {
                bestIndex = i
                bestKey = k
            }
        }
        return bestIndex
    }

    func lowestID(_ ids: [Int], _ providers: [Provider]) -> Int {
        ids.min { providers[$0].config.id < providers[$1].config.id }!
    }
}

/// `RoutingMiss` as an `Error`, so `choose` can return a `Result`.
public struct RoutingMissError: Error, Equatable {
    public let miss: RoutingMiss
}
