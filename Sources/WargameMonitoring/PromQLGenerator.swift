import Foundation
import SimKernel

/// Random expressions over the supported PromQL subset, and random series for them to read:
/// the differential check against promtool (`wargame rules-differential`). Every construct
/// of the subset appears — selectors with each matcher and `offset`, every function, every
/// aggregation with `by` and `without`, arithmetic, comparisons with and without `bool`,
/// set operators, `on`/`ignoring` and `group_left`/`group_right` — over counters with
/// resets, gauges with decimals and NaN, a histogram, and series that appear late or go stale.
public struct PromQLGenerator {
    var rng: Xoshiro256StarStar

    public init(seed: UInt64) { rng = RandomStreams(seed: seed).stream("promql-generator") }

    mutating func pick<T>(_ xs: [T]) -> T { xs[rng.nextInt(below: xs.count)] }
    mutating func chance(_ p: Double) -> Bool { rng.nextBool(probability: p) }

    static let jobs = ["api", "worker"], codes = ["200", "500"], zones = ["eu", "us", "ap"]
    static let buckets = ["0.1", "0.25", "0.5", "1", "+Inf"]

    /// Series text (as `input_series` writes it) and one value text per scrape.
    public mutating func series(scrapes: Int) -> [(labels: Labels, values: [String])] {
        var out: [(Labels, [String])] = []
        for job in Self.jobs {
            for code in Self.codes {
                var v = Double(rng.nextInt(below: 50)), values: [String] = []
                for s in 0..<scrapes {
                    if s == scrapes / 2 && job == "worker" && code == "500" { v = 0 } else { v += Double(rng.nextInt(below: 30)) }
                    values.append(String(Int(v)))
                }
                out.append((Labels([("__name__", "requests_total"), ("job", job), ("code", code)]), values))
            }
            for zone in Self.zones {
                var values: [String] = []
                for s in 0..<scrapes {
                    if zone == "ap" && s < 5 { values.append("_"); continue }        // appears late
                    if zone == "us" && job == "worker" && s > scrapes - 6 { values.append("_"); continue }  // goes away
                    // Quarters: sums are exact whatever order Prometheus adds them in.
                    values.append(chance(0.03) ? "NaN" : String(format: "%.2f", Double(rng.nextInt(below: 400)) / 4))
                }
                out.append((Labels([("__name__", "temperature_celsius"), ("job", job), ("zone", zone)]), values))
            }
            var counts = Array(repeating: 0, count: Self.buckets.count)
            var columns = Array(repeating: [String](), count: Self.buckets.count)
            for _ in 0..<scrapes {
                var running = 0
                for b in counts.indices {
                    running += rng.nextInt(below: 8)
                    counts[b] = max(counts[b] + running, b > 0 ? counts[b - 1] : 0)
                    columns[b].append(String(counts[b]))
                }
            }
            for (b, le) in Self.buckets.enumerated() {
                out.append((Labels([("__name__", "latency_seconds_bucket"), ("job", job), ("le", le)]), columns[b]))
            }
            out.append((Labels([("__name__", "up"), ("job", job)]), (0..<scrapes).map { _ in chance(0.9) ? "1" : "0" }))
        }
        return out
    }

    mutating func duration() -> String { pick(["1m", "2m", "3m", "5m", "90s", "10m"]) }

    mutating func selector(_ metric: String) -> String {
        var m: [String] = []
        let labelChoices: [(String, [String])] = metric == "requests_total" ? [("job", Self.jobs), ("code", Self.codes)]
            : metric == "temperature_celsius" ? [("job", Self.jobs), ("zone", Self.zones)] : [("job", Self.jobs)]
        if chance(0.5) {
            let (name, values) = pick(labelChoices)
            switch rng.nextInt(below: 4) {
            case 0: m.append("\(name)=\"\(pick(values))\"")
            case 1: m.append("\(name)!=\"\(pick(values))\"")
            case 2: m.append("\(name)=~\"\(pick(values))|\(pick(values))\"")
            default: m.append("\(name)!~\"\(pick(values).prefix(1)).*\"")
            }
        }
        return metric + (m.isEmpty ? "" : "{" + m.joined(separator: ",") + "}")
    }

    mutating func offset() -> String { chance(0.1) ? " offset 1m" : "" }

    /// An instant-vector expression of at most `depth` levels.
    public mutating func vector(depth: Int) -> String {
        let leaf = depth <= 0
        switch rng.nextInt(below: leaf ? 5 : 16) {
        case 0: return selector(pick(["temperature_celsius", "up", "requests_total"])) + offset()
        case 1: return "\(pick(["rate", "irate", "increase"]))(\(selector("requests_total"))[\(duration())]\(offset()))"
        case 2: return "\(pick(["avg_over_time", "max_over_time", "min_over_time", "sum_over_time", "count_over_time", "delta"]))(\(selector("temperature_celsius"))[\(duration())])"
        case 3: return "histogram_quantile(\(pick(["0.5", "0.9", "0.99"])), sum by (le\(chance(0.5) ? ", job" : "")) (rate(latency_seconds_bucket[\(duration())])))"
        case 4: return "vector(\(pick(["1", "time()", "scalar(up{job=\"api\"})"])))"
        case 5, 6: return "\(pick(["sum", "avg", "min", "max", "count"]))\(grouping()) (\(vector(depth: depth - 1)))"
        case 7, 8: return "(\(vector(depth: depth - 1))) \(pick([">", "<", ">=", "<=", "==", "!="]))\(chance(0.2) ? " bool" : "") \(number())"
        case 9: return "(\(vector(depth: depth - 1))) \(pick(["+", "-", "*", "/", "%", "^"])) \(pick(["2", "0.5", "3", "100"]))"
        case 10: return "\(pick(["abs", "absent"]))(\(vector(depth: depth - 1)))"
        case 11: return "\(pick(["clamp_min", "clamp_max"]))(\(vector(depth: depth - 1)), \(number()))"
        case 12: return matched()
        case 13: return "(\(vector(depth: depth - 1))) \(pick(["and", "or", "unless"]))\(chance(0.4) ? " on(job)" : chance(0.3) ? " ignoring(zone)" : "") (\(vector(depth: depth - 1)))"
        case 14: return "\(number()) \(pick([">", "<"])) (\(vector(depth: depth - 1)))"
        default: return "-(\(vector(depth: depth - 1)))"
        }
    }

    mutating func grouping() -> String {
        switch rng.nextInt(below: 4) {
        case 0: ""
        case 1: " by (job)"
        case 2: " without (zone, code)"
        default: " by (job, zone)"
        }
    }

    mutating func number() -> String { pick(["0", "1", "5", "10", "20.5", "50", "0.25", "-3", "1e2"]) }

    /// Vector-vector matching that is well defined (one side unique per match group).
    mutating func matched() -> String {
        switch rng.nextInt(below: 5) {
        case 0: return "sum by (job) (rate(requests_total{code=\"500\"}[5m])) / sum by (job) (rate(requests_total[5m]))"
        case 1: return "rate(requests_total[\(duration())]) / ignoring(code) group_left sum without (code) (rate(requests_total[5m]))"
        case 2: return "max by (job) (temperature_celsius) \(pick([">", "-", "<"])) on(job) avg by (job) (temperature_celsius)"
        case 3: return "up * on(job) group_right sum by (job, zone) (temperature_celsius)"
        default: return "temperature_celsius > on(job, zone) group_left avg_over_time(temperature_celsius[5m]) \(pick(["+", "-"])) \(number())"
        }
    }
}
