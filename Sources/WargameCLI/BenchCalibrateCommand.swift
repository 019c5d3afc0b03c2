import Foundation
import SimKernel
import WargameCalibration
import WargameModels
import WargameReports

/// `wargame bench calibrate`: the raw-sample path of `calibrate` at production volume —
/// N lognormal latencies fitted by all four families, ranked, tested (Anderson–Darling with
/// its bootstrap) and given intervals — and the same data as histogram buckets, timed.
enum BenchCalibrateCommand: Command {
    static let name = "bench calibrate"
    static let abstract = "Benchmark fitting raw latency samples and histogram buckets (build with -c release)."
    static let options: [OptionSpec] = [
        OptionSpec("samples", value: "n", help: "Raw samples to fit.", default: "10000000"),
        OptionSpec("seed", value: "n", help: "Seed of the samples and the bootstrap.", default: "1"),
    ]

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        try o.expectPositionals(atMost: 0)
        let n = try o.integer("samples", range: 100...200_000_000, default: 10_000_000)
        let seed = UInt64(try o.integer("seed", range: 0...Int.max, default: 1))
        // akash's default acknowledgement latency: median 300 ms, p95 1,100 ms.
        let truth = try LogNormal(median: 300, p95: 1_100)
        var rng = RandomStreams(seed: seed).stream("bench.calibrate.samples")
        let values = (0..<n).map { _ in truth.sample(&rng) }
        let clock = ContinuousClock()
        let start = clock.now
        let fits = LatencyFit.fitAll(.raw(values))
        let fitted = clock.now
        let lognormal = try require_(fits.first { $0.distribution.family == .lognormal })
        let estimate = LognormalEstimate(raw: lognormal.distribution, n: n)
        var gofRNG = RandomStreams(seed: seed).stream("bench.calibrate.gof")
        let gof = GoodnessOfFit.andersonDarling(values, family: .lognormal, rng: &gofRNG)
        let rawSeconds = Progress.seconds(clock.now - start), fitSeconds = Progress.seconds(fitted - start)
        // The same values as Prometheus would hold them.
        var h = BucketHistogram(bounds: InputTelemetry.serviceBounds.map { $0 * 1_000 })
        for v in values { h.add(v) }
        let binnedStart = clock.now
        let binned = LatencyFit.fitAll(.binned(bounds: h.bounds, counts: h.counts, overflow: h.overflow))
        let binnedLognormal = try require_(binned.first { $0.distribution.family == .lognormal })
        let binnedEstimate = LognormalEstimate(binned: binnedLognormal.distribution, bounds: h.bounds, counts: h.counts, overflow: h.overflow)
        let chi = GoodnessOfFit.chiSquare(bounds: h.bounds, counts: h.counts, overflow: h.overflow, binnedLognormal.distribution)
        let binnedSeconds = Progress.seconds(clock.now - binnedStart)
        func ci(_ e: Estimate?) -> String {
            guard let e else { return "-" }
            let value: String = NumberFormat.significant(e.value, 6)
            let low: String = NumberFormat.significant(e.low, 6), high: String = NumberFormat.significant(e.high, 6)
            return value + " [" + low + ", " + high + "]"
        }
        let adP: String = gof.map { NumberFormat.fixed($0.pValue, 3) } ?? "-"
        let chiP: String = chi.map { NumberFormat.fixed($0.pValue, 3) } ?? "-"
        context.console.out(figures([
            ("build", buildConfiguration), ("samples", String(n)),
            ("raw_fit_seconds", NumberFormat.fixed(fitSeconds, 3) + " (lognormal, gamma, Weibull, exponential by maximum likelihood)"),
            ("raw_total_seconds", NumberFormat.fixed(rawSeconds, 3) + " (with intervals and Anderson-Darling, \(GoodnessOfFit.bootstrapReplicates) bootstrap replicates)"),
            ("raw_samples_per_second", NumberFormat.fixed(Double(n) / rawSeconds, 0)),
            ("raw_median_ms", ci(estimate.median) + " (truth 300)"), ("raw_p95_ms", ci(estimate.p95) + " (truth 1100)"),
            ("raw_best_family", fits[0].distribution.family.rawValue), ("raw_anderson_darling_p", adP),
            ("binned_seconds", NumberFormat.fixed(binnedSeconds, 3) + " (\(h.bounds.count + 1) buckets, four families, interval, chi-square)"),
            ("binned_median_ms", ci(binnedEstimate?.median)), ("binned_p95_ms", ci(binnedEstimate?.p95)),
            ("binned_chi_square_p", chiP),
            ("peak_rss_mb", NumberFormat.fixed(peakResidentMegabytes(), 1)),
        ]))
        return .success
    }
}

/// The value, or an internal error naming what was missing (never a trap).
private func require_<T>(_ value: T?, _ what: String = "a lognormal fit") throws -> T {
    guard let value else { throw InputError(message: "internal: no \(what)") }
    return value
}
