import SimKernel
import WargameModels
import WargameReports

/// The war-game parts of the schema: incidents, alert rules and the playbook.
enum WarGameSchema {
    static func index(_ f: Fields, _ key: String, in names: [String], what: String) throws(ScenarioError) -> Int? {
        guard let j = f.raw(key, type: "string", defaultValue: "", range: "a \(what)", doc: "") else { return nil }
        guard case .string(let n) = j, let i = names.firstIndex(of: n) else {
            var m = "expected a \(what) (" + names.joined(separator: ", ") + "), found \(j.described)"
            if case .string(let n) = j, let g = closest(to: n, in: names) { m += " (did you mean \"\(g)\"?)" }
            throw ScenarioError(file: f.file, path: f.at(key), message: m)
        }
        return i
    }

    static func required<T>(_ value: T?, _ f: Fields, _ key: String, _ what: String) throws(ScenarioError) -> T {
        guard let value else {
            throw f.has(key) ? .alreadyReported : ScenarioError(file: f.file, path: f.at(key), message: "expected \(what), found nothing")
        }
        return value
    }

    /// A required, non-empty list of provider ids, as indices.
    static func providerList(_ g: Fields, _ key: String, _ providers: [String]) throws(ScenarioError) -> [Int] {
        let items = try g.array(key, type: "provider ids", defaultValue: "", doc: "")
        if items == nil && g.has(key) { throw .alreadyReported }
        guard let list = items, !list.isEmpty else {
            throw ScenarioError(file: g.file, path: g.at(key), message: "expected a list of provider ids, found nothing")
        }
        var out: [Int] = []
        for (j, p) in list.enumerated() {
            guard case .string(let id) = p, let i = providers.firstIndex(of: id) else {
                var m = "expected a provider id (" + providers.joined(separator: ", ") + "), found \(p.described)"
                if case .string(let id) = p, let g = closest(to: id, in: providers) { m += " (did you mean \"\(g)\"?)" }
                throw ScenarioError(file: g.file, path: "\(g.at(key))[\(j)]", message: m)
            }
            out.append(i)
        }
        return out
    }

    static let incidentKinds = ["provider_outage", "price_spike", "failure_rate", "bridge_congestion", "relayer_outage",
                                "bridge_loss", "demand_surge", "tsa_outage", "ipfs_outage", "replay_attack",
                                "invalid_signatures", "shard_congestion"]

