import SimKernel
import WargameModels
import WargameReports

/// The scenario schema: how each JSON layer is read onto a `Scenario`. Every field, with
/// its unit, range, default and meaning, is stated exactly once, here.
enum ScenarioSchema {
    /// Reads one layer onto `s`. Errors go to `diagnostics`; each section is a recovery
    /// point, so a mistake in one does not hide mistakes in the next.
    static func apply(_ json: JSON, file: String, to s: inout Scenario, docs: DocCollector?, diagnostics: Diagnostics) throws(ScenarioError) {
        let f = try Fields(file: file, path: "", json: json, docs: docs, diagnostics: diagnostics)
        var version = ScenarioLoader.version
        if docs == nil && json["version"] == nil {
            try f.report(ScenarioError(file: file, path: "version", message: "expected the schema version \(ScenarioLoader.version), found nothing"))
        }
        try f.integer("version", &version, ScenarioLoader.version...ScenarioLoader.version, doc: "Schema version; required in every file.")
        // Read by the loader before any layer is applied; listed here so it is known and documented.
        _ = f.raw("extends", type: "string", defaultValue: "none", doc: "Path of a base scenario (relative to this file) whose values this file overrides.")
        try f.string("name", &s.name, doc: "Scenario name: \(ScenarioName.rule). The default output directory is `out/<name>/`.")
        if docs == nil, !ScenarioName.isValid(s.name) {
            try f.report(ScenarioError(file: file, path: "name", message: "expected \(ScenarioName.rule), found \(JSON.string(s.name).described)"))
        }
        try f.string("description", &s.description, doc: "What the scenario rehearses.")
        try f.object("run", doc: "Run settings.") { r throws(ScenarioError) in
            try r.seconds("step_s", &s.run.stepLength, 1...86_400, doc: "Length of one step, the window of windowed KPIs; whole seconds (alert rules' PromQL windows are multiples of it).")
            if s.run.stepLength.microseconds % 1_000_000 != 0 {
                throw ScenarioError(file: r.file, path: r.at("step_s"), message: "expected a whole number of seconds in 1…86400, found \(Fields.show(s.run.stepLength.seconds))")
            }
            try r.integer("steps", &s.run.steps, 1...10_000_000, doc: "Default number of steps (`--steps`/`STEPS` override).")
            try r.seed("seed", &s.run.seed, doc: "Default seed (`--seed`/`SEED` override).")
            try r.seconds("warmup_s", &s.run.warmup, 0...1e9, doc: "Warm-up left out of KPIs, SLO verdicts, alerts and error budgets (still in the decision log and time series, marked); a multiple of step_s (`--warmup` overrides; `wargame warmup` suggests one).")
            if s.run.warmup.microseconds % s.run.stepLength.microseconds != 0 {
                throw ScenarioError(file: r.file, path: r.at("warmup_s"), message: "expected a multiple of step_s (\(Fields.show(s.run.stepLength.seconds)) s), found \(Fields.show(s.run.warmup.seconds))")
            }
        }
        try f.recover { () throws(ScenarioError) in try regions(f, &s.pipeline) }
        try f.recover { () throws(ScenarioError) in try demand(f, &s.pipeline) }
        try f.recover { () throws(ScenarioError) in try gateway(f, &s.pipeline) }
        try f.recover { () throws(ScenarioError) in try bridges(f, &s.pipeline) }
        try f.recover { () throws(ScenarioError) in try policy(f, &s.pipeline) }
        try f.recover { () throws(ScenarioError) in try shards(f, &s.pipeline) }
        try f.recover { () throws(ScenarioError) in try providers(f, &s.pipeline) }
        try f.recover { () throws(ScenarioError) in try breaker(f, &s.pipeline) }
        try f.recover { () throws(ScenarioError) in try router(f, &s.pipeline) }
        try f.recover { () throws(ScenarioError) in try provenance(f, &s.pipeline) }
        try f.seconds("max_queue_wait_s", &s.pipeline.maxQueueWait, 0...86_400,
                      doc: "An admitted job waiting longer than this for a provider is dropped (`no_eligible_provider`).")
        try f.recover { () throws(ScenarioError) in try slos(f, &s) }
        try f.recover { () throws(ScenarioError) in try WarGameSchema.response(f, &s) }
        try f.recover { () throws(ScenarioError) in try monitoring(f, &s) }
        // Alert rules before incidents: an incident's detected_by names them.
        try f.recover { () throws(ScenarioError) in try WarGameSchema.alerts(f, &s) }
        try f.recover { () throws(ScenarioError) in try WarGameSchema.incidents(f, &s) }
        try f.recover { () throws(ScenarioError) in try WarGameSchema.playbook(f, &s) }
        try f.recover { () throws(ScenarioError) in try expectations(f, &s) }
        try f.finish()
    }

    // MARK: - Sections

    static func regions(_ f: Fields, _ c: inout PipelineConfig) throws(ScenarioError) {
        guard let items = try f.array("regions", type: "strings", defaultValue: "[" + c.regions.map { "\"\($0)\"" }.joined(separator: ", ") + "]",
                                      doc: "Region names; other fields refer to regions by name.") else { return }
        var names: [String] = []
        for (i, item) in items.enumerated() {
            guard case .string(let n) = item, !n.isEmpty, !names.contains(n) else {
                throw ScenarioError(file: f.file, path: "regions[\(i)]", message: "expected a unique region name, found \(item.described)")
            }
            names.append(n)
        }
        if names.isEmpty || names.count > 16 {
            throw ScenarioError(file: f.file, path: "regions", message: "expected 1…16 regions, found \(names.count)")
        }
        c.regions = names
    }

