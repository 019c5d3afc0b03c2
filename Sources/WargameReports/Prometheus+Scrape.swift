import SimKernel
import WargameModels

extension PrometheusText {
    /// The scrape's fast path for a family (after `family`, when wanted): when its series
    /// are those of the last scrape and every sample before it was too, its samples are at
    /// the same positions of the buffer with the same names and labels, so their values are
    /// written there without composing or comparing a label. Returns whether the caller may
    /// (`ScrapeBuffer.overwrite`, `n` samples); if not, it writes them sample by sample and
    /// the layout is kept for the next scrape. Not taken when the sink wants the texts too.
    ///
    /// `matches` compares the family's series with the last scrape's layout in place; only
    /// when they differ is the new layout made (`make`).
    mutating func laidOutAsBefore(samples n: Int, matches: (FamilyLayout) -> Bool, make: () -> FamilyLayout) -> Bool {
        guard let sink, sink.onText == nil else { return false }
        let e = sink.families.position - 1
        if let last = sink.families.layouts[e], matches(last), sink.buffer.canOverwrite(n) { return true }
        sink.families.layouts[e] = make()
        return false
    }

    /// A histogram family by the fast path, if it can: the values the slow path would put,
    /// in its order — cumulative buckets then `+Inf`, the sum with six decimals as parsed
    /// back, the count. `sumDivisor`: the histogram's unit over the exposition's (1 000
    /// for milliseconds).
    mutating func scrapedAsBefore(_ series: [(String, BucketHistogram)], sumDivisor: Double) -> Bool {
        var n = 0
        for (_, h) in series { n += (wantsBucket ? h.bounds.count + 1 : 0) + (wantsSum ? 1 : 0) + (wantsCount ? 1 : 0) }
        let laidOut = laidOutAsBefore(samples: n, matches: { last in
            last.columns.isEmpty && last.values.count == series.count && last.bounds.count == series.count
                && series.indices.allSatisfy { last.values[$0] == series[$0].0 && last.bounds[$0] == series[$0].1.bounds }
        }, make: { FamilyLayout(values: series.map(\.0), bounds: series.map(\.1.bounds), columns: []) })
        guard laidOut else { return false }
        let (buckets, sum, count) = (wantsBucket, wantsSum, wantsCount)
        sink!.withBuffer { buffer in
            for (_, h) in series {
                if buckets {
                    var running = 0
                    for j in h.bounds.indices {
                        running += h.counts[j]
                        buffer.overwrite(Double(running))
                    }
                    buffer.overwrite(Double(h.count))
                }
                if sum { buffer.overwrite(NumberFormat.fixedValue(h.sum / sumDivisor, 6)) }
                if count { buffer.overwrite(Double(h.count)) }
            }
        }
        return true
    }

    /// An outcome counter family by the fast path, if it can (`outcomes`' samples: per
    /// series, one per outcome name).
    mutating func scrapedAsBefore(_ series: [InputTelemetry.Series], names: [String]) -> Bool {
        // The widths are the layout's one bounds row.
        var n = 0
        for s in series { n += min(names.count, s.outcomes.count) }
        let laidOut = laidOutAsBefore(samples: n, matches: { last in
            last.columns == names && last.values.count == series.count && last.bounds.count == 1 && last.bounds[0].count == series.count
                && series.indices.allSatisfy { last.values[$0] == series[$0].label && last.bounds[0][$0] == Double(min(names.count, series[$0].outcomes.count)) }
        }, make: {
            FamilyLayout(values: series.map(\.label), bounds: [series.map { Double(min(names.count, $0.outcomes.count)) }], columns: names)
        })
        guard laidOut else { return false }
        sink!.withBuffer { buffer in
            for s in series {
                for j in 0..<min(names.count, s.outcomes.count) { buffer.overwrite(Double(s.outcomes[j])) }
            }
        }
        return true
    }
}

extension PrometheusText.Sink {
    /// One exclusive access to the buffer for a family's values, not one per value.
    func withBuffer(_ body: (inout ScrapeBuffer) -> Void) { body(&buffer) }
}