    static func incidents(_ f: Fields, _ s: inout Scenario) throws(ScenarioError) {
        let c = s.pipeline
        let providers = c.providers.map(\.id), bridges = c.bridges.map(\.name), shards = c.shards.map(\.name)
        guard let items = try f.array("incidents", type: "objects", defaultValue: "[]",
                                      doc: "Timed faults: `name`, `kind` (" + incidentKinds.joined(separator: ", ")
                                        + "), `start_s`, `duration_s`, and the kind's own fields (see docs/wargames.md).") else { return }
        var out: [Incident] = []
        var detection: [IncidentDetection] = []
        for (i, item) in items.enumerated() { try f.recover { () throws(ScenarioError) in
            let g = try f.element("\(f.at("incidents"))[\(i)]", item)
            var name = "incident-\(i + 1)", kind = "", start = SimDuration.zero, duration = SimDuration.minutes(10)
            try g.string("name", &name, doc: "")
            try g.choice("kind", &kind, incidentKinds.map { ($0, $0) }, doc: "")
            if kind.isEmpty {
                throw g.has("kind") ? .alreadyReported : ScenarioError(file: g.file, path: g.at("kind"), message: "expected an incident kind, found nothing")
            }
            try g.seconds("start_s", &start, 0...1e9, doc: "")
            try g.seconds("duration_s", &duration, 0...1e9, doc: "")
            var x = -1.0
            func num(_ key: String, _ range: ClosedRange<Double>) throws(ScenarioError) -> Double {
                x = -1
                try g.number(key, &x, range, doc: "")
                return try required(x >= range.lowerBound ? x : nil, g, key, "a number in \(Fields.show(range))")
            }
            let k: Incident.Kind
            switch kind {
            case "provider_outage":
                let ps = try providerList(g, "providers", providers)
                var lost = 1.0
                try g.probability("capacity_lost", &lost, doc: "")
                k = .providerOutage(providers: ps, capacityLost: lost)
            case "price_spike":
                k = .priceSpike(provider: try required(try index(g, "provider", in: providers, what: "provider id"), g, "provider", "a provider id"),
                                factor: try num("factor", 0...1_000))
            case "failure_rate":
                k = .failureRate(provider: try required(try index(g, "provider", in: providers, what: "provider id"), g, "provider", "a provider id"),
                                 probability: try num("probability", 0...1))
            case "bridge_congestion":
                k = .bridgeCongestion(bridge: try index(g, "bridge", in: bridges, what: "bridge name"), multiplier: try num("multiplier", 0.01...1_000))
            case "relayer_outage":
                var left = 0
                try g.integer("relayers_left", &left, 0...10_000, doc: "")
                k = .relayerOutage(bridge: try required(try index(g, "bridge", in: bridges, what: "bridge name"), g, "bridge", "a bridge name"), relayersLeft: left)
            case "bridge_loss":
                k = .bridgeLoss(bridge: try index(g, "bridge", in: bridges, what: "bridge name"), probability: try num("probability", 0...1))
            case "demand_surge":
                var tenant = -1
                try g.tenant("tenant", &tenant, tenants: c.demand.tenants, doc: "")
                k = .demandSurge(multiplier: try num("multiplier", 0...1e6), tenant: tenant >= 0 ? tenant : nil)
            case "tsa_outage":
                var primary = true, backup = false
                try g.bool("primary", &primary, doc: "")
                try g.bool("backup", &backup, doc: "")
                k = .tsaOutage(primary: primary, backup: backup)
            case "ipfs_outage":
                k = .ipfsOutage
            case "replay_attack":
                k = .replayAttack(probability: try num("probability", 0...1))
            case "invalid_signatures":
                k = .invalidSignatures(probability: try num("probability", 0...1))
            default:  // shard_congestion
                var active = 0
                try g.integer("max_active_jobs", &active, 0...10_000_000, doc: "")
                k = .shardCongestion(shard: try required(try index(g, "shard", in: shards, what: "shard name"), g, "shard", "a shard name"), maxActiveJobs: active)
            }
            var severity = ""
            let levels = s.response.levels.map(\.name)
            try g.choice("severity", &severity, [("", "")] + levels.map { ($0, $0) }, doc: "")
            let detectedBy = try self.detectedBy(g, rules: s.alerts, deferred: &s.monitoring.deferredSelectors)
            try g.finish()
            var incident = Incident(name: name, kind: k, start: .zero + start, duration: duration)
            incident.severity = severity.isEmpty ? nil : severity
            out.append(incident)
            detection.append(detectedBy ?? .defaults(for: k))
        } }
        s.pipeline.incidents = out
        s.detection = detection
    }

    /// `detected_by`: alert names or label matchers, each of which must select a rule.
    /// A selector that matches no built-in rule is checked again once the rule files are
    /// read (`deferred`): it may name one of the team's alerts.
    static func detectedBy(_ g: Fields, rules: [AlertRule], deferred: inout [MonitoringSettings.DeferredSelector]) throws(ScenarioError) -> IncidentDetection? {
        guard let items = try g.array("detected_by", type: "alert names or label matchers", defaultValue: "", doc: "") else {
            if g.has("detected_by") { throw .alreadyReported }
            return nil
        }
        if items.isEmpty { throw ScenarioError(file: g.file, path: g.at("detected_by"), message: "expected at least one alert name or label matcher, found []") }
        var selectors: [AlertSelector] = []
        for (j, item) in items.enumerated() {
            let path = "\(g.at("detected_by"))[\(j)]"
            guard case .string(let text) = item else {
                throw ScenarioError(file: g.file, path: path, message: "expected an alert name or label matchers such as {signal=\"bridge_rtt_p95_ms\"}, found \(item.described)")
            }
            let selector: AlertSelector
            do { selector = try AlertSelector.parse(text) } catch { throw ScenarioError(file: g.file, path: path, message: error.message) }
            if !rules.contains(where: { selector.matches($0.labels) }) {
                deferred.append(.init(selector: selector, text: text, file: g.file, path: path))
            }
            selectors.append(selector)
        }
        return IncidentDetection(selectors: selectors)
    }