    static func region(_ item: JSON, _ path: String, _ f: Fields, _ c: PipelineConfig) throws(ScenarioError) -> Int {
        guard case .string(let n) = item else {
            throw ScenarioError(file: f.file, path: path, message: "expected a region name, found \(item.described)")
        }
        guard let i = c.regions.firstIndex(of: n) else {
            var m = "expected one of the regions " + c.regions.map { "\"\($0)\"" }.joined(separator: ", ") + ", found \"\(n)\""
            if let g = closest(to: n, in: c.regions) { m += " (did you mean \"\(g)\"?)" }
            throw ScenarioError(file: f.file, path: path, message: m)
        }
        return i
    }

    static func regionList(_ f: Fields, _ key: String, _ value: inout [Int], _ c: PipelineConfig, doc: String) throws(ScenarioError) {
        let shown = "[" + value.map { $0 < c.regions.count ? "\"\(c.regions[$0])\"" : "?" }.joined(separator: ", ") + "]"
        guard let items = try f.array(key, type: "region names", defaultValue: shown, doc: doc) else { return }
        var out: [Int] = []
        for (i, item) in items.enumerated() { out.append(try region(item, "\(f.at(key))[\(i)]", f, c)) }
        value = out
    }

    static func demand(_ f: Fields, _ c: inout PipelineConfig) throws(ScenarioError) {
        try f.object("demand", doc: "Tenants and their orders.") { d throws(ScenarioError) in
            try d.integer("tenants", &c.demand.tenants, 1...10_000, doc: "Number of tenants, each its own Poisson process.")
            try d.number("orders_per_second", &c.demand.ordersPerSecond, 0...100_000, unit: "orders/s", doc: "Mean order rate over all tenants.")
            try d.numbers("tenant_weights", &c.demand.tenantWeights, 0...1e9, doc: "Relative tenant sizes (empty = equal); one per tenant.")
            try d.number("diurnal_amplitude", &c.demand.diurnalAmplitude, 0...1, doc: "Rate × (1 + a·cos(2π(hour − peak)/24)).")
            try d.number("peak_hour", &c.demand.peakHour, 0...24, unit: "h", doc: "Hour of the diurnal peak.")
            try d.object("gpu_hours", doc: "Order size: lognormal by median and p95.") { g throws(ScenarioError) in
                try g.number("median", &c.demand.gpuHoursMedian, 1e-6...1_000, unit: "GPU h", doc: "Median GPU hours per order.")
                try g.number("p95", &c.demand.gpuHoursP95, 1e-6...10_000, unit: "GPU h", doc: "95th percentile of GPU hours per order.")
            }
            try d.object("budget_per_gpu_hour", doc: "Order budget: lognormal by median and p95.") { b throws(ScenarioError) in
                try b.number("median", &c.demand.budgetMedian, 1e-6...1e6, unit: "$/GPU h", doc: "Median budget per GPU hour.")
                try b.number("p95", &c.demand.budgetP95, 1e-6...1e7, unit: "$/GPU h", doc: "95th percentile budget per GPU hour.")
            }
            try d.numbers("region_weights", &c.demand.regionWeights, 0...1e9, doc: "Probability weights of order regions, one per region.")
            try d.probability("invalid_signature_probability", &c.demand.invalidSignatureProbability, doc: "Orders with a bad signature.")
            try d.probability("replay_probability", &c.demand.replayProbability, doc: "Orders reusing the tenant's previous nonce.")
            guard let items = try d.array("surges", type: "objects", defaultValue: "[]",
                                          doc: "Demand surges: `start_s`, `duration_s`, `multiplier`, optional `tenant` (`7` or `\"tenant-7\"`).") else { return }
            var surges: [Surge] = []
            for (i, item) in items.enumerated() {
                try d.recover { () throws(ScenarioError) in
                    let sf = try d.element("\(d.at("surges"))[\(i)]", item)
                    var start = SimDuration.zero, duration = SimDuration.minutes(10), multiplier = 2.0, tenant = -1
                    try sf.seconds("start_s", &start, 0...1e9, doc: "")
                    try sf.seconds("duration_s", &duration, 0...1e9, doc: "")
                    try sf.number("multiplier", &multiplier, 0...1e6, doc: "")
                    try sf.tenant("tenant", &tenant, tenants: c.demand.tenants, doc: "")
                    try sf.finish()
                    surges.append(Surge(start: .zero + start, duration: duration, multiplier: multiplier, tenant: tenant >= 0 ? tenant : nil))
                }
            }
            c.demand.surges = surges
        }
    }

