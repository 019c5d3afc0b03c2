/// The simulated Prometheus: series scraped at each step end, kept only as far back as the
/// rules read (their longest range plus offset, or the 5-minute lookback), so memory is
/// flat in the run's length. A series missing from a scrape gets a staleness marker, as
/// Prometheus writes one, and instant selectors stop seeing it.
///
/// Selection follows Prometheus 2.x (the semantics of the promtool that checks us): an
/// instant selector takes the newest sample in `[t − 5m, t]`, a range selector every
/// sample in `[t − range, t]` — both ends closed (Prometheus 3 made the left end open).
public final class SeriesStore {
    public static let lookbackMs: Int64 = 5 * 60_000
    /// Prometheus's staleness marker: a NaN with this bit pattern, never a real value.
    static let staleBits: UInt64 = 0x7ff0_0000_0000_0002

    struct Series {
        let labels: Labels
        /// `labels` without `__name__`: what a function of the series is labelled with.
        let nameless: Labels
        var times: [Int64] = []
        var values: [Double] = []
        var start = 0
        var lastScrape = -1
        /// Written by a recording rule, not a scrape: goes stale when the rule stops producing it.
        var recorded = false

        mutating func append(_ t: Int64, _ v: Double, keepAfter: Int64) {
            times.append(t)
            values.append(v)
            while start < times.count - 1 && times[start] < keepAfter { start += 1 }
            if start > 64 && start * 2 > times.count {
                times.removeFirst(start)
                values.removeFirst(start)
                start = 0
            }
        }
    }

    var series: [Series] = []
    /// Position in `series` by the exposition key (`name{labels}`), looked up only.
    var index: [String: Int] = [:]
    /// Series in `labels.Compare` order: the order selections return them in.
    var sorted: [Int] = []
    let retentionMs: Int64
    /// Metric names kept, or nil to keep every series (a rule selects without a name).
    let names: Set<String>?
    var scrapes = 0
    /// Bumped whenever a series is added, invalidating cached selections.
    public private(set) var generation = 0
    public private(set) var lastTime: Int64 = .min

    public init(retentionMs: Int64, names: Set<String>?) {
        self.retentionMs = max(retentionMs, Self.lookbackMs)
        self.names = names
    }

    public func wants(_ metric: String) -> Bool { names?.contains(metric) ?? true }

    /// One scrape at `t` (ms): `key` is any stable text identifying the series.
    public func beginScrape(at t: Int64) {
        precondition(t > lastTime, "scrapes in time order")
        lastTime = t
        scrapes += 1
        position = 0
    }

    /// The series of the previous scrape, by position: an exposition lists its series in
    /// the same order every time, so the series at position k is almost always the one seen
    /// at k last time, and is found by comparing its labels, without building a key.
    var byPosition: [(name: String, labels: [(String, String)], index: Int)] = []
    var position = 0

    /// A scraped sample: `name` and `labels` as exposed (empty label values included).
    public func add(name: String, labels: [(String, String)], value: Double) {
        let i: Int
        if position < byPosition.count, byPosition[position].name == name, byPosition[position].labels.elementsEqual(labels, by: ==) {
            i = byPosition[position].index
        } else {
            i = seriesIndex(Self.key(name, labels)) { Labels([("__name__", name)] + labels) }
            if position < byPosition.count { byPosition[position] = (name, labels, i) } else { byPosition.append((name, labels, i)) }
        }
        position += 1
        guard series[i].lastScrape != scrapes else { return }  // a duplicate line keeps the first
        series[i].lastScrape = scrapes
        series[i].append(lastTime, value, keepAfter: lastTime - retentionMs)
    }

    /// Per position of the last `scrape`, the series it wrote (−1: a repeat of an earlier
    /// line, which Prometheus drops).
    private var plan: [Int] = []

    /// A whole scrape at `t` (ms), its samples by position (`count` of them): positions
    /// before `firstChange` name the same series as at the previous scrape, so only the
    /// rest are looked up, and when none changed no series can have gone stale.
    public func scrape(at t: Int64, names: [String], labels: [[(String, String)]], values: [Double], count: Int, firstChange: Int) {
        beginScrape(at: t)
        let changed = firstChange < count || count != plan.count
        if changed {
            plan.removeLast(plan.count - min(plan.count, firstChange))
            for k in plan.count..<count {
                plan.append(seriesIndex(Self.key(names[k], labels[k])) { Labels([("__name__", names[k])] + labels[k]) })
            }
            var seen = Set<Int>()
            for k in plan.indices where plan[k] >= 0 && !seen.insert(plan[k]).inserted { plan[k] = -1 }
        }
        let (now, keepAfter, scrapes) = (lastTime, lastTime - retentionMs, scrapes)
        series.withUnsafeMutableBufferPointer { all in
            for k in 0..<count {
                let i = plan[k]
                guard i >= 0 else { continue }
                all[i].lastScrape = scrapes
                all[i].append(now, values[k], keepAfter: keepAfter)
            }
        }
        if changed { endScrape() }
    }

