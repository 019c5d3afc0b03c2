/// The result of an expression at one instant.
public enum PromQLValue: Sendable, Equatable {
    case scalar(Double)
    case vector([Sample])

    /// As a rule sees it: a scalar is one sample without labels (Prometheus's rule manager).
    public var samples: [Sample] {
        switch self {
        case .scalar(let v): [Sample(labels: Labels(), value: v)]
        case .vector(let s): s
        }
    }

    public static func == (a: PromQLValue, b: PromQLValue) -> Bool {
        switch (a, b) {
        case (.scalar(let x), .scalar(let y)): x == y || (x.isNaN && y.isNaN)
        case (.vector(let x), .vector(let y)): x == y
        default: false
        }
    }
}

/// Evaluates PromQL at an instant over a `SeriesStore`, with Prometheus 2.x's arithmetic
/// in Prometheus's order — terms summed in series order, means updated incrementally,
/// `rate` extrapolated as `extrapolatedRate` does — so that a value at a threshold falls
/// on the same side here as in promtool, bit for bit.
public struct PromQLEngine {
    public let store: SeriesStore
    /// Selections by the selector's text, with the store generation they were made at
    /// (shared by every expression evaluated here).
    final class Selections { var byKey: [String: (generation: Int, series: [Int])] = [:] }
    private let selections = Selections()
    let derived = LabelDerivations()

    public init(store: SeriesStore) { self.store = store }

    /// `program` at `t`: what its nodes remember from the last evaluation is reused where
    /// it still holds (the rule engine keeps one program per rule).
    public func evaluate(_ program: PromQLProgram, at t: Int64) throws(PromQLError) -> PromQLValue {
        try program.root.evaluate(self, at: t)
    }

    /// `e` at `t`, compiled afresh (nothing remembered).
    public func evaluate(_ e: PromQLExpr, at t: Int64) throws(PromQLError) -> PromQLValue {
        try evaluate(PromQLProgram(e), at: t)
    }

    /// An instant selector: each selected series' newest sample in the lookback window. The
    /// last output is reused, its values overwritten, when the same series all have one.
    func instant(_ sel: VectorSelector, at t: Int64, site: Site) -> [Sample] {
        let selected = select(sel, site)
        let at = t - sel.offsetMs
        if site.rangeSeries == selected, site.rangeOutput.count == selected.count {
            var out = site.rangeOutput
            site.rangeOutput = []  // so `out` is the only reference and is written in place
            var complete = true
            for (k, i) in selected.enumerated() {
                guard let v = store.instant(i, at: at) else { complete = false; break }
                out[k].value = v
            }
            if complete {
                site.rangeOutput = out
                return out
            }
        }
        var out: [Sample] = []
        for i in selected {
            if let v = store.instant(i, at: at) { out.append(Sample(labels: store.labels(i), value: v)) }
        }
        (site.rangeOutput, site.rangeSeries) = out.count == selected.count ? (out, selected) : ([], [])
        return out
    }

    func select(_ sel: VectorSelector, _ site: Site) -> [Int] {
        if site.selectionGeneration == store.generation, site.selectionKey == sel.key { return site.selection }
        let key = sel.key
        let s: [Int]
        if let c = selections.byKey[key], c.generation == store.generation { s = c.series } else {
            s = store.matching(sel.matchers)
            selections.byKey[key] = (store.generation, s)
        }
        (site.selectionKey, site.selectionGeneration, site.selection) = (key, store.generation, s)
        return s
    }

    /// Prometheus refuses a vector whose samples share a label set (after a name was dropped).
    func unique(_ v: PromQLValue) throws(PromQLError) -> PromQLValue {
        guard case .vector(let s) = v else { return v }
        return .vector(try unique(s))
    }

    func unique(_ s: [Sample]) throws(PromQLError) -> [Sample] {
        guard s.count > 1 else { return s }
        // Samples of one metric name (or none) whose labels were only narrowed by dropping
        // the name stay distinct; only then is the full check skipped.
        if let first = s.first?.labels.metricName, !first.isEmpty, s.allSatisfy({ $0.labels.metricName == first }) { return s }
        var seen = LabelTable<Void>(capacity: s.count)
        for x in s {
            guard seen.index(of: x.labels) == nil else { throw PromQLError(message: "vector cannot contain metrics with the same labelset (\(x.labels))") }
            seen.insert(x.labels, ())
        }
        return s
    }

    /// `sum`, `avg`, `min`, `max`, `count` as Prometheus 2.42's `aggregation` computes them,
    /// groups in the order their first sample arrives, terms in label order. Prometheus adds
    /// them in the order its storage created the series, which nothing fixes (promtool's
    /// loader creates them in map order), so a sum of three or more inexact terms, or a
    /// mean, can differ from Prometheus's in the last bit — and from one Prometheus run to
    /// the next (`docs/own-monitoring.md`).
    func aggregate(_ op: AggregateOp, _ samples: [Sample], _ grouping: Grouping?, site: Site) -> [Sample] {
        guard !samples.isEmpty else { return [] }
        // Without a grouping every sample is in the one group.
        var reused = false
        let plan = grouping.map { g in
            if let p = site.plan, site.planGrouping == g, p.fits(samples) {
                reused = true
                return p
            }
            let d = g.without ? derived.op(.dropping, g.labels + ["__name__"]) : derived.op(.keeping, g.labels)
            let p = derived.plan(samples, key: d, { [derived] in derived.derive($0, d) }, label: { [derived] in derived.derive($0, d) })
            site.plan = p
            site.planGrouping = g
            return p
        }
        let groupCount = plan?.groups.count ?? 1
        // The site's scratch arrays, taken so they are written in place (no allocation per evaluation).
        var values = site.scratch, counts = site.counts
        site.scratch = []
        site.counts = []
        values.removeAll(keepingCapacity: true)
        counts.removeAll(keepingCapacity: true)
        values.append(contentsOf: repeatElement(0, count: groupCount))
        counts.append(contentsOf: repeatElement(0, count: groupCount))
        defer {
            site.scratch = values
            site.counts = counts
        }
        let groupOf = plan?.groupOf
        for i in samples.indices {
            // By index, reading only the value: iterating samples would copy (retain) each one's labels.
            let k = groupOf?[i] ?? 0
            let v = samples[i].value
            guard counts[k] > 0 else {
                values[k] = op == .count ? 1 : v
                counts[k] = 1
                continue
            }
            switch op {
            case .sum: values[k] += v
            case .count: values[k] += 1
            case .max: if values[k] < v || values[k].isNaN { values[k] = v }
            case .min: if values[k] > v || values[k].isNaN { values[k] = v }
            case .avg:
                counts[k] += 1
                let mean = values[k]
                if mean.isInfinite {
                    if v.isInfinite && (mean > 0) == (v > 0) { continue }
                    if !v.isInfinite && !v.isNaN { continue }
                }
                // Each side divided by the count (Prometheus: avoids overflow).
                values[k] = mean + (v / counts[k] - mean / counts[k])
            }
        }
        guard let plan else { return [Sample(labels: Labels(), value: values[0])] }
        // The same plan gives the same groups: the last output with the new values.
        var out = site.planOutput
        site.planOutput = []
        if reused && out.count == values.count {
            for k in values.indices { out[k].value = values[k] }
        } else {
            out = zip(plan.groups, values).map { Sample(labels: $0, value: $1) }
        }
        site.planOutput = out
        return out
    }
}