    static func limiter(_ f: Fields, _ key: String, _ value: inout RateLimiterConfig, doc: String) throws(ScenarioError) {
        try f.object(key, doc: doc + " `kind`: token_bucket (rate_per_s, burst), sliding_window_log or sliding_window_counter (limit, window_s), unlimited.") { l throws(ScenarioError) in
            var kind = "token_bucket", rate = 1.0, burst = 10.0, limit = 600, window = SimDuration.seconds(10)
            switch value {
            case .tokenBucket(let r, let b): kind = "token_bucket"; rate = r; burst = b
            case .slidingWindowLog(let n, let w): kind = "sliding_window_log"; limit = n; window = w
            case .slidingWindowCounter(let n, let w): kind = "sliding_window_counter"; limit = n; window = w
            case .unlimited: kind = "unlimited"
            }
            try l.choice("kind", &kind, [("token_bucket", "token_bucket"), ("sliding_window_log", "sliding_window_log"),
                                         ("sliding_window_counter", "sliding_window_counter"), ("unlimited", "unlimited")], doc: "Limiter algorithm.")
            try l.number("rate_per_s", &rate, 0...1e6, unit: "requests/s", doc: "Token refill rate (token_bucket).")
            try l.number("burst", &burst, 1...1e6, unit: "requests", doc: "Bucket size (token_bucket).")
            try l.integer("limit", &limit, 1...10_000_000, unit: "requests", doc: "Requests per window (sliding windows).")
            try l.seconds("window_s", &window, 0.001...86_400, doc: "Window length (sliding windows).")
            // A field of another algorithm would be silently ignored: say so instead.
            let own: [String] = kind == "token_bucket" ? ["rate_per_s", "burst"] : kind == "unlimited" ? [] : ["limit", "window_s"]
            for key in ["rate_per_s", "burst", "limit", "window_s"] where l.has(key) && !own.contains(key) {
                try l.diagnostics.record(ScenarioError(file: l.file, path: l.at(key),
                    message: "expected only the fields of kind \(kind)" + (own.isEmpty ? " (none)" : " (" + own.joined(separator: ", ") + ")")
                        + ", found \(key), which \(kind) would ignore"))
            }
            switch kind {
            case "token_bucket": value = .tokenBucket(ratePerSecond: rate, burst: burst)
            case "sliding_window_log": value = .slidingWindowLog(limit: limit, window: window)
            case "sliding_window_counter": value = .slidingWindowCounter(limit: limit, window: window)
            default: value = .unlimited
            }
        }
    }

    static func gateway(_ f: Fields, _ c: inout PipelineConfig) throws(ScenarioError) {
        try f.object("gateway", doc: "Gateway rate limiters (429s).") { g throws(ScenarioError) in
            try limiter(g, "tenant_limit", &c.tenantLimit, doc: "Limiter applied to each tenant.")
            try limiter(g, "global_limit", &c.globalLimit, doc: "Limiter applied to all traffic.")
        }
    }

    static func bridges(_ f: Fields, _ c: inout PipelineConfig) throws(ScenarioError) {
        try f.keyedObjects("bridges", &c.bridges, idKey: "name", id: \.name, template: { name in
            var b = BridgeConfig.axelar
            b.name = name
            return b
        }, doc: "Cross-chain bridges (default: axelar, ibc).") { b, v throws(ScenarioError) in
            try b.milliseconds("base_rtt_ms", &v.baseRTT, 0...600_000, doc: "Network round trip without queueing.")
            try b.milliseconds("relay_median_ms", &v.relayMedian, 0.001...600_000, doc: "Median relayer work per message.")
            try b.milliseconds("relay_p95_ms", &v.relayP95, 0.001...600_000, doc: "95th percentile relayer work (≥ median).")
            try b.integer("relayers", &v.relayers, 0...10_000, doc: "Relayers serving messages in parallel.")
            try b.probability("loss_probability", &v.lossProbability, doc: "Messages lost (no response; the try times out).")
            try b.milliseconds("timeout_ms", &v.timeout, 1...3_600_000, doc: "A try unanswered by then is retried.")
            try b.integer("max_attempts", &v.maxAttempts, 1...100, doc: "Tries in all before the order is dropped (`bridge_timeout`).")
            try b.milliseconds("backoff_base_ms", &v.backoffBase, 0...3_600_000, doc: "Backoff before try n+1: U(0, min(cap, base·2^(n−1))).")
            try b.milliseconds("backoff_cap_ms", &v.backoffCap, 0...3_600_000, doc: "Backoff ceiling.")
            try b.number("latency_multiplier", &v.latencyMultiplier, 0.01...1_000, doc: "Congestion: scales base RTT and relayer work.")
            try b.number("weight", &v.weight, 0...1e9, doc: "Share of orders submitted through this bridge.")
            try b.number("background_messages_per_s", &v.backgroundMessagesPerSecond, 0...1e6, unit: "messages/s",
                         doc: "Other applications' messages sharing the relayers.")
        }
    }

    static func policy(_ f: Fields, _ c: inout PipelineConfig) throws(ScenarioError) {
        let current = c
        try f.object("policy", doc: "The vault-law policy engine.") { p throws(ScenarioError) in
            try p.integer("workers", &c.policy.workers, 1...10_000, doc: "Workers evaluating decisions in parallel.")
            var medians = c.policy.checkMedian.map(\.milliseconds), p95s = c.policy.checkP95.map(\.milliseconds)
            try p.numbers("check_median_ms", &medians, 0.001...60_000, count: 5...5, unit: "ms",
                          doc: "Median time of each check: signature, nonce, quota, region, reputation.")
            try p.numbers("check_p95_ms", &p95s, 0.001...60_000, count: 5...5, unit: "ms", doc: "95th percentile of each check (≥ its median).")
            c.policy.checkMedian = medians.map { SimDuration(milliseconds: $0) }
            c.policy.checkP95 = p95s.map { SimDuration(milliseconds: $0) }
            try p.seconds("nonce_ttl_s", &c.policy.nonceTTL, 0...31_536_000, doc: "How long a nonce is remembered for replay protection.")
            try p.number("daily_quota_gpu_hours", &c.policy.dailyQuotaGPUHours, 0...1e12, unit: "GPU h/day", doc: "Per-tenant daily quota.")
            try regionList(p, "allowed_regions", &c.policy.allowedRegions, current, doc: "Regions orders may target.")
            try p.probability("reputation_floor", &c.policy.reputationFloor, doc: "Providers below this reputation are not used.")
        }
    }

