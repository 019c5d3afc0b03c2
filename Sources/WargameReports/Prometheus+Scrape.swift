import SimKernel

extension PrometheusText {
    /// The scrape's fast path for a histogram family (after `family`, when wanted): when its
    /// series are those of the last scrape and every sample before it was too, the samples
    /// are at the same positions of the buffer with the same names and labels, so their
    /// values are written there without composing or comparing a label. Returns whether it
    /// wrote them; if not, the caller writes them sample by sample (and the layout is kept
    /// for the next scrape). Not taken when the sink wants the texts too.
    ///
    /// `sumDivisor`: the histogram's unit over the exposition's (1 000 for milliseconds).
    mutating func scrapedAsBefore(_ series: [(String, BucketHistogram)], sumDivisor: Double) -> Bool {
        guard let sink, sink.onText == nil else { return false }
        let e = sink.families.position - 1
        let layout = HistogramLayout(values: series.map(\.0), bounds: series.map(\.1.bounds))
        var n = 0
        for (_, h) in series { n += (wantsBucket ? h.bounds.count + 1 : 0) + (wantsSum ? 1 : 0) + (wantsCount ? 1 : 0) }
        guard sink.families.layouts[e] == layout, sink.buffer.canOverwrite(n) else {
            sink.families.layouts[e] = layout
            return false
        }
        Self.overwrite(&sink.buffer, series, buckets: wantsBucket, sum: wantsSum, count: wantsCount, sumDivisor: sumDivisor)
        return true
    }

    /// The values the slow path would put, in its order: cumulative buckets then `+Inf`,
    /// the sum with six decimals as parsed back, the count.
    private static func overwrite(_ buffer: inout ScrapeBuffer, _ series: [(String, BucketHistogram)],
                                  buckets: Bool, sum: Bool, count: Bool, sumDivisor: Double) {
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
}