    /// `response`: the runbook's incident levels and deadlines the scorecard grades against.
    static func response(_ f: Fields, _ s: inout Scenario) throws(ScenarioError) {
        try f.object("response", doc: "How incidents are graded (the scorecard): levels, which level each alert severity implies, deadlines. Default: Aurora's SEV1–SEV4.") { r throws(ScenarioError) in
            if let items = try r.array("levels", type: "objects", defaultValue: "SEV1 900/0, SEV2 3600/1800, SEV3 14400/7200, SEV4 86400/86400",
                                       doc: "Most severe first: `name`, `response_s` (time to first action), `escalation_s` (further time to mitigate).") {
                var levels: [ResponseLevel] = []
                for (i, item) in items.enumerated() {
                    let g = try r.element("\(r.at("levels"))[\(i)]", item)
                    var name = "", response = SimDuration.hours(1), escalation = SimDuration.zero
                    try g.string("name", &name, doc: "")
                    try g.seconds("response_s", &response, 0...31_536_000, doc: "")
                    try g.seconds("escalation_s", &escalation, 0...31_536_000, doc: "")
                    try g.finish()
                    if name.isEmpty || levels.contains(where: { $0.name == name }) {
                        throw ScenarioError(file: g.file, path: g.at("name"), message: "expected a unique level name, found \(JSON.string(name).described)")
                    }
                    levels.append(ResponseLevel(name: name, response: response, escalation: escalation))
                }
                if levels.isEmpty { throw ScenarioError(file: r.file, path: r.at("levels"), message: "expected at least one level, found none") }
                s.response.levels = levels
            }
            let names = s.response.levels.map { ($0.name, $0.name) }
            try r.object("alert_levels", doc: "The level an alert of each severity implies: `page`, `critical`, `warning` → a level name.") { a throws(ScenarioError) in
                try a.choice("page", &s.response.pageLevel, names, doc: "")
                try a.choice("critical", &s.response.criticalLevel, names, doc: "")
                try a.choice("warning", &s.response.warningLevel, names, doc: "")
            }
            try r.seconds("detect_within_s", &s.response.detectWithin, 0...31_536_000, doc: "An alert must fire this soon after an incident starts.")
            try r.seconds("rto_s", &s.response.rto, 0...31_536_000, doc: "Recovery time objective: every one of an incident's alerts clear this soon after its start (Aurora: 1 h).")
            try r.choice("pages_from", &s.response.pagesFrom, Severity.allCases.map { ($0.rawValue, $0) },
                         doc: "The least severe alert that pages on-call (recall and precision count pages): `warning`, `critical` (default) or `page`.")
        }
    }

    /// A condition object: `{"signal", "op", "threshold"}` or `{"burn_rate", "long_steps", "short_steps", "factor"}`.
    static func condition(_ g: Fields) throws(ScenarioError) -> Condition {
        if g.members.contains(where: { $0.key == "burn_rate" }) {
            var slo = BudgetSLO.dropped, long = 60, short = 5, factor = 14.4
            try g.choice("burn_rate", &slo, BudgetSLO.allCases.map { ($0.rawValue, $0) }, doc: "")
            try g.integer("long_steps", &long, 1...10_000, doc: "")
            try g.integer("short_steps", &short, 1...10_000, doc: "")
            try g.number("factor", &factor, 0...1e6, doc: "")
            return .burnRate(slo, longSteps: long, shortSteps: short, factor: factor)
        }
        var signal = Signal.fillRate, op = Comparison.below, threshold = 0.0
        try g.choice("signal", &signal, Signal.allCases.map { ($0.rawValue, $0) }, doc: "")
        try g.choice("op", &op, Comparison.allCases.map { ($0.rawValue, $0) }, doc: "")
        try g.number("threshold", &threshold, -1e12...1e12, doc: "")
        return .threshold(signal, op, threshold)
    }

    static func alerts(_ f: Fields, _ s: inout Scenario) throws(ScenarioError) {
        try f.keyedObjects("alerts", &s.alerts, idKey: "name", id: \.name, template: { name in
            AlertRule(name: name, severity: .warning, condition: .threshold(.fillRate, .below, 0), holdFor: .zero, summary: name)
        }, doc: "Alert rules (default: the Aurora runbook's, plus burn-rate pages). Fields: `severity`, `signal`/`op`/`threshold` or `burn_rate`/`long_steps`/`short_steps`/`factor`, `for_s`, `summary`.") { g, rule throws(ScenarioError) in
            guard g.docs == nil else { return }
            try g.choice("severity", &rule.severity, Severity.allCases.map { ($0.rawValue, $0) }, doc: "")
            if g.members.contains(where: { ["signal", "op", "threshold", "burn_rate", "long_steps", "short_steps", "factor"].contains($0.key) }) {
                rule.condition = try condition(g)
            }
            try g.seconds("for_s", &rule.holdFor, 0...86_400, doc: "")
            try g.string("summary", &rule.summary, doc: "")
        }
    }

    static let actionNames = ["pause_shard", "unpause_shard", "system_pause", "system_unpause", "set_shard_quotas",
                              "set_router_strategy", "set_router_order", "set_provider_weight", "set_tenant_quota",
                              "purge_nonce_cache", "use_backup_tsa", "halt_allocations", "resume_allocations",
                              "set", "rollback", "reset_breaker", "half_open_breaker", "pause_provider", "unpause_provider", "rotate_keys"]