    static func shards(_ f: Fields, _ c: inout PipelineConfig) throws(ScenarioError) {
        try f.keyedObjects("shards", &c.shards, idKey: "name", id: \.name, template: { name in
            var s = PipelineConfig().shards[0]
            s.name = name
            return s
        }, doc: "AGI Jobs shard queues (default: EARTH, LUNA, MARS); tenant t uses shard t mod count.") { s, v throws(ScenarioError) in
            try s.integer("max_open_jobs", &v.maxOpenJobs, 0...10_000_000, doc: "Queued + active jobs allowed.")
            try s.integer("max_active_jobs", &v.maxActiveJobs, 0...10_000_000, doc: "Jobs assigned to providers at once.")
            try s.number("reward_cap", &v.rewardCap, 0...1e12, unit: "$", doc: "Largest GPU hours × budget a job may carry.")
            try s.seconds("max_job_duration_s", &v.maxJobDuration, 0...31_536_000, doc: "Longest job accepted.")
        }
    }

    static func windows<T>(_ f: Fields, _ key: String, _ value: inout [T], make: (SimTime, SimDuration, Double) -> T,
                           factorKey: String, factorRange: ClosedRange<Double>, doc: String) throws(ScenarioError) {
        guard let items = try f.array(key, type: "objects", defaultValue: "[]", doc: doc) else { return }
        var out: [T] = []
        for (i, item) in items.enumerated() {
            try f.recover { () throws(ScenarioError) in
                let w = try f.element("\(f.at(key))[\(i)]", item)
                var start = SimDuration.zero, duration = SimDuration.minutes(10), factor = factorRange.upperBound
                try w.seconds("start_s", &start, 0...1e9, doc: "")
                try w.seconds("duration_s", &duration, 0...1e9, doc: "")
                try w.number(factorKey, &factor, factorRange, doc: "")
                try w.finish()
                out.append(make(.zero + start, duration, factor))
            }
        }
        value = out
    }

    static func providers(_ f: Fields, _ c: inout PipelineConfig) throws(ScenarioError) {
        let current = c
        try f.keyedObjects("providers", &c.providers, idKey: "id", id: \.id, template: { id in
            var p = ProviderConfig.defaults[0]
            p.id = id
            p.outages = []
            return p
        }, doc: "DePIN compute providers (default: the seven below).") { p, v throws(ScenarioError) in
            try regionList(p, "regions", &v.regions, current, doc: "Regions the provider serves.")
            try p.integer("capacity", &v.capacity, 0...10_000_000, unit: "GPU slots", doc: "Concurrent jobs.")
            try p.number("price_per_gpu_hour", &v.pricePerGPUHour, 0...1e6, unit: "$/GPU h", doc: "Base price.")
            try p.number("price_volatility", &v.priceVolatility, 0...10, doc: "Per-minute σ of the log-price AR(1) walk.")
            try p.milliseconds("ack_median_ms", &v.ackMedian, 0.001...3_600_000, doc: "Median acknowledgement latency.")
            try p.milliseconds("ack_p95_ms", &v.ackP95, 0.001...3_600_000, doc: "95th percentile acknowledgement latency (≥ median).")
            try p.milliseconds("ack_timeout_ms", &v.ackTimeout, 1...3_600_000, doc: "No ack by then: a failure, failed over.")
            try p.probability("failure_probability", &v.failureProbability, doc: "Jobs rejected or failed at acknowledgement.")
            try p.probability("reputation", &v.reputation, doc: "Reputation score.")
            try p.number("weight", &v.weight, 0...1e9, doc: "Routing weight: the share under `weighted`, the draw under `p2c`, a cost term under `score` (0 drains the provider).")
            try windows(p, "outages", &v.outages, make: { Outage(start: $0, duration: $1, capacityLost: $2) },
                        factorKey: "capacity_lost", factorRange: 0...1,
                        doc: "Availability windows: `start_s`, `duration_s`, `capacity_lost` (1 = down, unannounced).")
            try windows(p, "price_spikes", &v.priceSpikes, make: { PriceSpike(start: $0, duration: $1, factor: $2) },
                        factorKey: "factor", factorRange: 0...1_000, doc: "Price spikes: `start_s`, `duration_s`, `factor`.")
        }
        if c.providers.count > 64 {
            throw ScenarioError(file: f.file, path: "providers", message: "expected at most 64 providers, found \(c.providers.count)")
        }
    }

    static func breaker(_ f: Fields, _ c: inout PipelineConfig) throws(ScenarioError) {
        try f.object("breaker", doc: "Per-provider circuit breakers (resilience4j semantics).") { b throws(ScenarioError) in
            try b.choice("window", &c.breaker.windowType, [("count", .countBased), ("time", .timeBased)], doc: "Sliding window type.")
            try b.integer("window_size", &c.breaker.windowSize, 1...100_000, doc: "Calls (count) or seconds (time) in the window.")
            try b.integer("minimum_calls", &c.breaker.minimumCalls, 1...100_000, doc: "Calls needed before the breaker may open.")
            try b.probability("failure_rate_threshold", &c.breaker.failureRateThreshold, doc: "Opens at or above this failure rate.")
            try b.seconds("wait_in_open_s", &c.breaker.waitInOpen, 0...86_400, doc: "Time OPEN refuses calls before HALF_OPEN trials.")
            try b.integer("permitted_calls_in_half_open", &c.breaker.permittedCallsInHalfOpen, 1...10_000, doc: "Trial calls in HALF_OPEN.")
        }
    }

