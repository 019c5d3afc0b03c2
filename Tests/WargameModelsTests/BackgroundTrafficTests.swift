import Foundation
import Testing
import SimKernel
@testable import WargameModels

/// Other applications' relayer traffic is drawn in blocks through quantile tables
/// (`BackgroundTraffic`); the model it replaces drew each message when it arrived, with
/// the exact samplers, and queued it with the Kiefer–Wolfowitz recursion. Both are run on
/// the same parameters and probed by "our" messages, whose waits for a relayer are what
/// the simulation observes.
@Suite struct BackgroundTrafficTests {
    /// The per-message reference: Poisson arrivals (exponential gaps, −ln U / rate) of
    /// lognormal work, each drawn when needed, work then gap, from `rng`.
    struct PerMessageReference {
        var rng: Xoshiro256StarStar
        let rate: Double
        let work: LogNormal
        var next: SimTime

        init(rate: Double, work: LogNormal, rng: Xoshiro256StarStar) {
            self.rng = rng
            self.rate = rate
            self.work = work
            next = .zero
            next = .zero + gap()
        }

        mutating func gap() -> SimDuration {
            SimDuration(roundingMicroseconds: -log(rng.nextOpenClosedDouble()) * (1e6 / rate))
        }

        mutating func absorb(through t: SimTime, into q: inout RelayerQueue, multiplier m: Double) {
            while next <= t {
                _ = q.serve(arrival: next, work: SimDuration(seconds: work.sample(&rng) * m))
                next = next + gap()
            }
        }
    }

    /// Waits of `probes` messages (one every `spacing`, 60 ms of work each) on c relayers
    /// shared with background traffic drawn by the new method or by the reference.
    func probeWaits(perMessage: Bool, seed: UInt64, probes: Int, relayers: Int = 2, rate: Double = 14,
                    multiplier: Double = 1.5, spacing: SimDuration = .milliseconds(500)) throws -> [Int64] {
        let work = try LogNormal(median: 0.050, p95: 0.140)
        let rng = Xoshiro256StarStar(seed: seed)
        var fast = BackgroundTraffic(rate: rate, work: work, rng: rng)
        var reference = PerMessageReference(rate: rate, work: work, rng: rng)
        var q = RelayerQueue(relayers: relayers)
        var waits: [Int64] = []
        for k in 1...probes {
            let t = SimTime.zero + spacing * Int64(k)
            if perMessage {
                reference.absorb(through: t, into: &q, multiplier: multiplier)
            } else {
                fast.drain(through: t, into: &q, multiplier: multiplier)
            }
            let (start, _) = q.serve(arrival: t, work: .milliseconds(60))!
            waits.append((start - t).microseconds)
        }
        return waits
    }

    /// On the same stream the two methods make the same draws (tables agree with the exact
    /// samplers to 1e-8), so probe waits agree to within rounding: at most a few µs apart,
    /// and identical for nearly every probe.
    @Test func sameStreamGivesTheSameWaits() throws {
        let n = 20_000
        let fast = try probeWaits(perMessage: false, seed: 41, probes: n)
        let reference = try probeWaits(perMessage: true, seed: 41, probes: n)
        let worst = zip(fast, reference).map { abs($0 - $1) }.max()!
        let same = zip(fast, reference).filter { $0 == $1 }.count
        #expect(worst <= 5, "largest difference \(worst) µs")
        #expect(Double(same) >= 0.99 * Double(n), "\(same) of \(n) waits identical")
        #expect(fast.filter { $0 > 0 }.count > n / 10, "the probes must actually queue for the test to mean anything")
    }

    /// On independent streams the wait distributions match: two-sample KS over 20,000
    /// probes each (critical D = 0.0195 at α = 0.001), and the same mean within 5 standard
    /// errors of the difference — for 1 and 2 relayers, at relayer loads of 0.68 to 0.85.
    /// Probes are 2 s apart, several busy periods, so their waits are close to independent
    /// as the KS test assumes.
    @Test(arguments: [(1, 0.8), (2, 1.5), (2, 2.0)])
    func independentStreamsGiveTheSameWaitDistribution(relayers: Int, multiplier: Double) throws {
        let n = 20_000
        let fast = try probeWaits(perMessage: false, seed: 42, probes: n, relayers: relayers, multiplier: multiplier, spacing: .seconds(2)).map(Double.init)
        let reference = try probeWaits(perMessage: true, seed: 43, probes: n, relayers: relayers, multiplier: multiplier, spacing: .seconds(2)).map(Double.init)
        #expect(KolmogorovSmirnov.statistic(fast, reference) < KolmogorovSmirnov.critical(n: n, m: n))
        func meanAndVariance(_ xs: [Double]) -> (Double, Double) {
            let m = xs.reduce(0, +) / Double(xs.count)
            return (m, xs.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(xs.count - 1))
        }
        let (ma, va) = meanAndVariance(fast), (mb, vb) = meanAndVariance(reference)
        // Probe waits are autocorrelated (0.5 s apart, busy periods of a few hundred ms), so
        // the standard error uses a batch-means estimate of the variance of the mean.
        let se = (batchVariance(fast) + batchVariance(reference)).squareRoot()
        #expect(abs(ma - mb) <= 5 * se, "mean waits \(ma) vs \(mb) µs (± \(5 * se)); variances \(va), \(vb)")
    }

    /// Variance of the sample mean by 40 batch means.
    func batchVariance(_ xs: [Double]) -> Double {
        let batches = 40, size = xs.count / batches
        let means = (0..<batches).map { b in xs[(b * size)..<((b + 1) * size)].reduce(0, +) / Double(size) }
        let m = means.reduce(0, +) / Double(batches)
        return means.reduce(0) { $0 + ($1 - m) * ($1 - m) } / Double(batches - 1) / Double(batches)
    }
}

