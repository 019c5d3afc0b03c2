import SimKernel
import WargameModels

/// Writes the end-of-run KPIs in the Prometheus text exposition format (version 0.0.4):
/// `# HELP` and `# TYPE` before each family, `_total` counters, histograms with cumulative
/// `le` buckets ending in `+Inf` equal to `_count`. Usable with node_exporter's textfile
/// collector. Metric names match those the live server and the alert rules use, and follow
/// Prometheus's conventions as `promtool check metrics` enforces them: base units
/// (seconds, not milliseconds), quantiles of a gauge as separately named gauges rather
/// than a `quantile` label (which belongs to summaries).
public struct PrometheusText {
    var out = ""
    /// Receives every sample instead of the text (the rule engine's scrape), as numbers in
    /// a `ScrapeBuffer`; `wants` says which families it reads, so the others are not even
    /// formatted.
    public final class Sink {
        public let wants: (String) -> Bool
        /// A value the exposition writes as text, as the scraper parses it (Go's ParseFloat).
        let parse: (String) -> Double
        /// Every sample as exposed too, when a reader needs the texts (`--rules-test`).
        let onText: ((_ name: String, _ labels: [(String, String)], _ text: String) -> Void)?
        /// The scrape, cleared by `begin()`.
        public var buffer = ScrapeBuffer()
        /// Bucket bounds' `le` texts, kept from scrape to scrape.
        let leTexts = BoundTexts()
        /// Which families it wants, by their position in the exposition (remembered: asking
        /// `wants` hashes the name, seventy times a scrape).
        let families = FamilyMemo()
        public init(wants: @escaping (String) -> Bool, parse: @escaping (String) -> Double,
                    onText: ((String, [(String, String)], String) -> Void)? = nil) {
            self.wants = wants
            self.parse = parse
            self.onText = onText
        }

        /// Starts a scrape: write the exposition through `PrometheusText(sink:)`, then `buffer.end()`.
        public func begin() {
            buffer.begin()
            families.position = 0
        }

        func put(_ name: String, _ labels: [(String, String)], _ value: SampleValue) {
            let v: Double
            switch value {
            case .count(let n): v = Double(n)
            case .fixed(let x, let d): v = NumberFormat.fixedValue(x, d)
            case .text(let t): v = parse(t)
            }
            buffer.put(name, labels, v)
            onText?(name, labels, value.text)
        }
    }
    var sink: Sink?
    /// Whether the current family is wanted (always, when writing text).
    var wanted = true
    /// For a histogram family: which of its `_bucket`, `_sum` and `_count` samples the sink
    /// wants (asked once per family, not once per sample).
    var wantsBucket = true, wantsSum = true, wantsCount = true
    /// The current histogram family's sample names, made once per run when scraping (the
    /// store compares names at every sample, and one string compares fastest with itself);
    /// only histogram writers read it, after their `family`.
    var sampleNames: (bucket: String, sum: String, count: String)?

    public init() {}

    public init(sink: Sink) {
        self.sink = sink
    }

    public var text: String { out }

    /// Starts a family. `help` is only composed for the text (a scrape never reads it).
    mutating func family(_ name: String, _ type: String, _ help: @autoclosure () -> String) {
        if let sink {
            let memo = sink.families
            let k = memo.position
            memo.position += 1
            if k < memo.names.count, memo.names[k] == name {
                (wantsBucket, wantsSum, wantsCount, wanted) = memo.wants[k]
                if wanted, let names = memo.sampleNames[k] { sampleNames = names }
                return
            }
            // A histogram's samples are named name_bucket, name_sum and name_count.
            let names = type == "histogram" ? (name + "_bucket", name + "_sum", name + "_count") : nil
            if let names {
                (wantsBucket, wantsSum, wantsCount) = (sink.wants(names.0), sink.wants(names.1), sink.wants(names.2))
                wanted = wantsBucket || wantsSum || wantsCount
                sampleNames = names
            } else {
                (wantsBucket, wantsSum, wantsCount) = (true, true, true)
                wanted = sink.wants(name)
            }
            memo.set(k, name: name, wants: (wantsBucket, wantsSum, wantsCount, wanted), sampleNames: names)
            return
        }
        out += "# HELP \(name) \(help())\n# TYPE \(name) \(type)\n"
    }

