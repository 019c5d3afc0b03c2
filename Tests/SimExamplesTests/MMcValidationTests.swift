import Testing
import SimKernel
@testable import SimExamples

/// The kernel validated against queueing theory: an M/M/c queue written on the public API
/// must reproduce Erlang C, and its own outputs must satisfy Little's law.
@Suite struct MMcValidationTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let servers: Int, lambda: Double, mu: Double, customers: Int
        var testDescription: String { "c=\(servers) λ=\(lambda) μ=\(mu)" }
    }

    static let cases = [
        Case(servers: 1, lambda: 0.8, mu: 1, customers: 400_000),  // ρ = 0.8, strongly correlated waits
        Case(servers: 7, lambda: 6, mu: 1, customers: 300_000),    // the benchmark's queue, ρ ≈ 0.857
    ]

    /// Simulated Wq and P(wait) within 4 batch-means standard errors of Erlang C. Waits in a
    /// queue are autocorrelated, so the naive σ/√n would be far too small; batches of 10,000
    /// customers are long against the relaxation time (≈ 90 customers at c = 1, ρ = 0.8).
    @Test(arguments: cases, [UInt64(1), 2])
    func meanWaitAndWaitProbabilityMatchErlangC(_ c: Case, seed: UInt64) {
        let p = MMcParameters(servers: c.servers, arrivalRate: c.lambda, serviceRate: c.mu, customers: c.customers)
        let r = MMc.runToCompletion(p, seed: seed, detail: MMcDetail(batchSize: 10_000))
        let d = r.detail!, theory = p.theory
        #expect(r.statistics.served == c.customers)
        #expect(r.events == UInt64(2 * c.customers))

        let wqTolerance = 4 * d.waitBatches.standardError
        #expect(abs(r.statistics.meanWait - theory.meanWaitInQueue) <= wqTolerance,
                "Wq \(r.statistics.meanWait) vs Erlang C \(theory.meanWaitInQueue) ± \(wqTolerance)")
        let pTolerance = 4 * d.waitedBatches.standardError
        #expect(abs(r.statistics.waitFraction - theory.waitProbability) <= pTolerance,
                "P(wait) \(r.statistics.waitFraction) vs Erlang C \(theory.waitProbability) ± \(pTolerance)")
        // The batch means themselves agree with the per-customer statistics.
        #expect(abs(d.waitBatches.overall.mean - r.statistics.meanWait) < 1e-9)
    }

    /// Little's law on the run's own outputs. For a run that starts and ends empty,
    /// ∫N(t)dt = Σ Wᵢ exactly (every customer contributes its sojourn to the area), so
    /// L = λ̂W with λ̂ = n/T, and likewise Lq = λ̂Wq. Integer time makes both sides exact
    /// up to the final floating-point division.
    @Test(arguments: cases)
    func littlesLawHoldsOnTheRunsOwnOutputs(_ c: Case) {
        let p = MMcParameters(servers: c.servers, arrivalRate: c.lambda, serviceRate: c.mu, customers: 50_000)
        let r = MMc.runToCompletion(p, seed: 7)
        let st = r.statistics
        let l = r.meanNumberInSystem, lambdaW = r.observedArrivalRate * st.meanSojourn
        #expect(abs(l - lambdaW) / lambdaW < 1e-9, "L \(l) vs λW \(lambdaW)")
        let lq = r.meanNumberInQueue, lambdaWq = r.observedArrivalRate * st.meanWait
        #expect(abs(lq - lambdaWq) / lambdaWq < 1e-9, "Lq \(lq) vs λWq \(lambdaWq)")
        #expect(st.numberInSystem.current == 0 && st.numberInQueue.current == 0)
    }

    @Test func sameSeedSameRunDifferentSeedDifferentRun() {
        let p = MMcParameters(servers: 3, arrivalRate: 2.5, serviceRate: 1, customers: 20_000)
        let a = MMc.runToCompletion(p, seed: 11), b = MMc.runToCompletion(p, seed: 11)
        let c = MMc.runToCompletion(p, seed: 12)
        #expect(a.statistics.totalWaitMicroseconds == b.statistics.totalWaitMicroseconds)
        #expect(a.endTime == b.endTime && a.statistics.waited == b.statistics.waited)
        #expect(a.statistics.totalWaitMicroseconds != c.statistics.totalWaitMicroseconds)
    }

    /// The closure-per-event variant (kept for the benchmark) draws the same streams in
    /// the same order, so it must reproduce the enum model to the microsecond.
    @Test func closureStyleReproducesTheEnumModelExactly() {
        let p = MMcParameters(servers: 7, arrivalRate: 6, serviceRate: 1, customers: 20_000)
        let e = MMc.runToCompletion(p, seed: 5), k = MMcClosureStyle.runToCompletion(p, seed: 5)
        #expect(e.statistics.totalWaitMicroseconds == k.statistics.totalWaitMicroseconds)
        #expect(e.statistics.totalSojournMicroseconds == k.statistics.totalSojournMicroseconds)
        #expect(e.endTime == k.endTime && e.events == k.events)
    }

    @Test func steppedRunsPartitionTheTimeline() {
        let p = MMcParameters(servers: 7, arrivalRate: 6, serviceRate: 1)
        var steps: [MMc.Step] = []
        let r = MMc.runSteps(p, seed: 3, steps: 30, stepLength: .seconds(60)) { steps.append($0) }
        #expect(steps.map(\.index) == Array(0..<30))
        #expect(r.endTime == .zero + .minutes(30))
        #expect(steps.map(\.arrivals).reduce(0, +) == r.statistics.arrivals)
        #expect(steps.map(\.served).reduce(0, +) == r.statistics.served)
        #expect(steps.allSatisfy { $0.utilisation >= 0 && $0.utilisation <= 1 })
        // Per-step queue-length averages integrate back to the whole-run average.
        let mean = steps.map(\.meanQueueLength).reduce(0, +) / 30
        #expect(abs(mean - r.meanNumberInQueue) < 1e-9)
    }

    @Test func invalidParametersAreNamed() {
        #expect(MMcParameters(servers: 0, arrivalRate: 1, serviceRate: 1).validate()?.hasPrefix("servers:") == true)
        #expect(MMcParameters(servers: 1, arrivalRate: -1, serviceRate: 1).validate()?.hasPrefix("arrival-rate:") == true)
        #expect(MMcParameters(servers: 1, arrivalRate: 1, serviceRate: .nan).validate()?.hasPrefix("service-rate:") == true)
        #expect(MMcParameters(servers: 1, arrivalRate: 1, serviceRate: 1).validate() == nil)
    }
}
