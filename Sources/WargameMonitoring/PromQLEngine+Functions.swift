/// The subset's functions, each as Prometheus 2.x's `functions.go` computes it.
extension PromQLEngine {
    /// A range function over a range selector's series, the last output reused when it can.
    func range(_ f: PromQLFunction, _ sel: VectorSelector, _ rangeMs: Int64, at t: Int64, site: Site) -> [Sample] {
        let end = t - sel.offsetMs, start = end - rangeMs
        let selected = select(sel, site)
        if let out = reuse(site, f, selected, start: start, end: end, rangeMs: rangeMs) { return out }
        var out: [Sample] = []
        out.reserveCapacity(selected.count)
        for i in selected {
            if let v = over(f, i, start: start, end: end, rangeMs: rangeMs) {
                out.append(Sample(labels: store.namelessLabels(i), value: v))
            }
        }
        (site.rangeOutput, site.rangeSeries) = out.count == selected.count ? (out, selected) : ([], [])
        return out
    }

    /// Any other function, of its evaluated arguments (`exprs`: the same as parsed).
    func apply(_ f: PromQLFunction, _ args: [PromQLValue], _ exprs: [PromQLExpr], at t: Int64, site: Site) throws(PromQLError) -> PromQLValue {
        func scalar(_ k: Int) throws(PromQLError) -> Double {
            guard k < args.count, case .scalar(let v) = args[k] else { throw PromQLError(message: "expected a scalar argument") }
            return v
        }
        func vector(_ k: Int) throws(PromQLError) -> [Sample] {
            guard k < args.count, case .vector(let v) = args[k] else { throw PromQLError(message: "expected an instant vector argument") }
            return v
        }
        switch f {
        case .rate, .irate, .increase, .delta, .avgOverTime, .maxOverTime, .minOverTime, .sumOverTime, .countOverTime:
            throw PromQLError(message: "\(f.rawValue) needs a range selector")
        case .time:
            return .scalar(Double(t) / 1_000)
        case .vector:
            return .vector([Sample(labels: Labels(), value: try scalar(0))])
        case .scalar:
            let v = try vector(0)
            return .scalar(v.count == 1 ? v[0].value : .nan)
        case .abs:
            let op = derived.withoutName
            return .vector(try vector(0).map { Sample(labels: derived.derive($0.labels, op), value: Swift.abs($0.value)) })
        case .clampMin, .clampMax:
            let v = try vector(0), bound = try scalar(1)
            let op = derived.withoutName
            return .vector(v.map { Sample(labels: derived.derive($0.labels, op), value: f == .clampMin ? GoMath.max($0.value, bound) : GoMath.min($0.value, bound)) })
        case .absent:
            guard try vector(0).isEmpty else { return .vector([]) }
            return .vector([Sample(labels: Self.absentLabels(exprs[0]), value: 1)])
        case .histogramQuantile:
            return .vector(histogramQuantile(try scalar(0), try vector(1), site: site))
        }
    }

    /// A range function's last output with new values, when it selected the same series
    /// and every one of them still has a value (else nil: the full path runs).
    func reuse(_ site: Site, _ f: PromQLFunction, _ selected: [Int], start: Int64, end: Int64, rangeMs: Int64) -> [Sample]? {
        guard site.rangeSeries == selected, site.rangeOutput.count == selected.count else { return nil }
        var out = site.rangeOutput
        site.rangeOutput = []  // so `out` is the only reference and is written in place
        for (k, i) in selected.enumerated() {
            guard let v = over(f, i, start: start, end: end, rangeMs: rangeMs) else {
                site.rangeSeries = []
                return nil
            }
            out[k].value = v
        }
        site.rangeOutput = out
        return out
    }

    /// `f` over series `i`'s samples in `[start, end]`: read in place, or copied without
    /// their staleness markers when there are some.
    func over(_ f: PromQLFunction, _ i: Int, start: Int64, end: Int64, rangeMs: Int64) -> Double? {
        if let v = store.inPlace(i, from: start, to: end, { Self.overRange(f, $0, $1, start: start, end: end, rangeMs: rangeMs) }) { return v }
        let (times, values) = store.range(i, from: start, to: end)
        return Self.overRange(f, times, values, start: start, end: end, rangeMs: rangeMs)
    }

    static func unwrap(_ e: PromQLExpr) -> PromQLExpr {
        if case .parens(let inner) = e { return unwrap(inner) }
        return e
    }

