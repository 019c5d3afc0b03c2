import Foundation
import Testing
@testable import SimKernel

func ksStatistic(_ xs: [Double], cdf: (Double) -> Double) -> Double { KolmogorovSmirnov.statistic(xs, cdf: cdf) }

/// The KS critical value at α = 0.001 (1.949/√n): a fixed-seed test rejects a correct
/// sampler with probability 0.001, a wrong one (D ≫ c/√n) almost surely.
func ksCritical(n: Int) -> Double { KolmogorovSmirnov.critical(n: n) }

func standardNormalCDF(_ z: Double) -> Double { 0.5 * erfc(-z / 2.0.squareRoot()) }

/// The samplers the simulator draws from: Φ⁻¹ by AS 241 (normal and lognormal by
/// inversion, one uniform per draw), and the quantile tables that other applications'
/// relayer traffic is drawn through. Each is compared with its definition.
@Suite struct SamplerTests {
    /// The test itself must be able to fail: hand-checked statistics, and a wrong
    /// distribution rejected at the sample sizes used below.
    @Test func kolmogorovSmirnovRejectsTheWrongDistribution() throws {
        #expect(KolmogorovSmirnov.statistic([0.5], cdf: { $0 }) == 0.5)
        #expect(KolmogorovSmirnov.statistic([0.1, 0.2, 0.3], [0.1, 0.2, 0.3]) == 0)
        #expect(KolmogorovSmirnov.statistic([1, 2], [3, 4]) == 1)
        #expect(abs(KolmogorovSmirnov.critical(n: 10_000) - 0.01949) < 1e-5)
        let n = 200_000
        var rng = RandomStreams(seed: 20).stream("test.ks")
        // Exponential draws with mean 1 tested as if their mean were 1.02: D ≈ 0.0073 > 0.0044.
        let xs = (0..<n).map { _ in -log(rng.nextOpenClosedDouble()) }
        #expect(ksStatistic(xs, cdf: { 1 - exp(-$0 / 1.02) }) > ksCritical(n: n))
        #expect(ksStatistic(xs, cdf: { 1 - exp(-$0) }) < ksCritical(n: n))
    }

    /// Φ(Φ⁻¹(p)) = p to near double precision over (0, 1), tails included, and Φ⁻¹ is odd
    /// about ½. A wrong coefficient in any of the three rational pieces fails by orders of
    /// magnitude.
    @Test func normalQuantileInvertsTheNormalCDF() {
        var ps: [Double] = [1e-300, 1e-100, 1e-20, 1e-10, 1e-5, 0.001, 0.0125, 0.07, 0.075]
        ps += stride(from: 0.08, through: 0.92, by: 0.01).map { $0 }
        for p in ps {
            let z = NormalQuantile.of(p)
            let back = standardNormalCDF(z)
            // The error in z that explains the miss in p: (Φ(z) − p) / φ(z).
            let density = exp(-z * z / 2) / (2 * Double.pi).squareRoot()
            let zError = abs(back - p) / density
            #expect(zError <= 1e-13 * max(1, abs(z)), "Φ(Φ⁻¹(\(p))) = \(back): z off by \(zError)")
            if p >= 0.001 {  // 1 − p is then exact enough to compare
                #expect(abs(NormalQuantile.of(1 - p) + z) <= 1e-9 * max(1, abs(z)), "Φ⁻¹(1 − \(p)) vs Φ⁻¹(\(p)) = \(z)")
            }
        }
        #expect(abs(NormalQuantile.of(0.95) - standardNormalZ95) < 1e-14)
        #expect(NormalQuantile.of(0.5) == 0)
        #expect(NormalQuantile.of(0) == -.infinity && NormalQuantile.of(1) == .infinity && NormalQuantile.of(2).isNaN)
    }