    static func action(_ g: Fields, _ s: Scenario) throws(ScenarioError) -> PlaybookAction {
        let c = s.pipeline
        let providers = c.providers.map(\.id), shards = c.shards.map(\.name)
        var name = ""
        try g.choice("action", &name, actionNames.map { ($0, $0) }, doc: "")
        func shard() throws(ScenarioError) -> Int { try required(try index(g, "shard", in: shards, what: "shard name"), g, "shard", "a shard name") }
        switch name {
        case "pause_shard": return .pauseShard(try shard())
        case "unpause_shard": return .unpauseShard(try shard())
        case "system_pause": return .systemPause
        case "system_unpause": return .systemUnpause
        case "set_shard_quotas":
            let s = try shard()
            var open = c.shards[s].maxOpenJobs, active = c.shards[s].maxActiveJobs
            try g.integer("max_open_jobs", &open, 0...10_000_000, doc: "")
            try g.integer("max_active_jobs", &active, 0...10_000_000, doc: "")
            return .setShardQuotas(shard: s, maxOpenJobs: open, maxActiveJobs: active)
        case "set_router_strategy":
            var strategy = RoutingStrategy.score
            try g.choice("strategy", &strategy, RoutingStrategy.allCases.map { ($0.rawValue, $0) }, doc: "")
            return .setRouterStrategy(strategy)
        case "set_router_order":
            return .setRouterOrder(try providerList(g, "order", providers))
        case "set_provider_weight":
            let p = try required(try index(g, "provider", in: providers, what: "provider id"), g, "provider", "a provider id")
            var w = c.providers[p].weight
            try g.number("weight", &w, 0...1e9, doc: "")
            return .setProviderWeight(provider: p, weight: w)
        case "set_tenant_quota":
            var tenant = 0, hours = c.policy.dailyQuotaGPUHours
            try g.tenant("tenant", &tenant, tenants: c.demand.tenants, doc: "")
            try g.number("gpu_hours", &hours, 0...1e12, doc: "")
            return .setTenantQuota(tenant: tenant, gpuHours: hours)
        case "purge_nonce_cache": return .purgeNonceCache
        case "use_backup_tsa":
            var on = true
            try g.bool("enabled", &on, doc: "")
            return .useBackupTSA(on)
        case "halt_allocations": return .haltAllocations
        case "resume_allocations": return .resumeAllocations
        case "rollback": return .rollback
        case "reset_breaker", "half_open_breaker", "pause_provider", "unpause_provider":
            let p = try required(try index(g, "provider", in: providers, what: "provider id"), g, "provider", "a provider id")
            switch name {
            case "reset_breaker": return .resetBreaker(provider: p)
            case "half_open_breaker": return .halfOpenBreaker(provider: p)
            default: return .pauseProvider(provider: p, paused: name == "pause_provider")
            }
        case "rotate_keys": return .rotateKeys
        case "set": return .setFields(try liveChanges(g, s))
        default: throw .alreadyReported  // the unknown action name is reported by `choice`
        }
    }