    static func router(_ f: Fields, _ c: inout PipelineConfig) throws(ScenarioError) {
        let ids = c.providers.map(\.id)
        try f.object("router", doc: "Provider routing.") { r throws(ScenarioError) in
            try r.choice("strategy", &c.router.strategy, RoutingStrategy.allCases.map { ($0.rawValue, $0) }, doc: "Routing strategy.")
            try r.integer("max_attempts", &c.router.maxAttempts, 1...64, doc: "Provider attempts per order, failovers included.")
            let shown = "[" + c.router.order.map { "\"\(ids[$0])\"" }.joined(separator: ", ") + "] (scenario order)"
            if let items = try r.array("order", type: "provider ids", defaultValue: shown, doc: "`ordered` strategy: primary first, then backups.") {
                var order: [Int] = []
                for (i, item) in items.enumerated() {
                    guard case .string(let id) = item, let k = ids.firstIndex(of: id) else {
                        var m = "expected a provider id (" + ids.joined(separator: ", ") + "), found \(item.described)"
                        if case .string(let id) = item, let g = closest(to: id, in: ids) { m += " (did you mean \"\(g)\"?)" }
                        throw ScenarioError(file: r.file, path: "\(r.at("order"))[\(i)]", message: m)
                    }
                    order.append(k)
                }
                c.router.order = order
            }
            try r.object("score_weights", doc: "`score` strategy weights.") { w throws(ScenarioError) in
                try w.number("price", &c.router.priceWeight, 0...1e6, doc: "Weight of price ÷ budget.")
                try w.number("latency", &c.router.latencyWeight, 0...1e6, doc: "Weight of median ack latency (s).")
                try w.number("reputation", &c.router.reputationWeight, 0...1e6, doc: "Weight of 1 − reputation.")
                try w.number("load", &c.router.loadWeight, 0...1e6, doc: "Weight of slots in use ÷ capacity.")
                try w.number("weight", &c.router.weightWeight, 0...1e6, doc: "Weight of −ln(provider weight ÷ mean weight): raising a provider's weight lowers its cost; 0 ignores weights.")
            }
        }
    }

    static func tsa(_ f: Fields, _ key: String, _ v: inout TSAConfig, doc: String) throws(ScenarioError) {
        try f.object(key, doc: doc) { t throws(ScenarioError) in
            try t.string("name", &v.name, doc: "TSA name.")
            try t.probability("success_probability", &v.successProbability, doc: "Requests answered with a valid token.")
            try t.milliseconds("latency_median_ms", &v.latencyMedian, 0.001...3_600_000, doc: "Median response time.")
            try t.milliseconds("latency_p95_ms", &v.latencyP95, 0.001...3_600_000, doc: "95th percentile response time (≥ median).")
            try t.milliseconds("timeout_ms", &v.timeout, 1...3_600_000, doc: "An unreachable TSA fails after this.")
            try windows(t, "outages", &v.outages, make: { Outage(start: $0, duration: $1, capacityLost: $2) },
                        factorKey: "capacity_lost", factorRange: 0...1, doc: "Unreachable windows: `start_s`, `duration_s`.")
        }
    }

    static func provenance(_ f: Fields, _ c: inout PipelineConfig) throws(ScenarioError) {
        try f.object("provenance", doc: "Receipts, Merkle batches, RFC 3161 time stamps, IPFS pins, fail-closed guard.") { p throws(ScenarioError) in
            try p.integer("batch_size", &c.provenance.batchSize, 1...1_000_000, doc: "Receipts per Merkle batch.")
            try p.seconds("batch_interval_s", &c.provenance.batchInterval, 0.001...86_400, doc: "A batch seals this long after its first receipt.")
            try tsa(p, "tsa", &c.provenance.primaryTSA, doc: "Primary time-stamping authority.")
            var hasBackup = c.provenance.backupTSA != nil
            try p.bool("backup_tsa_enabled", &hasBackup, doc: "Whether a backup TSA is configured.")
            var backup = c.provenance.backupTSA ?? ProvenanceConfig().backupTSA!
            try tsa(p, "backup_tsa", &backup, doc: "Backup time-stamping authority.")
            c.provenance.backupTSA = hasBackup ? backup : nil
            try p.integer("tsa_max_attempts", &c.provenance.tsaMaxAttempts, 1...1_000, doc: "Time-stamp tries per batch (alternating with the backup).")
            try p.seconds("tsa_retry_delay_s", &c.provenance.tsaRetryDelay, 0...86_400, doc: "Delay between time-stamp tries.")
            try p.object("ipfs", doc: "IPFS pinning.") { i throws(ScenarioError) in
                try i.probability("success_probability", &c.provenance.ipfsSuccessProbability, doc: "Pins that succeed.")
                try i.milliseconds("latency_median_ms", &c.provenance.ipfsLatencyMedian, 0.001...3_600_000, doc: "Median pin time.")
                try i.milliseconds("latency_p95_ms", &c.provenance.ipfsLatencyP95, 0.001...3_600_000, doc: "95th percentile pin time (≥ median).")
                try i.integer("max_attempts", &c.provenance.ipfsMaxAttempts, 1...1_000, doc: "Pin tries per batch.")
                try i.seconds("retry_delay_s", &c.provenance.ipfsRetryDelay, 0...86_400, doc: "Delay between pin tries.")
                try windows(i, "outages", &c.provenance.ipfsOutages, make: { Outage(start: $0, duration: $1, capacityLost: $2) },
                            factorKey: "capacity_lost", factorRange: 0...1, doc: "Pinning outages: `start_s`, `duration_s`.")
            }
            try p.seconds("deadline_s", &c.provenance.deadline, 0...31_536_000, doc: "A job is covered if its batch is stamped and pinned within this.")
            try p.object("guard", doc: "Fail-closed guard.") { g throws(ScenarioError) in
                try g.bool("enabled", &c.provenance.guardEnabled, doc: "Whether low coverage halts admissions.")
                try g.seconds("window_s", &c.provenance.guardWindow, 60...86_400, doc: "Trailing window of coverage.")
                try g.probability("halt_below", &c.provenance.haltBelow, doc: "Halt when trailing coverage is below this.")
                try g.probability("resume_at_or_above", &c.provenance.resumeAtOrAbove, doc: "Resume at or above this.")
                try g.integer("minimum_jobs", &c.provenance.guardMinimumJobs, 1...1_000_000, doc: "Jobs decided in the window before the guard judges.")
                try g.seconds("probe_interval_s", &c.provenance.guardProbeInterval, 0.001...86_400, doc: "While halted, one probe order per interval.")
                if c.provenance.haltBelow > c.provenance.resumeAtOrAbove {  // no hysteresis band: it would resume while still halting
                    throw ScenarioError(file: g.file, path: g.at("halt_below"),
                                        message: "expected a value ≤ resume_at_or_above (\(Fields.show(c.provenance.resumeAtOrAbove))), found \(Fields.show(c.provenance.haltBelow))")
                }
            }
        }
    }