    /// Normal draws: KS against Φ at n = 200,000 (critical D = 0.0044 at α = 0.001), plus
    /// skewness and excess kurtosis near 0 within 5 standard errors (√(6/n), √(24/n)).
    @Test func normalDrawsFollowTheNormalDistribution() throws {
        let n = 200_000
        var rng = RandomStreams(seed: 21).stream("test.normal")
        let xs = (0..<n).map { _ in Normal.standard(&rng) }
        #expect(ksStatistic(xs, cdf: standardNormalCDF) < ksCritical(n: n))
        let mean = xs.reduce(0, +) / Double(n)
        let m2 = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n)
        let m3 = xs.reduce(0) { $0 + pow($1 - mean, 3) } / Double(n)
        let m4 = xs.reduce(0) { $0 + pow($1 - mean, 4) } / Double(n)
        #expect(abs(mean) < 5 / Double(n).squareRoot() && abs(m2 - 1) < 5 * (2 / Double(n)).squareRoot())
        #expect(abs(m3 / pow(m2, 1.5)) < 5 * (6 / Double(n)).squareRoot())
        #expect(abs(m4 / (m2 * m2) - 3) < 5 * (24 / Double(n)).squareRoot())
    }

    /// Lognormal draws (the relay-time parameters: median 50 ms, p95 140 ms): KS against
    /// Φ((ln x − μ)/σ) at n = 200,000; moments are checked by `DistributionTests`.
    @Test func logNormalDrawsFollowTheLogNormalDistribution() throws {
        let d = try LogNormal(median: 0.050, p95: 0.140)
        let n = 200_000
        var rng = RandomStreams(seed: 22).stream("test.lognormal")
        let xs = (0..<n).map { _ in d.sample(&rng) }
        #expect(ksStatistic(xs, cdf: { standardNormalCDF((log($0) - d.mu) / d.sigma) }) < ksCritical(n: n))
    }

    /// The tables reproduce their quantile functions to 2e-8 relative everywhere in the body
    /// (checked at 20,000 points) for lognormals with σ from 0.06 to 1.4 (p95 ten times the
    /// median; the policy checks are near 0.65), and decline the tails.
    @Test func quantileTablesMatchTheirQuantileFunctions() throws {
        for (median, p95) in [(0.050, 0.140), (0.055, 0.150), (0.3, 1.1), (1.0, 10.0), (0.0018, 0.005), (0.002, 0.0028), (0.002, 0.0022)] {
            let d = try LogNormal(median: median, p95: p95)
            let table = d.makeTable()
            var worst = 0.0
            for k in 0..<20_000 {
                let u = 1.0 / 64 + (62.0 / 64) * Double(k) / 20_000
                let exact = exp(d.mu + d.sigma * NormalQuantile.of(u))
                worst = max(worst, abs(table.value(at: u)! / exact - 1))
            }
            #expect(worst < 2e-8, "lognormal(\(median), \(p95)): worst relative error \(worst)")
            #expect(table.value(at: 0.5 / 64) == nil && table.value(at: 63.5 / 64) == nil)
        }
        var worst = 0.0
        for k in 0..<20_000 {
            let u = 1.0 / 64 + (62.0 / 64) * Double(k) / 20_000
            worst = max(worst, abs(Exponential.unitTable.value(at: u)! / -log(u) - 1))
        }
        #expect(worst < 1e-8, "exponential: worst relative error \(worst)")
    }

    /// Drawn through a table, a lognormal and an exponential are the same draws as the
    /// exact samplers on the same stream (to 1e-8), and follow their distributions: KS at
    /// n = 200,000, and mean and variance within 5 standard errors.
    @Test func tabulatedSamplersFollowTheirDistributions() throws {
        let d = try LogNormal(median: 0.050, p95: 0.140)
        let table = d.makeTable()
        let n = 200_000
        var a = RandomStreams(seed: 23).stream("test.table"), b = a
        var xs: [Double] = [], worst = 0.0
        for _ in 0..<n {
            let fast = d.sample(&a, table: table), exact = d.sample(&b)
            worst = max(worst, abs(fast / exact - 1))
            xs.append(fast)
        }
        #expect(worst < 1e-8, "tabulated vs exact lognormal draws: worst relative difference \(worst)")
        #expect(ksStatistic(xs, cdf: { standardNormalCDF((log($0) - d.mu) / d.sigma) }) < ksCritical(n: n))
        let mean = xs.reduce(0, +) / Double(n)
        let variance = xs.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / Double(n - 1)
        let mu4 = centralFourth(d.rawMoment(1), d.rawMoment(2), d.rawMoment(3), d.rawMoment(4))
        #expect(abs(mean - d.mean) < 5 * (d.variance / Double(n)).squareRoot())
        #expect(abs(variance - d.variance) < 5 * ((mu4 - d.variance * d.variance) / Double(n)).squareRoot())

        // Exponential gaps as the relayers' background traffic draws them: −ln U through the
        // unit table, times the mean.
        let e = try Exponential(rate: 14)
        var c = RandomStreams(seed: 24).stream("test.table.exp"), c2 = c
        var gaps: [Double] = [], worstGap = 0.0
        for _ in 0..<n {
            let u = c.nextOpenClosedDouble()
            let fast = (Exponential.unitTable.value(at: u) ?? -log(u)) * e.mean, exact = e.sample(&c2)
            worstGap = max(worstGap, exact > 0 ? abs(fast / exact - 1) : abs(fast))
            gaps.append(fast)
        }
        #expect(worstGap < 1e-8, "tabulated vs exact exponential draws: worst relative difference \(worstGap)")
        #expect(ksStatistic(gaps, cdf: { 1 - exp(-14 * $0) }) < ksCritical(n: n))
        let gMean = gaps.reduce(0, +) / Double(n)
        #expect(abs(gMean - 1.0 / 14) < 5 * (1.0 / 14) / Double(n).squareRoot())
    }
}


