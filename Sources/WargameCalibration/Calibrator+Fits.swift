import SimKernel
import WargameReports

extension Calibrator {
    /// Median and p95 of one lognormal input (two scenario fields), fitted from the
    /// series' raw samples or, failing those, its histogram buckets. `unit` is the fields'.
    func latency(_ t: Telemetry, _ prefix: String, _ fields: (median: String, p95: String), _ source: SeriesMapping.Source,
                 _ labels: [String: String], base: (median: Double, p95: Double), unit: SeriesMapping.Unit = .milliseconds,
                 title: String? = nil) -> [ParameterEstimate] {
        let paths = [prefix + "." + fields.median, prefix + "." + fields.p95]
        let series = Telemetry.key(source.metric, labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        func kept(_ why: String, n: Int = 0) -> [ParameterEstimate] {
            [keptEstimate(paths[0], base.median, "lognormal", series: series, n: n, why),
             keptEstimate(paths[1], base.p95, "lognormal", series: series, n: n, why)]
        }
        let declared = source.unit ?? unit
        if let named = Self.unitOfName(source.metric), named != declared {
            return kept("mismatched units: \(source.metric) is named in \(named.rawValue) but the mapping reads it as \(declared.rawValue)")
        }
        guard let scale = Self.factor(from: declared, to: unit) else {
            return kept("mismatched units: \(declared.rawValue) cannot be converted to the field's \(unit.rawValue)")
        }
        let data: Observations
        if let raw = t.rawSamples(source.metric, labels) {
            data = .raw(raw.map { $0 * scale })
        } else if let h = t.histogram(source.metric, labels) {
            let (counts, overflow) = h.buckets
            data = .binned(bounds: h.bounds.map { $0 * scale }, counts: counts, overflow: overflow)
        } else {
            return kept("no series \(series) in the data")
        }
        guard data.count >= Self.minimumSamples else { return kept("too few samples: \(data.count) (at least \(Self.minimumSamples))", n: data.count) }
        let fits = LatencyFit.fitAll(data)
        guard let lognormal = fits.first(where: { $0.distribution.family == .lognormal }) else {
            return kept("the data give no lognormal fit (all values equal, or all in one bucket)", n: data.count)
        }
        let estimate: LognormalEstimate
        let gof: GoodnessOfFit?
        switch data {
        case .raw(let values):
            estimate = LognormalEstimate(raw: lognormal.distribution, n: values.count)
            var rng = RandomStreams(seed: seed).stream("calibrate.gof." + paths[0])
            gof = GoodnessOfFit.andersonDarling(values, family: .lognormal, rng: &rng)
        case .binned(let bounds, let counts, let overflow):
            guard let e = LognormalEstimate(binned: lognormal.distribution, bounds: bounds, counts: counts, overflow: overflow) else {
                return kept("the buckets do not identify both parameters (the likelihood is flat in one direction)", n: data.count)
            }
            estimate = e
            gof = GoodnessOfFit.chiSquare(bounds: bounds, counts: counts, overflow: overflow, lognormal.distribution)
        }
        let range = unit == .gpuHours ? (1e-6, 10_000.0) : (0.001, 3_600_000.0)
        for e in [estimate.median, estimate.p95] where e.value < range.0 || e.value > range.1 {
            return kept("the fitted value \(NumberFormat.significant(e.value)) \(unit == .gpuHours ? "GPU h" : "ms") is outside the field's range — are the units right?", n: data.count)
        }
        let notes = Self.shapeNotes(fits)
        let ranking = fits.map { (family: $0.distribution.family, aic: $0.aic) }
        var median = ParameterEstimate(path: paths[0], base: base.median, estimate: estimate.median, method: .mle, distribution: "lognormal",
                                       n: data.count, gof: gof, ranking: ranking, series: series, notes: notes)
        median.curve = curve(title ?? Self.title(prefix, fields.median), unit: unit, lognormal.distribution, data)
        return [median,
                ParameterEstimate(path: paths[1], base: base.p95, estimate: estimate.p95, method: .mle, distribution: "lognormal",
                                  n: data.count, gof: gof, ranking: ranking, series: series, notes: notes)]
    }

    /// The data beside the fit, thinned for a figure (a seeded sample of raw values).
    func curve(_ title: String, unit: SeriesMapping.Unit, _ d: LatencyDistribution, _ data: Observations) -> FitCurve {
        let observed: FitCurve.Observed
        switch data {
        case .raw(let values):
            var rng = RandomStreams(seed: seed).stream("calibrate.plot." + title)
            observed = .sample(GoodnessOfFit.subsample(values, size: FitCurve.plotSample, rng: &rng).sorted())
        case .binned(let bounds, let counts, let overflow):
            let n = Double(counts.reduce(0, +) + overflow)
            var running = 0.0
            observed = .buckets(bounds: bounds, cumulative: counts.map { running += Double($0); return running / n })
        }
        return FitCurve(title: title, unit: unit == .gpuHours ? "GPU h" : "ms", distribution: d, observed: observed, n: data.count)
    }

    /// `providers[akash] ack`, `provenance.tsa latency`, `demand.gpu_hours`.
    static func title(_ prefix: String, _ medianField: String) -> String {
        let what = medianField.replacingOccurrences(of: "_median_ms", with: "").replacingOccurrences(of: "median", with: "")
        return what.isEmpty ? prefix : prefix + " " + what
    }

    /// What the family ranking tells a reader, in plain words (a poor fit is judged over
    /// every fit at once, `flagPoorFits`).
    static func shapeNotes(_ ranked: [LatencyFit.Result]) -> [String] {
        var notes: [String] = []
        let best = ranked[0]
        if best.distribution.family != .lognormal, let own = ranked.first(where: { $0.distribution.family == .lognormal }) {
            let delta = own.aic - best.aic
            notes.append(delta < 2
                ? "the data cannot choose between the lognormal and the \(best.distribution.family.rawValue) (ΔAIC \(NumberFormat.fixed(delta, 1)) < 2)"
                : "the data prefer \(best.distribution.family == .exponential ? "an" : "a") \(best.distribution.family.rawValue) (ΔAIC \(NumberFormat.significant(delta, 3))): the model samples a lognormal, so its median and p95 are fitted and its shape elsewhere is approximate")
        } else if ranked.count > 1, ranked[1].aic - best.aic < 2 {
            notes.append("the data cannot choose between the lognormal and the \(ranked[1].distribution.family.rawValue) (ΔAIC \(NumberFormat.fixed(ranked[1].aic - best.aic, 1)) < 2)")
        }
        return notes
    }

    /// A Bernoulli input: the share of `events` among the outcomes `of`, with Wilson's interval.
    func probability(_ t: Telemetry, _ path: String, _ source: SeriesMapping.Source, _ labels: [String: String],
                     events: [String], of outcomes: [String], base: Double) -> ParameterEstimate {
        let series = Telemetry.key(source.metric, labels.sorted { $0.key < $1.key }.map { ($0.key, $0.value) })
        var counts: [String: Double] = [:]
        for o in outcomes {
            guard let c = t.counter(source.metric, labels.merging([mapping.outcomeLabel: o]) { $1 }) else {
                return keptEstimate(path, base, "binomial", series: series, n: 0,
                                    "no series \(source.metric) with \(mapping.outcomeLabel)=\"\(o)\" in the data")
            }
            counts[o] = c
        }
        let trials = Int(outcomes.reduce(0) { $0 + counts[$1]! }.rounded()), k = Int(events.reduce(0) { $0 + counts[$1]! }.rounded())
        guard trials >= Self.minimumTrials else {
            return keptEstimate(path, base, "binomial", series: series, n: trials, "too few trials: \(trials) (at least \(Self.minimumTrials))")
        }
        guard let w = wilsonInterval(successes: k, trials: trials) else {
            return keptEstimate(path, base, "binomial", series: series, n: trials, "the counts are inconsistent (\(k) of \(trials))")
        }
        var notes: [String] = []
        if k == 0 || k == trials {
            notes.append("\(k == 0 ? "no" : "only") \(events.joined(separator: "/")) in \(trials) trials: the interval's \(k == 0 ? "upper" : "lower") end is the most the data allow")
        }
        return ParameterEstimate(path: path, base: base, estimate: w, method: .mle, distribution: "binomial", n: trials, gof: nil,
                                 ranking: [], series: series, notes: notes)
    }

    /// The unit a metric's name declares by Prometheus's conventions, the most specific
    /// suffix first (`_gpu_seconds` before `_seconds`).
    static func unitOfName(_ metric: String) -> SeriesMapping.Unit? {
        let base = metric.hasSuffix("_total") ? String(metric.dropLast(6)) : metric
        return SeriesMapping.Unit.allCases.flatMap { u in u.suffixes.map { (u, $0) } }
            .sorted { $0.1.count > $1.1.count }
            .first { base.hasSuffix($0.1) }?.0
    }

    /// The factor from one unit to another, nil across kinds (time against GPU time).
    public static func factor(from: SeriesMapping.Unit, to: SeriesMapping.Unit) -> Double? {
        func seconds(_ u: SeriesMapping.Unit) -> (kind: Int, value: Double) {
            switch u {
            case .seconds: (0, 1)
            case .milliseconds: (0, 0.001)
            case .gpuSeconds: (1, 1)
            case .gpuHours: (1, 3_600)
            }
        }
        let a = seconds(from), b = seconds(to)
        return a.kind == b.kind ? a.value / b.value : nil
    }
}

extension Calibrator {
    /// Marks the latency fits whose goodness-of-fit test rejects the lognormal at a
    /// family-wise 5 % (Holm–Bonferroni over every fitted latency): with two dozen fits, a
    /// p below 0.05 turns up by chance about once per calibration, and calling that "a poor
    /// fit" would send a reader after a shape that is not there.
    static func flagPoorFits(_ estimates: inout [ParameterEstimate]) {
        let tested = estimates.indices.filter { estimates[$0].curve != nil && estimates[$0].gof != nil }
        let ordered = tested.sorted { estimates[$0].gof!.pValue < estimates[$1].gof!.pValue }
        var rejected = Set<String>()
        for (k, i) in ordered.enumerated() {
            guard estimates[i].gof!.pValue <= 0.05 / Double(ordered.count - k) else { break }
            rejected.insert(estimates[i].series)
        }
        for i in estimates.indices where estimates[i].distribution == "lognormal" {
            guard rejected.contains(estimates[i].series), let gof = estimates[i].gof, estimates[i].fitted else { continue }
            estimates[i].notes.append("poor fit: \(gof.test == .andersonDarling ? "Anderson–Darling" : "chi-square") p \(gof.pText), "
                + "rejected at a family-wise 5 % over \(ordered.count) fits (Holm): the values are not lognormal (several modes, or another tail)")
        }
    }
}
