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

    public init(config: RouterConfig, rng: Xoshiro256StarStar) {
        self.config = config
        self.rng = rng
    }

    public mutating func choose(for order: Order, providers: [Provider], breakers: [CircuitBreaker],
                                reputationFloor: Double, at now: SimTime) -> Result<Int, RoutingMissError> {
        var candidates = 0, affordable = 0
        var eligible: [Int] = []
        eligible.reserveCapacity(providers.count)
        for (i, p) in providers.enumerated() {
            guard p.serves(region: order.region), p.config.reputation >= reputationFloor,
                  order.triedProviders & (1 << UInt64(i)) == 0 else { continue }
            candidates += 1
            guard p.price <= order.budgetPerGPUHour else { continue }
            affordable += 1
            if !p.paused && p.freeSlots > 0 && breakers[i].wouldPermit(at: now) { eligible.append(i) }
        }
        if eligible.isEmpty {
            let miss: RoutingMiss = candidates == 0 ? .noProvider : affordable == 0 ? .overBudget : .busy
            return .failure(RoutingMissError(miss: miss))
        }
        return .success(pick(eligible, order: order, providers: providers))
    }

    mutating func pick(_ eligible: [Int], order: Order, providers: [Provider]) -> Int {
        switch config.strategy {
        case .weighted:
            let weights = eligible.map { providers[$0].config.weight }
            guard let choice = try? WeightedChoice(weights: weights) else { return lowestID(eligible, providers) }
            return eligible[choice.pick(&rng)]
        case .score:
            let meanWeight = providers.reduce(0) { $0 + $1.config.weight } / Double(providers.count)
            return best(eligible, providers) { score($0, order: order, meanWeight: meanWeight) }
        case .p2c:
            // Candidates in proportion to weight, so the runbook's "increase router weights"
            // shifts traffic here too; uniform when every eligible weight is zero.
            let choice = try? WeightedChoice(weights: eligible.map { providers[$0].config.weight })
            let a = eligible[choice?.pick(&rng) ?? rng.nextInt(below: eligible.count)]
            let b = eligible[choice?.pick(&rng) ?? rng.nextInt(below: eligible.count)]
            return best([a, b], providers) { $0.load }
        case .cheapest:
            return best(eligible, providers) { $0.price }
        case .ordered:
            let order = config.order.isEmpty ? Array(providers.indices) : config.order
            return order.first(where: eligible.contains) ?? lowestID(eligible, providers)
        }
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
        var cost = config.priceWeight * p.price / max(order.budgetPerGPUHour, 1e-9)
            + config.latencyWeight * p.config.ackMedian.seconds
            + config.reputationWeight * (1 - p.config.reputation)
            + config.loadWeight * p.load
        if meanWeight > 0 && config.weightWeight > 0 {
            cost -= p.config.weight > 0 ? config.weightWeight * CMath.ln(p.config.weight / meanWeight) : -Double.infinity
        }
        return cost
    }

    /// The minimum of `key`, ties broken by provider id so no order of evaluation leaks.
    func best(_ ids: [Int], _ providers: [Provider], key: (Provider) -> Double) -> Int {
        ids.min { a, b in
            let ka = key(providers[a]), kb = key(providers[b])
            return ka < kb || (ka == kb && providers[a].config.id < providers[b].config.id)
        }!
    }

    func lowestID(_ ids: [Int], _ providers: [Provider]) -> Int {
        ids.min { providers[$0].config.id < providers[$1].config.id }!
    }
}

/// `RoutingMiss` as an `Error`, so `choose` can return a `Result`.
public struct RoutingMissError: Error, Equatable {
    public let miss: RoutingMiss
}