@Suite struct QuantileTableCacheTests {
    /// A cached table is the table `makeTable` builds, built once while cached; the cache
    /// keeps at most its capacity, dropping the least recently used.
    @Test func cachedTablesAreTheBuiltOnesAndTheCacheIsBounded() throws {
        let cache = QuantileTableCache(capacity: 3)
        let ds = try (1...5).map { try LogNormal(median: 0.01 * Double($0), p95: 0.03 * Double($0)) }
        for d in ds.prefix(3) {
            let (a, b) = (cache.table(for: d), d.makeTable())
            for k in 0..<1_000 {
                let u = 1.0 / 64 + (62.0 / 64) * Double(k) / 1_000
                #expect(a.value(at: u) == b.value(at: u))
            }
        }
        #expect(cache.builds == 3 && cache.count == 3)
        _ = cache.table(for: ds[0])                    // a hit: now the most recent
        #expect(cache.builds == 3)
        _ = cache.table(for: ds[3])                    // evicts ds[1], the least recent
        #expect(cache.builds == 4 && cache.count == 3)
        _ = cache.table(for: ds[0])
        #expect(cache.builds == 4)
        _ = cache.table(for: ds[1])                    // was evicted: built again
        #expect(cache.builds == 5 && cache.count == 3)
    }

    /// Parallel replications share it: many threads asking for a few tables get the right
    /// ones, and each is built only a few times at most (once per racing thread).
    @Test func threadsShareTheCache() throws {
        let cache = QuantileTableCache(capacity: 8)
        let ds = try (1...4).map { try LogNormal(median: 0.01 * Double($0), p95: 0.05 * Double($0)) }
        let expected = ds.map { $0.makeTable().value(at: 0.3)! }
        let wrong = ConcurrentTally()
        DispatchQueue.concurrentPerform(iterations: 64) { i in
            let d = i % 4
            if cache.table(for: ds[d]).value(at: 0.3) != expected[d] { wrong.increment() }
        }
        #expect(wrong.value == 0)
        #expect(cache.count == 4 && cache.builds >= 4 && cache.builds <= 4 * 8)
    }
}

/// A thread-safe tally for the concurrency test.
final class ConcurrentTally: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func increment() { lock.lock(); n += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}