    static func slos(_ f: Fields, _ s: inout Scenario) throws(ScenarioError) {
        try f.keyedObjects("slos", &s.slos, idKey: "name", id: \.name, template: { name in
            SLO(name: name, kpi: .fillRateP50, comparison: .atLeast, threshold: 0)
        }, doc: "The SLO table (default: the Aurora runbook's).") { o, v throws(ScenarioError) in
            try o.choice("kpi", &v.kpi, KPI.allCases.map { ($0.rawValue, $0) }, doc: "The KPI the SLO constrains.")
            try o.choice("op", &v.comparison, Comparison.allCases.map { ($0.rawValue, $0) }, doc: "Comparison.")
            try o.number("threshold", &v.threshold, -1e12...1e12, doc: "Threshold in the KPI's unit.")
        }
    }

    static func expectations(_ f: Fields, _ s: inout Scenario) throws(ScenarioError) {
        let names = s.slos.map(\.name)
        try f.object("expect", doc: "What `wargame check` asserts for this scenario (not inherited through `extends`).") { e throws(ScenarioError) in
            if let items = try e.array("seeds", type: "integers", defaultValue: "[1]", doc: "Fixed seeds to check on.") {
                var seeds: [UInt64] = []
                for (i, item) in items.enumerated() { seeds.append(try Fields.seed(item, file: e.file, path: "\(e.at("seeds"))[\(i)]")) }
                if seeds.isEmpty { throw ScenarioError(file: e.file, path: e.at("seeds"), message: "expected at least one seed, found none") }
                s.expect.seeds = seeds
            }
            let ruleNames = s.alerts.map(\.name)
            for key in ["alerts", "alerts_may_fire"] {
                let doc = key == "alerts" ? "Alert rules that must fire on every checked seed (others must not, unless in alerts_may_fire)."
                                          : "Alert rules that may fire on some seeds."
                guard let items = try e.array(key, type: "alert rule names", defaultValue: "[]", doc: doc) else { continue }
                var names: [String] = []
                for (i, item) in items.enumerated() {
                    // A name the built-in rules lack may be one of the rule files' alerts: checked once they are read.
                    if case .string(let n) = item, !ruleNames.contains(n), s.monitoring.hasRuleSources {
                        s.monitoring.deferredNames.append(.init(name: n, file: e.file, path: "\(e.at(key))[\(i)]"))
                        names.append(n)
                        continue
                    }
                    guard case .string(let n) = item, ruleNames.contains(n) else {
                        var m = "expected an alert rule name, found \(item.described)"
                        if case .string(let n) = item, let g = closest(to: n, in: ruleNames) { m += " (did you mean \"\(g)\"?)" }
                        throw ScenarioError(file: e.file, path: "\(e.at(key))[\(i)]", message: m)
                    }
                    names.append(n)
                }
                if key == "alerts" { s.expect.alerts = names } else { s.expect.alertsMayFire = names }
            }
            try e.object("pass_fractions", doc: "A sweep to assert: `seeds` (\"A..B\"), `steps`, and `min` (SLO name → least fraction of seeds passing).") { pf throws(ScenarioError) in
                guard pf.docs == nil else { return }
                var range = "1..20"
                try pf.string("seeds", &range, doc: "")
                let ends = range.components(separatedBy: "..").compactMap { UInt64($0) }
                guard ends.count == 2, ends[0] <= ends[1], ends[1] - ends[0] < 100_000 else {
                    throw ScenarioError(file: pf.file, path: pf.at("seeds"), message: "expected a seed range \"A..B\" with A ≤ B, found \"\(range)\"")
                }
                s.expect.passFractionSeeds = ends[0]...ends[1]
                var steps = 0
                try pf.integer("steps", &steps, 0...10_000_000, doc: "")
                s.expect.passFractionSteps = steps > 0 ? steps : nil
                try pf.object("min", doc: "") { m throws(ScenarioError) in
                    for member in m.members {
                        guard names.contains(member.key) else {
                            var msg = "expected an SLO name (" + names.joined(separator: ", ") + "), found \"\(member.key)\""
                            if let g = closest(to: member.key, in: names) { msg += " (did you mean \"\(g)\"?)" }
                            throw ScenarioError(file: m.file, path: m.at(member.key), message: msg)
                        }
                        var fraction = 1.0
                        try m.probability(member.key, &fraction, doc: "")
                        s.expect.minimumPassFractions.append((member.key, fraction))
                    }
                }
            }
            try e.object("scorecard", doc: "Incident-response deadlines to assert on every incident: `detected_within_s`, `first_action_within_s`, `mitigated_within_s`, `recovered_within_s`, and `deadlines_met` (true or false).") { sc throws(ScenarioError) in
                guard sc.docs == nil else { return }
                func within(_ key: String, _ value: inout SimDuration?) throws(ScenarioError) {
                    guard sc.has(key) else { _ = sc.raw(key, type: "", defaultValue: "", doc: ""); return }
                    var d = SimDuration.zero
                    try sc.seconds(key, &d, 0...31_536_000, doc: "")
                    value = d
                }
                try within("detected_within_s", &s.expect.detectedWithin)
                try within("first_action_within_s", &s.expect.firstActionWithin)
                try within("mitigated_within_s", &s.expect.mitigatedWithin)
                try within("recovered_within_s", &s.expect.recoveredWithin)
                if sc.has("deadlines_met") {
                    var met = true
                    try sc.bool("deadlines_met", &met, doc: "")
                    s.expect.deadlinesMet = met
                } else {
                    _ = sc.raw("deadlines_met", type: "", defaultValue: "", doc: "")
                }
            }
            try e.object("alert_quality", doc: "Paging quality to assert on every checked seed: `every_incident_paged` (true or false), `max_unattributed` (firings attributed to no incident), `min_precision` (share of pages attributed to an incident).") { q throws(ScenarioError) in
                guard q.docs == nil else { return }
                if q.has("every_incident_paged") {
                    var paged = true
                    try q.bool("every_incident_paged", &paged, doc: "")
                    s.expect.everyIncidentPaged = paged
                } else { _ = q.raw("every_incident_paged", type: "", defaultValue: "", doc: "") }
                if q.has("max_unattributed") {
                    var n = 0
                    try q.integer("max_unattributed", &n, 0...10_000_000, doc: "")
                    s.expect.maxUnattributed = n
                } else { _ = q.raw("max_unattributed", type: "", defaultValue: "", doc: "") }
                if q.has("min_precision") {
                    var p = 0.0
                    try q.probability("min_precision", &p, doc: "")
                    s.expect.minPrecision = p
                } else { _ = q.raw("min_precision", type: "", defaultValue: "", doc: "") }
            }
            try e.object("notified", doc: "With an Alertmanager config: per incident name, exactly the receivers its attributed alerts must reach on every checked seed (`[]`: none).") { n throws(ScenarioError) in
                guard n.docs == nil else { return }
                let incidents = s.pipeline.incidents.map(\.name)
                for m in n.members {
                    guard incidents.contains(m.key) else {
                        var msg = "expected an incident name (" + incidents.joined(separator: ", ") + "), found \"\(m.key)\""
                        if let g = closest(to: m.key, in: incidents) { msg += " (did you mean \"\(g)\"?)" }
                        throw ScenarioError(file: n.file, path: n.at(m.key), message: msg)
                    }
                    let value = n.raw(m.key, type: "", defaultValue: "", doc: "") ?? m.value
                    guard case .array(let items) = value else { throw n.fail(m.key, "a list of receiver names", value) }
                    var receivers: [String] = []
                    for (i, item) in items.enumerated() {
                        guard case .string(let r) = item, !r.isEmpty else {
                            throw ScenarioError(file: n.file, path: "\(n.at(m.key))[\(i)]", message: "expected a receiver name, found \(item.described)")
                        }
                        receivers.append(r)
                    }
                    s.expect.notified.append((m.key, receivers, n.file, n.at(m.key)))
                }
            }
            var steps = s.expect.steps ?? 0
            try e.integer("steps", &steps, 0...10_000_000, doc: "Steps per check run (0 = the run's steps).")
            s.expect.steps = steps > 0 ? steps : nil
            try e.object("verdicts", doc: "Expected verdict per SLO name: \"pass\", \"breach\" or \"any\" (unnamed SLOs must pass).") { v throws(ScenarioError) in
                guard v.docs == nil else { return }
                let teamSLOs = !s.monitoring.sloSources.isEmpty || !s.monitoring.inlineSLOs.isEmpty
                for m in v.members {
                    // A name the runbook's SLOs lack may be a team SLO's id: checked once the specs are read.
                    if !names.contains(m.key) && teamSLOs {
                        s.monitoring.deferredVerdicts.append(.init(name: m.key, file: v.file, path: v.at(m.key)))
                    }
                    guard names.contains(m.key) || teamSLOs else {
                        var msg = "expected an SLO name (" + names.joined(separator: ", ") + "), found \"\(m.key)\""
                        if let g = closest(to: m.key, in: names) { msg += " (did you mean \"\(g)\"?)" }
                        throw ScenarioError(file: v.file, path: v.at(m.key), message: msg)
                    }
                    var verdict = ExpectedVerdict.pass
                    try v.choice(m.key, &verdict, ExpectedVerdict.allCases.map { ($0.rawValue, $0) }, doc: "")
                    s.expect.verdicts.append((m.key, verdict))
                }
            }
        }
    }

