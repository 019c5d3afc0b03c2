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
    /// Selections by the selector's text, with the store generation they were made at.
    private var selections: [String: (generation: Int, series: [Int])] = [:]
    let derived = LabelDerivations()
    let sites = SiteTable()

    public init(store: SeriesStore) { self.store = store }

    /// `e` at `t`, remembering what its places worked out under `context` (a number the
    /// caller gives this expression and no other): the rule engine's evaluations.
    public mutating func evaluate(_ e: PromQLExpr, at t: Int64, context: Int) throws(PromQLError) -> PromQLValue {
        precondition(context >= 0, "contexts are numbered from 0")
        sites.begin(context: context)
        defer { sites.end() }
        return try evaluate(e, at: t)
    }

    public mutating func evaluate(_ e: PromQLExpr, at t: Int64) throws(PromQLError) -> PromQLValue {
        let site = sites.take()
        switch e {
        case .number(let v): return .scalar(v)
        case .parens(let inner): return try evaluate(inner, at: t)
        case .vector(let sel):
            var out: [Sample] = []
            for i in select(sel, site) {
                if let v = store.instant(i, at: t - sel.offsetMs) { out.append(Sample(labels: store.labels(i), value: v)) }
            }
            return .vector(out)
        case .matrix:
            throw PromQLError(message: "a range vector cannot be an expression's result")
        case .negate(let inner):
            switch try evaluate(inner, at: t) {
            case .scalar(let v): return .scalar(-v)
            case .vector(let s):
                let op = derived.withoutName
                return .vector(try unique(s.map { Sample(labels: derived.derive($0.labels, op), value: -$0.value) }))
            }
        case .call(let f, let args):
            // A range function over one metric's series drops the one name they share:
            // its results are as distinct as the series.
            if case .matrix(let sel, _) = Self.unwrap(args.first ?? .number(0)), sel.metricName != nil { return try call(f, args, at: t, site: site) }
            return try unique(call(f, args, at: t, site: site))
        case .aggregate(let op, let inner, let grouping):
            guard case .vector(let s) = try evaluate(inner, at: t) else { throw PromQLError(message: "aggregation over a scalar") }
            return .vector(aggregate(op, s, grouping, site: site))
        case .binary(let op, let l, let r, let matching, let returnBool):
            let (a, b) = (try evaluate(l, at: t), try evaluate(r, at: t))
            // A matching plan's results are distinct by construction.
            if case .vector(let x) = a, case .vector(let y) = b, !op.isSet, let plan = site?.match, plan.usable,
               plan.fits(matching ?? Self.defaultMatching(op), op, returnBool, x, y) {
                return .vector(Self.matched(plan, op, x, y, matching?.card == .oneToMany, returnBool))
            }
            return try unique(binary(op, a, b, matching, returnBool, site: site))
        }
    }

    mutating func select(_ sel: VectorSelector, _ site: Site?) -> [Int] {
        if let site, site.selectionGeneration == store.generation, site.selectionKey == sel.key { return site.selection }
        let key = sel.key
        let s: [Int]
        if let c = selections[key], c.generation == store.generation { s = c.series } else {
            s = store.matching(sel.matchers)
            selections[key] = (store.generation, s)
        }
        if let site { (site.selectionKey, site.selectionGeneration, site.selection) = (key, store.generation, s) }
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
    func aggregate(_ op: AggregateOp, _ samples: [Sample], _ grouping: Grouping?, site: Site? = nil) -> [Sample] {
        guard !samples.isEmpty else { return [] }
        // Without a grouping every sample is in the one group.
        var reused = false
        let plan = grouping.map { g in
            if let p = site?.plan, site?.planGrouping == g, p.fits(samples) {
                reused = true
                return p
            }
            let d = g.without ? derived.op(.dropping, g.labels + ["__name__"]) : derived.op(.keeping, g.labels)
            let p = derived.plan(samples, key: d, { [derived] in derived.derive($0, d) }, label: { [derived] in derived.derive($0, d) })
            site?.plan = p
            site?.planGrouping = g
            return p
        }
        let groupCount = plan?.groups.count ?? 1
        // The site's scratch arrays, taken so they are written in place (no allocation per evaluation).
        var values = site?.scratch ?? [], counts = site?.counts ?? []
        site?.scratch = []
        site?.counts = []
        values.removeAll(keepingCapacity: true)
        counts.removeAll(keepingCapacity: true)
        values.append(contentsOf: repeatElement(0, count: groupCount))
        counts.append(contentsOf: repeatElement(0, count: groupCount))
        defer {
            site?.scratch = values
            site?.counts = counts
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
        guard let site else { return zip(plan.groups, values).map { Sample(labels: $0, value: $1) } }
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