    /// `absent`'s labels: the selector's equality matchers, less any label matched twice or
    /// by another operator (`createLabelsForAbsentFunction`).
    static func absentLabels(_ e: PromQLExpr) -> Labels {
        guard case .vector(let sel) = e else { return Labels() }
        var l = Labels(), dropped: [String] = []
        for m in sel.matchers where m.name != "__name__" {
            if m.op == .equal && l[m.name].isEmpty { l.set(m.name, m.value) } else { dropped.append(m.name) }
        }
        return l.dropping(dropped)
    }

    static func overRange<T: RandomAccessCollection<Int64>, V: RandomAccessCollection<Double>>(
        _ f: PromQLFunction, _ times: T, _ values: V, start: Int64, end: Int64, rangeMs: Int64
    ) -> Double? where T.Index == Int, V.Index == Int {
        guard !values.isEmpty else { return nil }
        switch f {
        case .rate: return extrapolatedRate(times, values, start: start, end: end, rangeMs: rangeMs, counter: true, perSecond: true)
        case .increase: return extrapolatedRate(times, values, start: start, end: end, rangeMs: rangeMs, counter: true, perSecond: false)
        case .delta: return extrapolatedRate(times, values, start: start, end: end, rangeMs: rangeMs, counter: false, perSecond: false)
        case .irate:
            guard values.count >= 2 else { return nil }
            let (last, previous) = (values[values.endIndex - 1], values[values.endIndex - 2])
            let interval = times[times.endIndex - 1] - times[times.endIndex - 2]
            guard interval != 0 else { return nil }
            return (last < previous ? last : last - previous) / (Double(interval) / 1_000)
        case .sumOverTime:
            var sum = 0.0, c = 0.0
            for v in values { (sum, c) = kahanSumInc(v, sum, c) }
            return sum.isInfinite ? sum : sum + c
        case .countOverTime: return Double(values.count)
        case .maxOverTime:
            var m = values[values.startIndex]
            for v in values where v > m || m.isNaN { m = v }
            return m
        case .minOverTime:
            var m = values[values.startIndex]
            for v in values where v < m || m.isNaN { m = v }
            return m
        case .avgOverTime:
            var mean = 0.0, count = 0.0, c = 0.0
            for v in values {
                count += 1
                if mean.isInfinite {
                    if v.isInfinite && (mean > 0) == (v > 0) { continue }
                    if !v.isInfinite && !v.isNaN { continue }
                }
                (mean, c) = kahanSumInc(v / count - mean / count, mean, c)
            }
            return mean.isInfinite ? mean : mean + c
        default: return nil
        }
    }

    /// Kahan–Neumaier compensated addition, as Prometheus sums `sum_over_time` and
    /// `avg_over_time` (the compensation is added once, at the end).
    static func kahanSumInc(_ inc: Double, _ sum: Double, _ c: Double) -> (Double, Double) {
        let t = sum + inc
        if Swift.abs(sum) >= Swift.abs(inc) { return (t, c + ((sum - t) + inc)) }
        return (t, c + ((inc - t) + sum))
    }

    /// Prometheus's `extrapolatedRate`: the increase between the first and last samples
    /// (counter resets added back), extrapolated towards the window's ends when the samples
    /// reach within 1.1 average intervals of them, never below a counter's zero.
    static func extrapolatedRate<T: RandomAccessCollection<Int64>, V: RandomAccessCollection<Double>>(
        _ timesSlice: T, _ valuesSlice: V, start: Int64, end: Int64, rangeMs: Int64, counter: Bool, perSecond: Bool
    ) -> Double? where T.Index == Int, V.Index == Int {
        guard valuesSlice.count >= 2, let first = valuesSlice.first, let last = valuesSlice.last,
              let firstTime = timesSlice.first, let lastTime = timesSlice.last else { return nil }
        var result = last - first
        if counter {
            var previous = first
            for v in valuesSlice.dropFirst() {
                if v < previous { result += previous }
                previous = v
            }
        }
        var durationToStart = Double(firstTime - start) / 1_000
        let durationToEnd = Double(end - lastTime) / 1_000
        let sampled = Double(lastTime - firstTime) / 1_000
        let averageInterval = sampled / Double(valuesSlice.count - 1)
        if counter && result > 0 && first >= 0 {
            let durationToZero = sampled * (first / result)
            if durationToZero < durationToStart { durationToStart = durationToZero }
        }
        let threshold = averageInterval * 1.1
        var extrapolateTo = sampled
        extrapolateTo += durationToStart < threshold ? durationToStart : averageInterval / 2
        extrapolateTo += durationToEnd < threshold ? durationToEnd : averageInterval / 2
        var factor = extrapolateTo / sampled
        if perSecond { factor /= Double(rangeMs) / 1_000 }
        return result * factor
    }
}