    /// Checks that need the whole scenario (after every layer): attributed to the top file.
    /// A lognormal input's 95th percentile below its median (no such distribution: the
    /// model would trap), by the `--set` path of the p95 (list elements by id).
    struct OrderProblem: Hashable {
        let path: String
        /// The median's field name, and how the message names it.
        let medianField: String, medianLabel: String
        let p95: Double, median: Double

        func error(file: String) -> ScenarioError {
            ScenarioError(file: file, path: path, message: "expected a value ≥ \(medianLabel) (\(Fields.show(median))), found \(Fields.show(p95))")
        }
    }

    /// Every p95 below its median: the one list of the model's median/p95 pairs, checked
    /// after each file layer and once after the last override (so a median and its p95 can
    /// be set in either order).
    static func orderProblems(_ c: PipelineConfig) -> [OrderProblem] {
        var out: [OrderProblem] = []
        func pair(_ path: String, _ p95: Double, _ medianField: String, _ median: Double, label: String? = nil) {
            if p95 < median { out.append(OrderProblem(path: path, medianField: medianField, medianLabel: label ?? medianField, p95: p95, median: median)) }
        }
        func pair(_ path: String, _ p95: SimDuration, _ medianField: String, _ median: SimDuration) {
            pair(path, p95.milliseconds, medianField, median.milliseconds)
        }
        pair("demand.gpu_hours.p95", c.demand.gpuHoursP95, "median", c.demand.gpuHoursMedian, label: "the median")
        pair("demand.budget_per_gpu_hour.p95", c.demand.budgetP95, "median", c.demand.budgetMedian, label: "the median")
        for v in c.providers { pair("providers[\(v.id)].ack_p95_ms", v.ackP95, "ack_median_ms", v.ackMedian) }
        for v in c.bridges { pair("bridges[\(v.name)].relay_p95_ms", v.relayP95, "relay_median_ms", v.relayMedian) }
        for (i, (m, p)) in zip(c.policy.checkMedian, c.policy.checkP95).enumerated() {
            pair("policy.check_p95_ms[\(i)]", p, "check_median_ms[\(i)]", m)
        }
        pair("provenance.tsa.latency_p95_ms", c.provenance.primaryTSA.latencyP95, "latency_median_ms", c.provenance.primaryTSA.latencyMedian)
        if let b = c.provenance.backupTSA { pair("provenance.backup_tsa.latency_p95_ms", b.latencyP95, "latency_median_ms", b.latencyMedian) }
        pair("provenance.ipfs.latency_p95_ms", c.provenance.ipfsLatencyP95, "latency_median_ms", c.provenance.ipfsLatencyMedian)
        return out
    }

