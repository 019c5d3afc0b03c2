import Foundation
import Testing
import SimKernel
@testable import WargameModels

@Suite struct RouterTests {
    func providers() -> [Provider] {
        ProviderConfig.defaults.enumerated().map { Provider(config: $1, rng: Xoshiro256StarStar(seed: UInt64($0))) }
    }
    func breakers(_ n: Int) -> [CircuitBreaker] { Array(repeating: CircuitBreaker(config: BreakerConfig()), count: n) }
    func router(_ s: RoutingStrategy) -> Router {
        var c = RouterConfig()
        c.strategy = s
        return Router(config: c, rng: Xoshiro256StarStar(seed: 3))
    }
    func id(_ i: Int) -> String { ProviderConfig.defaults[i].id }

    @Test func cheapestPicksTheLowestPriceInRegion() throws {
        var r = router(.cheapest)
        let ps = providers()
        // Region 1 (eu-west): akash 1.10, flux 0.95, aethir 1.60, render 1.80, golem 0.85 (rep 0.72).
        let pick = try r.choose(for: sampleOrder(region: 1), providers: ps, breakers: breakers(7), reputationFloor: 0.6, at: .zero).get()
        #expect(id(pick) == "golem")
        let floored = try r.choose(for: sampleOrder(region: 1), providers: ps, breakers: breakers(7), reputationFloor: 0.8, at: .zero).get()
        #expect(id(floored) == "flux")
    }

