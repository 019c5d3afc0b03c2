import SimKernel
import WargameReports
import WargameModels

/// Fits every directly observed parameter of a base scenario to telemetry by maximum
/// likelihood, in a fixed order (demand, order sizes, providers, bridges, policy checks,
/// time-stamping, pinning), so the same inputs give the same outputs byte for byte.
///
/// Latencies: the model samples lognormals by median and p95, so those are what is
/// fitted, from raw samples when there are any and from histogram buckets otherwise; the
/// gamma, Weibull and exponential are fitted beside it and ranked by AIC, so a report says
/// when the data prefer another shape or cannot choose. Probabilities: binomial with
/// Wilson intervals. A parameter with too little data, no series, a series in the wrong
/// unit or an estimate outside the field's range keeps its base value, with the reason.
public struct Calibrator: Sendable {
    public let base: PipelineConfig
    public let mapping: SeriesMapping
    /// Seeds the goodness-of-fit bootstrap (one stream per parameter).
    public let seed: UInt64

    /// Fewer values than this fit no latency; fewer trials no probability.
    public static let minimumSamples = 50
    public static let minimumTrials = 30

    public init(base: PipelineConfig, mapping: SeriesMapping = SeriesMapping(), seed: UInt64 = 1) {
        self.base = base; self.mapping = mapping; self.seed = seed
    }

    public func estimates(from t: Telemetry) -> [ParameterEstimate] {
        var out = arrivals(t)
        let c = base
        out += latency(t, "demand.gpu_hours", ("median", "p95"), mapping.orderSize, [:], base: (c.demand.gpuHoursMedian, c.demand.gpuHoursP95), unit: .gpuHours)
        for p in c.providers {
            let key = "providers[\(p.id)]", labels = label(mapping.providerAck, p.id)
            out += latency(t, key, ("ack_median_ms", "ack_p95_ms"), mapping.providerAck, labels, base: (p.ackMedian.milliseconds, p.ackP95.milliseconds))
            out.append(probability(t, key + ".failure_probability", mapping.providerAcks, label(mapping.providerAcks, p.id),
                                   events: ["refused"], of: ["accepted", "refused"], base: p.failureProbability))
        }
        for b in c.bridges {
            let key = "bridges[\(b.name)]"
            out += latency(t, key, ("relay_median_ms", "relay_p95_ms"), mapping.bridgeRelay, label(mapping.bridgeRelay, b.name),
                           base: (b.relayMedian.milliseconds, b.relayP95.milliseconds))
            out.append(probability(t, key + ".loss_probability", mapping.bridgeMessages, label(mapping.bridgeMessages, b.name),
                                   events: ["lost"], of: ["delivered", "lost"], base: b.lossProbability))
        }
        for (i, name) in PolicyConfig.checkNames.enumerated() where i < c.policy.checkMedian.count {
            out += latency(t, "policy", ("check_median_ms[\(i)]", "check_p95_ms[\(i)]"), mapping.policyCheck, label(mapping.policyCheck, name),
                           base: (c.policy.checkMedian[i].milliseconds, c.policy.checkP95[i].milliseconds), title: "policy \(name) check")
        }
        let tsas = [("tsa", "primary", c.provenance.primaryTSA)] + (c.provenance.backupTSA.map { [("backup_tsa", "backup", $0)] } ?? [])
        for (field, name, tsa) in tsas {
            let key = "provenance.\(field)"
            out += latency(t, key, ("latency_median_ms", "latency_p95_ms"), mapping.tsaRequest, label(mapping.tsaRequest, name),
                           base: (tsa.latencyMedian.milliseconds, tsa.latencyP95.milliseconds))
            out.append(probability(t, key + ".success_probability", mapping.tsaRequests, label(mapping.tsaRequests, name),
                                   events: ["success"], of: ["success", "failure"], base: tsa.successProbability))
        }
        out += latency(t, "provenance.ipfs", ("latency_median_ms", "latency_p95_ms"), mapping.ipfsPin, [:],
                       base: (c.provenance.ipfsLatencyMedian.milliseconds, c.provenance.ipfsLatencyP95.milliseconds))
        out.append(probability(t, "provenance.ipfs.success_probability", mapping.ipfsPins, [:],
                               events: ["success"], of: ["success", "failure"], base: c.provenance.ipfsSuccessProbability))
        Self.flagPoorFits(&out)
        return out
    }