    static func checkWhole(_ s: Scenario, file: String) throws(ScenarioError) {
        let c = s.pipeline
        if c.providers.allSatisfy({ $0.capacity == 0 }) {
            throw ScenarioError(file: file, path: "providers", message: "expected at least one provider with capacity ≥ 1, found zero capacity everywhere")
        }
        if c.demand.regionWeights.count != c.regions.count {
            throw ScenarioError(file: file, path: "demand.region_weights", message: "expected one weight per region (\(c.regions.count)), found \(c.demand.regionWeights.count)")
        }
        if c.demand.regionWeights.reduce(0, +) <= 0 {
            throw ScenarioError(file: file, path: "demand.region_weights", message: "expected a positive total weight, found 0")
        }
        if !c.demand.tenantWeights.isEmpty && c.demand.tenantWeights.count != c.demand.tenants {
            throw ScenarioError(file: file, path: "demand.tenant_weights", message: "expected one weight per tenant (\(c.demand.tenants)), found \(c.demand.tenantWeights.count)")
        }
        if c.bridges.isEmpty || c.bridges.map(\.weight).reduce(0, +) <= 0 {
            throw ScenarioError(file: file, path: "bridges", message: "expected at least one bridge with weight > 0")
        }
        if c.shards.isEmpty { throw ScenarioError(file: file, path: "shards", message: "expected at least one shard, found none") }
        for (i, surge) in c.demand.surges.enumerated() where (surge.tenant ?? 0) >= c.demand.tenants {
            throw ScenarioError(file: file, path: "demand.surges[\(i)].tenant", message: "expected a tenant below \(c.demand.tenants), found \(surge.tenant!)")
        }
        // Tenants named by incidents and playbook actions, against the final tenant count
        // (a --set demand.tenants after them once left a flood of a tenant who did not exist).
        for (i, incident) in c.incidents.enumerated() {
            if case .demandSurge(_, let t?) = incident.kind, t >= c.demand.tenants {
                throw ScenarioError(file: file, path: "incidents[\(i)].tenant", message: "expected a tenant below \(c.demand.tenants), found \(t)")
            }
        }
        for (r, rule) in s.playbook.enumerated() {
            for (a, action) in rule.actions.enumerated() {
                if case .setTenantQuota(let t, _) = action, t >= c.demand.tenants {
                    throw ScenarioError(file: file, path: "playbook[\(r)].actions[\(a)].tenant", message: "expected a tenant below \(c.demand.tenants), found \(t)")
                }
            }
        }
    }
}