    mutating func sample(_ name: String, _ labels: [(String, String)] = [], _ value: String) {
        sample(name, labels, value: .text(value))
    }

    mutating func sample(_ name: String, _ labels: [(String, String)], value: SampleValue) {
        if let sink {
            if wanted { sink.put(name, labels, value) }
            return
        }
        out += name
        if !labels.isEmpty {
            out += "{" + labels.map { "\($0.0)=\"\(Self.escape($0.1))\"" }.joined(separator: ",") + "}"
        }
        out += " \(value.text)\n"
    }

    /// A bucket bound as its `le` label says it.
    func leText(_ bound: Double) -> String {
        sink?.leTexts.text(bound) ?? NumberFormat.roundTrip(bound)
    }

    static func escape(_ v: String) -> String {
        // Label values almost never need it, and Foundation's replacing is slow per call.
        guard v.utf8.contains(where: { $0 == UInt8(ascii: "\\") || $0 == UInt8(ascii: "\"") || $0 == 10 }) else { return v }
        return v.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"").replacingOccurrences(of: "\n", with: "\\n")
    }

    public mutating func counter(_ name: String, help: @autoclosure () -> String, _ samples: @autoclosure () -> [([(String, String)], Int)]) {
        family(name, "counter", help())
        guard wanted else { return }
        let samples = samples()
        for (labels, v) in samples { sample(name, labels, value: .count(v)) }
    }

    public mutating func gauge(_ name: String, help: @autoclosure () -> String, _ samples: @autoclosure () -> [([(String, String)], Double?)], decimals: Int = 6) {
        family(name, "gauge", help())
        guard wanted else { return }
        let samples = samples()
        for (labels, v) in samples { sample(name, labels, value: v.map { .fixed($0, decimals) } ?? .text("NaN")) }
    }

    /// A gauge whose sample text is already formatted.
    mutating func gauge(_ name: String, help: @autoclosure () -> String, text: @autoclosure () -> String) {
        family(name, "gauge", help())
        guard wanted else { return }
        sample(name, [], text())
    }

    /// A histogram recorded in milliseconds, exported in seconds (bounds and sum ÷ 1000).
    public mutating func histogram(_ name: String, help: @autoclosure () -> String, milliseconds h: BucketHistogram) {
        family(name, "histogram", help())
        guard wanted else { return }
        if scrapedAsBefore([("", h)], sumDivisor: 1_000) { return }
        let names = sampleNames ?? (name + "_bucket", name + "_sum", name + "_count")
        if wantsBucket {
            let bucket = names.bucket
            var l = [("le", "")], running = 0
            for (bound, c) in zip(h.bounds, h.counts) {
                running += c
                l[0].1 = leText(bound / 1_000)
                sample(bucket, l, value: .count(running))
            }
            l[0].1 = "+Inf"
            sample(bucket, l, value: .count(h.count))
        }
        if wantsSum { sample(names.sum, [], value: .fixed(h.sum / 1_000, 6)) }
        if wantsCount { sample(names.count, [], value: .count(h.count)) }
    }

    /// The whole `metrics.prom` of a run, or the live `/metrics` of one under way: both
    /// render from a snapshot, so their metric names are the same by construction.
    public static func render(_ snapshot: MetricsSnapshot) -> String {
        var p = PrometheusText()
        p.write(snapshot)
        return p.text
    }

    /// Every family of `/metrics` (and `metrics.prom`) for `snapshot`, into the text or the sink.
    public mutating func write(_ snapshot: MetricsSnapshot) {
        let r = snapshot.report
        var p = self
        defer { self = p }
        let t = r.totals
        p.counter("wargame_orders_submitted_total", help: "Orders submitted by tenants.", [([], t.submitted)])
        p.counter("wargame_orders_filled_total", help: "Orders placed and running on a provider (a milestone: they end completed or interrupted).", [([], t.filled)])
        p.counter("wargame_orders_dropped_total", help: "Orders dropped before they were served (all reasons; the dropped-request burn-rate rule reads it).", [([], t.dropped)])
        func outcomes() -> [([(String, String)], Int)] {
            var outcomes: [([(String, String)], Int)] = [([("decision", "completed"), ("reason", "")], t.completed)]
            for kind in [DecisionKind.rejected, .dropped, .interrupted] {
                for reason in Reason.allCases {
                    let n = r.recorder.outcomes(kind, reason)
                    if n > 0 { outcomes.append(([("decision", kind.rawValue), ("reason", reason.rawValue)], n)) }
                }
            }
            return outcomes
        }
        p.counter("wargame_orders_final_total", help: "Orders by final state (completed, rejected, dropped, interrupted) and reason; with wargame_orders_in_flight they account for every order once.", outcomes())
        p.gauge("wargame_orders_in_flight", help: "Orders submitted and in no final state yet.", [([], Double(t.inFlight))], decimals: 0)
        p.counter("wargame_failover_events_total", help: "Provider failovers.", [([], t.failovers)])
        p.counter("wargame_jobs_uncovered_total", help: "Completed jobs whose batch missed its provenance deadline.", [([], t.jobsUncovered)])
        p.counter("wargame_jobs_decided_total", help: "Completed jobs whose provenance coverage was decided.", [([], t.jobsCovered + t.jobsUncovered)])
        p.counter("wargame_bridge_retries_total", help: "Bridge tries retried after a timeout.", [([], t.bridgeRetries)])
        p.counter("wargame_breaker_transitions_total", help: "Circuit-breaker state changes.", [([], t.breakerTransitions)])
        p.family("wargame_filled_gpu_seconds_total", "counter", "GPU time of the orders filled, GPU-seconds (÷ 3600: the dashboards' GPU hours).")
        p.sample("wargame_filled_gpu_seconds_total", [], NumberFormat.fixed(r.recorder.gpuHoursFilled * 3_600, 3))
        p.counter("wargame_provider_filled_total", help: "Orders filled per provider.",
                  r.providerIDs.indices.map { ([("provider", r.providerIDs[$0])], r.filledByProvider[$0]) })
        p.gauge("wargame_fill_rate_p50", help: "Median per-step fill rate over the run.", [([], r.kpis[.fillRateP50])], decimals: 4)
        p.gauge("wargame_fill_rate_p95", help: "Per-step fill rate that 95 % of steps reach (the 5th percentile; the fill_rate_p95 SLO's value).",
                [([], r.kpis[.fillRateP95])], decimals: 4)
        p.gauge("wargame_provenance_coverage", help: "Covered jobs over jobs whose coverage was decided.", [([], r.kpis[.provenanceCoverage])], decimals: 4)
        p.gauge("wargame_dropped_ratio", help: "Dropped orders over submitted orders.", [([], r.kpis[.droppedRatio])], decimals: 4)
        p.gauge("wargame_failover_events_per_5m_max", help: "Most failovers in any 5-minute window.", [([], r.kpis[.failoversPer5mMax])], decimals: 0)
        p.histogram("wargame_bridge_rtt_seconds", help: "Round trip of successful bridge tries.", milliseconds: r.recorder.bridgeRTTHistogram)
        p.histogram("wargame_policy_decision_seconds", help: "vault-law decision time (wait + evaluation).", milliseconds: r.recorder.decisionHistogram)
        let last = r.lastStepSignals
        for signal in Signal.allCases {
            // As `signal.gaugeText` writes it.
            p.gauge(signal.metric, help: "The last step's \(signal.rawValue)\(signal.divisor == 1 ? "" : " in seconds") (the signal alert rules watch).",
                    [([], last[signal])], decimals: signal.decimals)
        }
        p.gauge("wargame_slo_met", help: "1 when the SLO held over the run, else 0.",
                r.results.map { ([("slo", $0.slo.name)], $0.verdict == .pass ? 1 : 0) }, decimals: 0)
        if !snapshot.providers.isEmpty {
            p.gauge("wargame_provider_capacity", help: "GPU slots a provider offers.",
                    snapshot.providers.map { ([("provider", $0.id)], Double($0.capacity)) }, decimals: 0)
            p.gauge("wargame_provider_running", help: "Jobs placed on a provider now.",
                    snapshot.providers.map { ([("provider", $0.id)], Double($0.running)) }, decimals: 0)
            p.gauge("wargame_provider_breaker_state", help: "Circuit-breaker state: 0 CLOSED, 1 HALF_OPEN, 2 OPEN.",
                    snapshot.providers.map { ([("provider", $0.id)], Double($0.breaker == .closed ? 0 : $0.breaker == .halfOpen ? 1 : 2)) },
                    decimals: 0)
        }
        if let shards = snapshot.service?.shards {
            p.gauge("wargame_shard_open_jobs", help: "Queued + active jobs in the shard (getShardUsage open).",
                    shards.map { ([("shard", $0.name)], Double($0.open)) }, decimals: 0)
            p.gauge("wargame_shard_active_jobs", help: "Jobs on providers from the shard (getShardUsage active).",
                    shards.map { ([("shard", $0.name)], Double($0.active)) }, decimals: 0)
            p.gauge("wargame_shard_max_open_jobs", help: "The shard's open-jobs quota.", shards.map { ([("shard", $0.name)], Double($0.maxOpen)) }, decimals: 0)
            p.gauge("wargame_shard_max_active_jobs", help: "The shard's active-jobs quota.", shards.map { ([("shard", $0.name)], Double($0.maxActive)) }, decimals: 0)
        }
        if let inputs = snapshot.inputs { p.inputTelemetry(inputs) }
        p.gauge("wargame_simulated_seconds", help: "Simulated time reached.", [([], snapshot.simulatedSeconds)], decimals: 3)
        if let firing = snapshot.firing {
            p.gauge("wargame_alert_firing", help: "1 for each alert the war game's own evaluation has firing (built-in rules and the team's): its alertname and labels.",
                    firing.map { ([("alertname", $0.rule)] + $0.labels, 1) }, decimals: 0)
        }
    }
}