    /// A `set` action's `fields` (`--set` paths → values), as the live changes they make.
    /// Each is validated by applying it to the scenario as `--set` would; only fields a
    /// running system can change are accepted.
    static func liveChanges(_ g: Fields, _ s: Scenario) throws(ScenarioError) -> [LiveChange] {
        guard case .object(let members)? = g.raw("fields", type: "object", defaultValue: "", doc: "") else {
            throw ScenarioError(file: g.file, path: g.at("fields"), message: "expected an object of field paths and values, found \(g.members.first { $0.key == "fields" }?.value.described ?? "nothing")")
        }
        var target = s
        for m in members {
            let path = "\(g.at("fields")).\(m.key)"
            do {
                var layer = OverrideLayer(try Override(path: m.key, value: m.value), layers: [], scenario: target)
                let json = try layer.build()
                let d = Diagnostics()
                try? ScenarioSchema.apply(json, file: g.file, to: &target, docs: nil, diagnostics: d)
                if let e = d.combined {
                    let inner = layer.renamed(e)
                    throw ScenarioError(file: g.file, path: path, message: (inner.path.isEmpty ? "" : inner.path + ": ") + inner.message)
                }
            } catch let e as OverrideError {
                throw ScenarioError(file: g.file, path: path, message: e.message)
            } catch let e as ScenarioError {
                throw e.file == g.file ? e : ScenarioError(file: g.file, path: path, message: e.message)
            } catch {
                throw ScenarioError(file: g.file, path: path, message: "\(error)")
            }
        }
        let (old, new) = (s.pipeline, target.pipeline)
        var out: [LiveChange] = []
        var rest = new  // the target with every live field put back: must equal the original
        if new.router.strategy != old.router.strategy { out.append(.routerStrategy(new.router.strategy)); rest.router.strategy = old.router.strategy }
        for p in old.providers.indices where p < new.providers.count {
            let (a, b) = (old.providers[p], new.providers[p])
            if a.weight != b.weight { out.append(.providerWeight(provider: p, weight: b.weight)); rest.providers[p].weight = a.weight }
            if a.capacity != b.capacity { out.append(.providerCapacity(provider: p, capacity: b.capacity)); rest.providers[p].capacity = a.capacity }
            if a.pricePerGPUHour != b.pricePerGPUHour { out.append(.providerPrice(provider: p, pricePerGPUHour: b.pricePerGPUHour)); rest.providers[p].pricePerGPUHour = a.pricePerGPUHour }
        }
        for k in old.shards.indices where k < new.shards.count && old.shards[k] != new.shards[k] {
            out.append(.shard(k, new.shards[k]))
            rest.shards[k] = old.shards[k]
        }
        if new.policy.dailyQuotaGPUHours != old.policy.dailyQuotaGPUHours { out.append(.dailyQuota(gpuHours: new.policy.dailyQuotaGPUHours)); rest.policy.dailyQuotaGPUHours = old.policy.dailyQuotaGPUHours }
        if new.tenantLimit != old.tenantLimit { out.append(.tenantLimit(new.tenantLimit)); rest.tenantLimit = old.tenantLimit }
        if new.globalLimit != old.globalLimit { out.append(.globalLimit(new.globalLimit)); rest.globalLimit = old.globalLimit }
        guard rest == old else {
            throw ScenarioError(file: g.file, path: g.at("fields"), message: "expected fields a running system can change — router.strategy, providers[].weight, .capacity, .price_per_gpu_hour, shards[].max_open_jobs, .max_active_jobs, .reward_cap, .max_job_duration_s, policy.daily_quota_gpu_hours, gateway.tenant_limit, gateway.global_limit — found others")
        }
        if out.isEmpty { throw ScenarioError(file: g.file, path: g.at("fields"), message: "expected at least one field that changes, found none") }
        return out
    }

    static func playbook(_ f: Fields, _ s: inout Scenario) throws(ScenarioError) {
        guard let items = try f.array("playbook", type: "objects", defaultValue: "[]",
                                      doc: "Playbook rules: `name`, `at_s` (scripted) or `when` (a condition object with `for_s`), and `actions` (see docs/wargames.md).") else { return }
        var rules: [PlaybookRule] = []
        for (i, item) in items.enumerated() { try f.recover { () throws(ScenarioError) in
            let g = try f.element("\(f.at("playbook"))[\(i)]", item)
            var name = "playbook-\(i + 1)"
            try g.string("name", &name, doc: "")
            if g.has("at_s") && g.has("when") {
                try f.diagnostics.record(ScenarioError(file: g.file, path: g.path,
                    message: "expected \"at_s\" or \"when\", found both (a rule runs at a time or when a condition holds, not both)"))
            }
            var at = SimDuration(microseconds: -1)
            try g.seconds("at_s", &at, 0...1e9, doc: "")
            var trigger: PlaybookRule.Trigger? = at.microseconds >= 0 ? .at(.zero + at) : nil
            try g.object("when", doc: "") { w throws(ScenarioError) in
                var hold = SimDuration.zero
                try w.seconds("for_s", &hold, 0...86_400, doc: "")
                trigger = .when(try condition(w), holdFor: hold)
            }
            let list = try g.array("actions", type: "objects", defaultValue: "", doc: "")
            if list == nil && g.has("actions") { throw .alreadyReported }
            guard let list, !list.isEmpty else {
                throw ScenarioError(file: g.file, path: g.at("actions"), message: "expected at least one action, found none")
            }
            var actions: [PlaybookAction] = []
            for (j, a) in list.enumerated() {
                try g.recover { () throws(ScenarioError) in
                    let af = try g.element("\(g.at("actions"))[\(j)]", a)
                    actions.append(try action(af, s))
                    try af.finish()
                }
            }
            try g.finish()
            guard let trigger else {  // judged after the actions, so their mistakes are reported too
                throw g.has("at_s") || g.has("when") ? .alreadyReported
                    : ScenarioError(file: g.file, path: g.path, message: "expected \"at_s\" or \"when\", found neither")
            }
            rules.append(PlaybookRule(name: name, trigger: trigger, actions: actions))
        } }
        s.playbook = rules
    }
}