extension PromQLEngine {
    /// `histogram_quantile` over classic buckets: series grouped by their labels but `le`,
    /// each group's quantile interpolated linearly inside its bucket (`bucketQuantile`).
    func histogramQuantile(_ q: Double, _ samples: [Sample], site: Site) -> [Sample] {
        let plan: QuantilePlan
        var reused = false
        if let p = site.quantile, p.fits(samples) { (plan, reused) = (p, true) } else {
            plan = quantilePlan(samples)
            site.quantile = plan
        }
        var sorted: [(upper: Double, count: Double)] = []
        func quantile(_ g: Int) -> Double {
            sorted.removeAll(keepingCapacity: true)
            for (k, i) in plan.members[g].enumerated() { sorted.append((plan.bounds[g][k], samples[i].value)) }
            return Self.bucketQuantile(q, sorted: &sorted)
        }
        // The same plan gives the same groups: the last output, its values overwritten.
        var out = site.quantileOutput
        site.quantileOutput = []
        defer { site.quantileOutput = out }
        if reused && out.count == plan.groups.count {
            for g in plan.groups.indices { out[g].value = quantile(g) }
        } else {
            out = plan.groups.indices.map { Sample(labels: plan.groups[$0], value: quantile($0)) }
        }
        return out
    }

    /// Buckets grouped by their labels but `le` (those whose `le` is no number join no
    /// group), each group's sorted by bound, input order at a tie.
    func quantilePlan(_ samples: [Sample]) -> QuantilePlan {
        let (withoutLe, neither) = (derived.op(.dropping, ["le"]), derived.op(.dropping, ["__name__", "le"]))
        let plan = derived.plan(samples, key: -1 - withoutLe, { [derived] l in derived.bound(l) == nil ? nil : derived.derive(l, withoutLe) },
                                label: { [derived] in derived.derive($0, neither) })
        var members: [[Int]] = [], bounds: [[Double]] = []
        for group in plan.members {
            let sorted = group.map { (i: $0, upper: derived.bound(samples[$0].labels)!) }
                .sorted { $0.upper < $1.upper || ($0.upper == $1.upper && $0.i < $1.i) }
            members.append(sorted.map(\.i))
            bounds.append(sorted.map(\.upper))
        }
        return QuantilePlan(inputs: samples.map(\.labels), groups: plan.groups, members: members, bounds: bounds)
    }

    static func bucketQuantile(_ q: Double, _ input: [(upper: Double, count: Double)]) -> Double {
        var sorted = input.enumerated().sorted { $0.element.upper < $1.element.upper || ($0.element.upper == $1.element.upper && $0.offset < $1.offset) }.map(\.element)
        return bucketQuantile(q, sorted: &sorted)
    }

    /// Prometheus's `bucketQuantile` over buckets already sorted by bound.
    /// Merges buckets of one bound in place (`buckets` is scratch space the caller reuses).
    static func bucketQuantile(_ q: Double, sorted buckets: inout [(upper: Double, count: Double)]) -> Double {
        if q.isNaN { return .nan }
        if q < 0 { return -.infinity }
        if q > 1 { return .infinity }
        guard let last = buckets.last, last.upper == .infinity else { return .nan }
        var merged = 0
        for i in buckets.indices {
            if merged > 0 && buckets[merged - 1].upper == buckets[i].upper {
                buckets[merged - 1].count += buckets[i].count
            } else {
                buckets[merged] = buckets[i]
                merged += 1
            }
        }
        buckets.removeLast(buckets.count - merged)
        var maximum = -Double.infinity
        for i in buckets.indices {
            if buckets[i].count > maximum { maximum = buckets[i].count } else if buckets[i].count < maximum { buckets[i].count = maximum }
        }
        guard buckets.count >= 2 else { return .nan }
        let observations = buckets[buckets.count - 1].count
        guard observations != 0 else { return .nan }
        var rank = q * observations
        var b = 0
        while b < buckets.count - 1 && !(buckets[b].count >= rank) { b += 1 }
        if b == buckets.count - 1 { return buckets[buckets.count - 2].upper }
        if b == 0 && buckets[0].upper <= 0 { return buckets[0].upper }
        var bucketStart = 0.0
        let bucketEnd = buckets[b].upper
        var count = buckets[b].count
        if b > 0 {
            bucketStart = buckets[b - 1].upper
            count -= buckets[b - 1].count
            rank -= buckets[b - 1].count
        }
        return bucketStart + (bucketEnd - bucketStart) * (rank / count)
    }
}