/// A sample's value: a count, or a number with fixed decimals (both exact as numbers, so a
/// scrape need not print and parse them: `NumberFormat.fixedValue` is the parsed text bit
/// for bit), or text as the exposition prints it.
public enum SampleValue {
    case count(Int)
    case fixed(Double, Int)
    case text(String)

    public var text: String {
        switch self {
        case .count(let n): String(n)
        case .fixed(let x, let d): NumberFormat.fixed(x, d)
        case .text(let t): t
        }
    }
}

/// A scrape's families in exposition order, each with what the sink wants of it (parallel
/// arrays, read by position: a family costs a name comparison, not a tuple of strings copied).
final class FamilyMemo {
    private(set) var names: [String] = []
    private(set) var wants: [(bucket: Bool, sum: Bool, count: Bool, any: Bool)] = []
    private(set) var sampleNames: [(bucket: String, sum: String, count: String)?] = []
    /// Per histogram family, its series at the last scrape.
    var layouts: [FamilyLayout?] = []
    var position = 0

    func set(_ k: Int, name: String, wants w: (Bool, Bool, Bool, Bool), sampleNames n: (String, String, String)?) {
        if k < names.count {
            (names[k], wants[k], sampleNames[k], layouts[k]) = (name, w, n, nil)
        } else {
            names.append(name)
            wants.append(w)
            sampleNames.append(n)
            layouts.append(nil)
        }
    }
}