    func label(_ s: SeriesMapping.Source, _ value: String) -> [String: String] {
        s.label.map { [$0: value] } ?? [:]
    }

    // MARK: Arrivals

    func arrivals(_ t: Telemetry) -> [ParameterEstimate] {
        let d = base.demand
        let paths = ["demand.orders_per_second", "demand.diurnal_amplitude", "demand.peak_hour"]
        let bases = [d.ordersPerSecond, d.diurnalAmplitude, d.peakHour]
        func kept(_ why: String, n: Int = 0) -> [ParameterEstimate] {
            zip(paths, bases).map { keptEstimate($0, $1, "poisson", series: mapping.ordersSubmitted.metric, n: n, why) }
        }
        guard var counts = t.arrivals else { return kept("no arrival counts (\(mapping.ordersSubmitted.metric) over time) in the data") }
        counts.multipliers = counts.starts.map { surgeMultiplier(from: $0, length: counts.length) }
        guard counts.counts.reduce(0, +) >= Self.minimumSamples else {
            return kept("too few arrivals: \(counts.counts.reduce(0, +)) (at least \(Self.minimumSamples))", n: counts.counts.reduce(0, +))
        }
        guard let fit = ArrivalFit.fit(counts, baseShape: (d.diurnalAmplitude, d.peakHour)) else { return kept("the arrival counts give no fit") }
        var notes: [String] = []
        if let gof = fit.gof, gof.rejected {
            notes.append("the counts vary more than a Poisson process of this rate would (dispersion χ² p \(gof.pText)): bursts the model does not have")
        }
        if !d.surges.isEmpty { notes.append("the base scenario's \(d.surges.count) surge(s) are taken as known and divided out") }
        let series = mapping.ordersSubmitted.metric
        var out = [ParameterEstimate(path: paths[0], base: bases[0], estimate: fit.rate, method: .mle, distribution: "poisson", n: fit.arrivals,
                                     gof: fit.gof, ranking: [], series: series, notes: notes)]
        if let a = fit.amplitude, let p = fit.peakHour {
            let amplitude = Estimate(min(a.value, 1), min(a.low, 1), min(a.high, 1))
            out.append(ParameterEstimate(path: paths[1], base: bases[1], estimate: amplitude, method: .mle, distribution: "poisson",
                                         n: fit.arrivals, gof: fit.gof, ranking: [], series: series, notes: notes))
            // A flat profile has no peak to find.
            if a.low > 0 {
                out.append(ParameterEstimate(path: paths[2], base: bases[2], estimate: p, method: .mle, distribution: "poisson",
                                             n: fit.arrivals, gof: fit.gof, ranking: [], series: series, notes: notes))
            } else {
                out.append(keptEstimate(paths[2], bases[2], "poisson", series: series, n: fit.arrivals,
                                        "the amplitude's interval reaches 0, so the data show no peak to place"))
            }
        } else {
            let hours = NumberFormat.significant(counts.window / 3_600, 3)
            for i in 1...2 {
                out.append(keptEstimate(paths[i], bases[i], "poisson", series: series, n: fit.arrivals,
                                        "\(hours) h of data: a diurnal shape needs at least 20 h (the rate was fitted under the base's shape)"))
            }
        }
        return out
    }

    /// The base scenario's surge multiplier averaged over [start, start + length).
    func surgeMultiplier(from start: Double, length: Double) -> Double {
        let surges = base.demand.surges.filter { $0.tenant == nil }
        guard !surges.isEmpty else { return 1 }
        var total = 0.0
        let pieces = 60
        for k in 0..<pieces {
            let t = start + (Double(k) + 0.5) * length / Double(pieces)
            total += surges.reduce(1.0) { m, s in t >= s.start.seconds && t < (s.start + s.duration).seconds ? m * s.multiplier : m }
        }
        return total / Double(pieces)
    }
}

public func keptEstimate(_ path: String, _ base: Double, _ distribution: String, series: String, n: Int, _ why: String) -> ParameterEstimate {
    ParameterEstimate(path: path, base: base, estimate: nil, method: .mle, distribution: distribution, n: n, gof: nil, ranking: [],
                      series: series, notes: ["kept at the base value: " + why])
}