    /// A series' identity as exposed: its name and labels (empty values included).
    static func key(_ name: String, _ labels: [(String, String)]) -> String {
        name + "\u{0}" + labels.map { $0.0 + "=" + $0.1 }.joined(separator: "\u{0}")
    }

    func seriesIndex(_ key: String, _ labels: () -> Labels) -> Int {
        if let found = index[key] { return found }
        let i = newSeries(labels())
        index[key] = i
        return i
    }

    private func newSeries(_ l: Labels) -> Int {
        let i = series.count
        series.append(Series(labels: l, nameless: l.withoutName))
        sorted.insert(i, at: Self.insertionPoint(sorted, l, series))
        generation += 1
        return i
    }

    /// Recording rules' series by their labels.
    private var recordedIndex = LabelTable<Int>()

    /// A recording rule's sample at `t`.
    func record(_ labels: Labels, value: Double, at t: Int64) {
        record(series: recordedSeries(labels), value: value, at: t)
    }

    /// The position of the recorded series with these labels, made if new.
    func recordedSeries(_ labels: Labels) -> Int {
        if let found = recordedIndex[labels] { return found }
        let i = newSeries(labels)
        recordedIndex.insert(labels, i)
        series[i].recorded = true
        return i
    }

    /// A recording rule's sample at `t`, into the series at `i` (`recordedSeries`).
    func record(series i: Int, value: Double, at t: Int64) {
        if let last = series[i].times.last, last >= t { return }
        series[i].append(t, value, keepAfter: t - retentionMs)
    }

    /// A staleness marker for a recorded series the rule no longer produces.
    func recordStale(_ labels: Labels, at t: Int64) {
        guard let i = recordedIndex[labels] else { return }
        if let last = series[i].times.last, last >= t { return }
        series[i].append(t, Double(bitPattern: Self.staleBits), keepAfter: t - retentionMs)
    }

    /// Ends the scrape: series it did not carry go stale.
    public func endScrape() {
        for i in series.indices where series[i].lastScrape == scrapes - 1 && !series[i].recorded {
            series[i].append(lastTime, Double(bitPattern: Self.staleBits), keepAfter: lastTime - retentionMs)
        }
    }

    static func insertionPoint(_ sorted: [Int], _ l: Labels, _ series: [Series]) -> Int {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if series[sorted[mid]].labels < l { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    static func isStale(_ v: Double) -> Bool { v.bitPattern == staleBits }

    /// The series a selector's matchers accept, in label order.
    func matching(_ matchers: [LabelMatch]) -> [Int] {
        sorted.filter { i in matchers.allSatisfy { $0.matches(series[i].labels[$0.name]) } }
    }

    /// The newest sample in `[t − 5m, t]`, unless it is a staleness marker.
    func instant(_ i: Int, at t: Int64) -> Double? {
        let (times, values, start) = (series[i].times, series[i].values, series[i].start)
        var k = times.count - 1
        while k >= start && times[k] > t { k -= 1 }
        guard k >= start, times[k] >= t - Self.lookbackMs, !Self.isStale(values[k]) else { return nil }
        return values[k]
    }

    /// Every sample in `[from, to]` but staleness markers (slices of the series' own
    /// storage unless a marker has to be left out).
    func range(_ i: Int, from: Int64, to: Int64) -> (times: ArraySlice<Int64>, values: ArraySlice<Double>) {
        let (times, values, start) = (series[i].times, series[i].values, series[i].start)
        var k = times.count - 1
        while k >= start && times[k] > to { k -= 1 }
        var lo = k
        while lo >= start && times[lo] >= from { lo -= 1 }
        guard lo + 1 <= k else { return ([], []) }
        let (t, v) = (times[(lo + 1)...k], values[(lo + 1)...k])
        guard v.contains(where: Self.isStale) else { return (t, v) }
        var tt: [Int64] = [], vv: [Double] = []
        for j in (lo + 1)...k where !Self.isStale(values[j]) {
            tt.append(times[j])
            vv.append(values[j])
        }
        return (tt[...], vv[...])
    }

    /// `body` of series `i`'s samples in `[from, to]`, read where they are stored; nil
    /// (without calling it) when a staleness marker is among them, for `range` to leave out.
    func inPlace(_ i: Int, from: Int64, to: Int64,
                 _ body: (Slice<UnsafeBufferPointer<Int64>>, Slice<UnsafeBufferPointer<Double>>) -> Double?) -> Double?? {
        series.withUnsafeBufferPointer { all in
            all[i].times.withUnsafeBufferPointer { times in
                all[i].values.withUnsafeBufferPointer { values in
                    let start = all[i].start
                    var k = times.count - 1
                    while k >= start && times[k] > to { k -= 1 }
                    var lo = k
                    while lo >= start && times[lo] >= from { lo -= 1 }
                    guard lo + 1 <= k else { return .some(body(times[0..<0], values[0..<0])) }
                    for j in (lo + 1)...k where Self.isStale(values[j]) { return nil }
                    return .some(body(times[(lo + 1)...k], values[(lo + 1)...k]))
                }
            }
        }
    }

    func labels(_ i: Int) -> Labels { series[i].labels }
    func namelessLabels(_ i: Int) -> Labels { series[i].nameless }
}
