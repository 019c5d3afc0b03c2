import SimKernel
import WargameModels

extension PrometheusText {
    /// The scrape's fast path for a family (after `family`, when wanted): when its series
    /// are those of the last scrape and every sample before it was too, its samples are at
    /// the same positions of the buffer with the same names and labels, so their values are
    /// written there without composing or comparing a label. Returns whether the caller may
    /// (`ScrapeBuffer.overwrite`, `n` samples); if not, it writes them sample by sample and
    /// the layout is kept for the next scrape. Not taken when the sink wants the texts too.
    mutating func laidOutAsBefore(_ layout: FamilyLayout, samples n: Int) -> Bool {
        guard let sink, sink.onText == nil else { return false }
        let e = sink.families.position - 1
        guard sink.families.layouts[e] == layout, sink.buffer.canOverwrite(n) else {
            sink.families.layouts[e] = layout
            return false
        }
        return true
    }

    /// A histogram family by the fast path, if it can: the values the slow path would put,
    /// in its order — cumulative buckets then `+Inf`, the sum with six decimals as parsed
    /// back, the count. `sumDivisor`: the histogram's unit over the exposition's (1 000
    /// for milliseconds).
    mutating func scrapedAsBefore(_ series: [(String, BucketHistogram)], sumDivisor: Double) -> Bool {
        var n = 0
        for (_, h) in series { n += (wantsBucket ? h.bounds.count + 1 : 0) + (wantsSum ? 1 : 0) + (wantsCount ? 1 : 0) }
        let layout = FamilyLayout(values: series.map(\.0), bounds: series.map(\.1.bounds), columns: [])
        guard laidOutAsBefore(layout, samples: n) else { return false }
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
        let widths = series.map { min(names.count, $0.outcomes.count) }
        let layout = FamilyLayout(values: series.map(\.label), bounds: [widths.map(Double.init)], columns: names)
        guard laidOutAsBefore(layout, samples: widths.reduce(0, +)) else { return false }
        sink!.withBuffer { buffer in
            for (s, width) in zip(series, widths) {
                for j in 0..<width { buffer.overwrite(Double(s.outcomes[j])) }
            }
        }
        return true
    }
}

extension PrometheusText.Sink {
    /// One exclusive access to the buffer for a family's values, not one per value.
    func withBuffer(_ body: (inout ScrapeBuffer) -> Void) { body(&buffer) }
}
