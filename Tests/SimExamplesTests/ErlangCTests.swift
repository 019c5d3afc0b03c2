import Foundation
import Testing
@testable import SimExamples

@Suite struct ErlangCTests {
    /// For one server Erlang C reduces to P(wait) = ρ and Wq = ρ / (μ − λ).
    @Test func singleServerReducesToMM1() {
        let q = ErlangC(servers: 1, arrivalRate: 0.8, serviceRate: 1)
        #expect(abs(q.waitProbability - 0.8) < 1e-12)
        #expect(abs(q.meanWaitInQueue - 4) < 1e-12)
        #expect(abs(q.meanNumberInSystem - 4) < 1e-12)  // ρ / (1 − ρ)
    }

    /// Cross-checks the Erlang B recursion against the factorial form of Erlang C.
    @Test(arguments: [(7, 6.0, 1.0), (3, 2.0, 1.0), (20, 15.0, 0.9)])
    func matchesTheFactorialForm(servers c: Int, lambda: Double, mu: Double) {
        let a = lambda / mu, rho = a / Double(c)
        var sum = 0.0, term = 1.0
        for k in 0..<c {
            if k > 0 { term *= a / Double(k) }
            sum += term
        }
        let top = term * a / Double(c) / (1 - rho)  // a^c / c! · 1/(1−ρ)
        let expected = top / (sum + top)
        let q = ErlangC(servers: c, arrivalRate: lambda, serviceRate: mu)
        #expect(abs(q.waitProbability - expected) < 1e-12)
        #expect(abs(q.meanWaitInQueue - expected / (Double(c) * mu - lambda)) < 1e-12)
    }

    @Test func unstableQueuesAlwaysWait() {
        let q = ErlangC(servers: 2, arrivalRate: 3, serviceRate: 1)
        #expect(!q.isStable && q.waitProbability == 1 && q.meanWaitInQueue == .infinity)
    }
}
