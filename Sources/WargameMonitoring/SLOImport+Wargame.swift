extension SLOImport {
    /// The war game's own form of an SLO (a scenario's `monitoring.slos[i]`, and what
    /// `wargame slo import` prints): every choice a Sloth or OpenSLO spec implies, spelled
    /// out so a team can see and edit it. `node` is the SLO object as YAML nodes.
    public static func wargame(_ node: YAMLNode, file: String, path: String) throws(SpecError) -> SLOSpec {
        let n = SpecNode(node, path: path, file: file)
        try n.only(["service", "name", "objective", "period", "sli", "labels", "alert", "burn_rates"])
        let objective = try n.number("objective")
        guard objective > 0 && objective < 1 else { throw n.child("objective").error("expected a ratio above 0 and below 1 (0.999 for 99.9 %), found \(objective)") }
        let s = n.child("sli")
        let sli: SLOSpec.SLI
        if s.has("error_query") || s.has("total_query") {
            try s.only(["error_query", "total_query"])
            sli = .events(errorQuery: try s.query("error_query", windowed: true), totalQuery: try s.query("total_query", windowed: true))
        } else if s.has("error_ratio_query") {
            try s.only(["error_ratio_query"])
            sli = .errorRatio(try s.query("error_ratio_query", windowed: true))
        } else if s.has("error_rate_query") || s.has("total_rate_query") {
            try s.only(["error_rate_query", "total_rate_query"])
            sli = .rates(errorQuery: try s.query("error_rate_query", windowed: false), totalQuery: try s.query("total_rate_query", windowed: false))
        } else if s.has("threshold_query") {
            try s.only(["threshold_query", "good_when", "bound"])
            let op = try s.string("good_when")
            guard let good = SLOSpec.Comparison(rawValue: op) else { throw s.child("good_when").error("expected lt, lte, gt or gte, found \"\(op)\"") }
            sli = .threshold(query: try s.query("threshold_query", windowed: false), good: good, bound: try s.number("bound"))
        } else {
            throw s.error("expected error_query and total_query, error_ratio_query, error_rate_query and total_rate_query, or threshold_query")
        }
        var spec = SLOSpec(service: try n.string("service"), name: try n.string("name"), objective: objective, sli: sli, alertName: "")
        if n.has("period") { spec.periodMs = try duration(n, "period") }
        spec.labels = try n.labels("labels")
        let a = n.child("alert")
        try a.only(["name", "labels", "annotations", "page", "ticket"])
        spec.alertLabels = try a.labels("labels")
        spec.alertAnnotations = try a.labels("annotations", names: false)
        spec.page = try alertLevel(a, "page")
        spec.ticket = try alertLevel(a, "ticket")
        if spec.page != nil || spec.ticket != nil { spec.alertName = try a.string("name") }
        if n.has("burn_rates") {
            spec.burnRates = []
            for b in try n.list("burn_rates") {
                try b.only(["severity", "long_window", "short_window", "factor", "op"])
                let sev = try b.string("severity")
                guard let severity = SLOSpec.BurnRate.Severity(rawValue: sev) else { throw b.child("severity").error("expected page or ticket, found \"\(sev)\"") }
                // Without a short window, one window: the ratio over long_window alone.
                let long = try duration(b, "long_window")
                let short = b.has("short_window") ? try duration(b, "short_window") : long
                guard short <= long else { throw b.child("short_window").error("expected a window no longer than long_window") }
                let factor = try b.number("factor")
                guard factor > 0 else { throw b.child("factor").error("expected a burn rate above 0, found \(factor)") }
                let op = try b.optionalString("op") ?? "gt"
                guard op == "gt" || op == "gte" else { throw b.child("op").error("expected gt or gte, found \"\(op)\"") }
                spec.burnRates.append(SLOSpec.BurnRate(severity, long: long, short: short, factor: factor, inclusive: op == "gte"))
            }
        }
        return spec
    }

    /// `page`/`ticket`: absent is the default alert, `null` disables it.
    static func alertLevel(_ a: SpecNode, _ key: String) throws(SpecError) -> SLOSpec.AlertLevel? {
        guard a.node?.entries?.contains(where: { $0.key == key }) == true else { return SLOSpec.AlertLevel() }
        let l = a.child(key)
        guard l.exists else { return nil }
        try l.only(["labels", "annotations", "for"])
        return SLOSpec.AlertLevel(labels: try l.labels("labels"), annotations: try l.labels("annotations", names: false),
                                  forMs: l.has("for") ? try duration(l, "for") : 0)
    }

    static func duration(_ n: SpecNode, _ key: String) throws(SpecError) -> Int64 {
        let t = try n.string(key)
        guard let ms = PrometheusDuration.parse(t), ms > 0 else { throw n.child(key).error("expected a duration such as 5m or 30d, found \"\(t)\"") }
        return ms
    }
}