    @Test func eligibilityExcludesFullOpenTriedAndOverBudgetProviders() throws {
        var r = router(.cheapest)
        var ps = providers()
        var bs = breakers(7)
        var order = sampleOrder(region: 1)
        ps[6].running = ps[6].config.capacity                                   // golem full
        for _ in 0..<20 { _ = bs[1].record(failure: true, at: .zero) }           // flux breaker open
        order.triedProviders = 1 << 0                                            // akash tried
        let pick = try r.choose(for: order, providers: ps, breakers: bs, reputationFloor: 0.6, at: .zero).get()
        #expect(id(pick) == "aethir")
        order.budgetPerGPUHour = 1.0
        let miss = r.choose(for: order, providers: ps, breakers: bs, reputationFloor: 0.6, at: .zero)
        #expect(miss == .failure(RoutingMissError(miss: .busy)))  // golem and flux are affordable, just unavailable
        order.budgetPerGPUHour = 0.5
        #expect(r.choose(for: order, providers: ps, breakers: bs, reputationFloor: 0.6, at: .zero)
                == .failure(RoutingMissError(miss: .overBudget)))
        #expect(r.choose(for: sampleOrder(region: 3), providers: ps, breakers: bs, reputationFloor: 0.6, at: .zero)
                == .failure(RoutingMissError(miss: .noProvider)))
    }

    @Test func scoreTiesBreakByProviderID() throws {
        var r = router(.score)
        var ps = providers()
        for i in ps.indices {  // make every provider identical but for its id
            ps[i].config.pricePerGPUHour = 1; ps[i].config.reputation = 0.9; ps[i].config.ackMedian = .milliseconds(300)
            ps[i].config.weight = 1
        }
        let pick = try r.choose(for: sampleOrder(region: 0), providers: ps, breakers: breakers(7), reputationFloor: 0.6, at: .zero).get()
        #expect(id(pick) == "akash")  // alphabetically first among those serving us-east
    }

    /// The runbook's failover lever, "increase router weights", must move traffic under the
    /// default strategy: weight enters the score as −w_weight·ln(weight / mean weight).
    @Test func scoreHonoursRoutingWeights() throws {
        var r = router(.score)
        var ps = providers()
        for i in ps.indices {
            ps[i].config.pricePerGPUHour = 1; ps[i].config.reputation = 0.9; ps[i].config.ackMedian = .milliseconds(300)
            ps[i].config.weight = 1
        }
        let order = sampleOrder(region: 0)
        ps[2].config.weight = 3  // vast
        #expect(id(try r.choose(for: order, providers: ps, breakers: breakers(7), reputationFloor: 0.6, at: .zero).get()) == "vast")
        ps[2].config.weight = 1
        ps[0].config.weight = 0  // akash drained
        #expect(id(try r.choose(for: order, providers: ps, breakers: breakers(7), reputationFloor: 0.6, at: .zero).get()) == "flux")
        // The formula: doubling a weight lowers the cost by w_weight·ln 2; all weights ×10 changes nothing.
        let a = r.score(ps[1], order: order, meanWeight: 1), b = r.score(ps[1], order: order, meanWeight: 0.5)
        #expect(abs((a - b) - 0.5 * log(2.0)) < 1e-12)
        var scaled = ps
        for i in scaled.indices { scaled[i].config.weight *= 10 }
        #expect(abs(r.score(scaled[1], order: order, meanWeight: 10) - a) < 1e-12)
        r.config.weightWeight = 0  // weights ignored: the tie goes back to akash
        #expect(id(try r.choose(for: order, providers: ps, breakers: breakers(7), reputationFloor: 0.6, at: .zero).get()) == "akash")
    }

    @Test func p2cDrawsCandidatesByWeight() throws {
        var r = router(.p2c)
        var ps = providers()
        for i in ps.indices { ps[i].config.weight = i == 4 ? 1 : 0 }  // only ionet has weight
        for _ in 0..<200 {
            #expect(id(try r.choose(for: sampleOrder(region: 0), providers: ps, breakers: breakers(7), reputationFloor: 0.6, at: .zero).get()) == "ionet")
        }
        for i in ps.indices { ps[i].config.weight = 0 }  // no weights at all: uniform, still a valid pick
        let pick = try r.choose(for: sampleOrder(region: 0), providers: ps, breakers: breakers(7), reputationFloor: 0.6, at: .zero).get()
        #expect(ps[pick].serves(region: 0))
    }

    @Test func orderedUsesPrimaryThenBackups() throws {
        var r = router(.ordered)
        r.config.order = [3, 1, 0]
        let ps = providers()
        #expect(id(try r.choose(for: sampleOrder(region: 0), providers: ps, breakers: breakers(7), reputationFloor: 0.6, at: .zero).get()) == "flux")
        #expect(id(try r.choose(for: sampleOrder(region: 1), providers: ps, breakers: breakers(7), reputationFloor: 0.6, at: .zero).get()) == "aethir")
    }

    @Test func p2cPrefersTheLessLoadedOfTwo() {
        var r = router(.p2c)
        var ps = providers()
        ps[0].running = 200  // akash nearly full
        var akash = 0
        for _ in 0..<2_000 {
            if case .success(let p) = r.choose(for: sampleOrder(region: 0), providers: ps, breakers: breakers(7), reputationFloor: 0.6, at: .zero),
               p == 0 { akash += 1 }
        }
        // Akash wins only when both candidates are akash. Candidates are drawn by weight (akash 3
        // of the 9 among the five serving us-east), so that is (3/9)² of the time: within 5 σ.
        let p = 1.0 / 9
        #expect(abs(Double(akash) / 2_000 - p) < 5 * (p * (1 - p) / 2_000).squareRoot())
    }

    @Test func weightedFollowsRoutingWeights() {
        var r = router(.weighted)
        let ps = providers()
        var counts = Array(repeating: 0, count: 7)
        let n = 20_000
        for _ in 0..<n {
            if case .success(let p) = r.choose(for: sampleOrder(region: 2), providers: ps, breakers: breakers(7), reputationFloor: 0.6, at: .zero) {
                counts[p] += 1
            }
        }
        // ap-south: flux 2, vast 2, aethir 2, ionet 1, golem 1 → total 8.
        for (i, w) in [(1, 2.0), (2, 2.0), (3, 2.0), (4, 1.0), (6, 1.0)] {
            let p = w / 8
            #expect(abs(Double(counts[i]) / Double(n) - p) <= 5 * (p * (1 - p) / Double(n)).squareRoot())
        }
        #expect(counts[0] == 0 && counts[5] == 0)
    }
}