/// A family's series at one scrape, as far as they decide its samples: each one's label
/// value, bucket bounds or widths, and column names (the arrays are the model's own, so
/// comparing them is mostly an identity check).
struct FamilyLayout: Equatable {
    let values: [String]
    let bounds: [[Double]]
    let columns: [String]
}

/// Bucket bounds' `le` texts by bound: the same dozen bounds are printed at every scrape.
final class BoundTexts {
    private var texts: [Double: String] = [:]

    func text(_ bound: Double) -> String {
        if let t = texts[bound] { return t }
        let t = NumberFormat.roundTrip(bound)
        if texts.count < 4_096 { texts[bound] = t }
        return t
    }
}

/// A provider's live state, for the load and breaker gauges.
public struct ProviderState: Sendable {
    public let id: String
    public let running: Int
    public let capacity: Int
    public let breaker: BreakerState

    public init(id: String, running: Int, capacity: Int, breaker: BreakerState) {
        self.id = id
        self.running = running
        self.capacity = capacity
        self.breaker = breaker
    }
}

/// Everything `/metrics` and `metrics.prom` show, at one moment of a run.
public struct MetricsSnapshot: Sendable {
    public let report: RunReport
    public let providers: [ProviderState]
    public let simulatedSeconds: Double
    /// What the simulated service reports about itself (port 9109); live runs only.
    public var service: ServiceState?
    /// The models' draws (`InputTelemetry`): the production-style data calibration reads.
    public var inputs: InputTelemetry?
    /// The alerts the war game's own evaluation has firing (built-in and the team's rules),
    /// for the live endpoint; nil in `metrics.prom`, which describes a finished run.
    public var firing: [AlertEpisode]?

    public init(report: RunReport, providers: [ProviderState], simulatedSeconds: Double) {
        self.report = report
        self.providers = providers
        self.simulatedSeconds = simulatedSeconds
    }
}

/// `kpi_timeseries.csv`: one row per step.
public enum TimeSeries {
    public static func header(providers: [String], shards: [String] = []) -> [String] {
        ["step", "start_s", "submitted", "filled", "fill_rate", "dropped", "rejected_gateway", "rejected_policy",
         "rejected_shard", "rejected_routing", "bridge_rtt_p50_ms", "bridge_rtt_p95_ms", "decision_p95_ms",
         "provenance_coverage", "failover_events", "open_breakers"] + providers.map { "share_" + $0 }
            + ["failover_events_5m", "dropped_5m", "rate_limited_ratio", "system_paused", "gpu_hours_filled"]
            + shards.flatMap { ["shard_open_" + $0, "shard_active_" + $0] } + ["warmup"]
    }

    /// `warmup`: the step is in the warm-up (1), left out of KPIs and alerts, or not (0).
    /// `signals`: the alert signals after this step (`SignalHistory.latest`), for the windowed columns.
    public static func row(_ s: StepKPIs, stepSeconds: Double, signals: SignalValues = SignalValues(), warmup: Bool = false) -> [String] {
        func opt(_ x: Double?, _ d: Int) -> String { x.map { NumberFormat.fixed($0, d) } ?? "" }
        var r: [String] = [String(s.step), NumberFormat.fixed(Double(s.step) * stepSeconds, 3)]
        r += [String(s.submitted), String(s.filled), opt(s.fillRate, 4), String(s.dropped)]
        r += [String(s.rejectedGateway), String(s.rejectedPolicy), String(s.rejectedShard), String(s.rejectedRouting)]
        r += [opt(s.bridgeRTTMilliseconds(0.5), 3), opt(s.bridgeRTTMilliseconds(0.95), 3), opt(s.decisionTimeMilliseconds(0.95), 3)]
        r += [opt(s.coverage, 4), String(s.failovers), String(s.openBreakers)]
        r += s.filledByProvider.map { s.filled > 0 ? NumberFormat.fixed(Double($0) / Double(s.filled), 4) : "" }
        for signal in [Signal.failovers5m, .dropped5m, .rateLimitedRatio, .systemPaused] {
            r.append(signals[signal].map { signal.gaugeText($0) } ?? "")
        }
        r.append(NumberFormat.fixed(s.gpuHoursFilled, 4))
        for (open, active) in zip(s.shardOpen, s.shardActive) { r += [String(open), String(active)] }
        return r + [warmup ? "1" : "0"]
    }
}
