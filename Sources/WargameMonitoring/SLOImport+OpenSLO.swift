extension SLOImport {
    static func openSLO(_ docs: [SpecNode]) throws(SpecError) -> [SLOSpec] {
        var slis: [(name: String, spec: SpecNode)] = [], slos: [SpecNode] = []
        var policies: [(name: String, node: SpecNode)] = [], conditions: [(name: String, node: SpecNode)] = []
        for (i, raw) in docs.enumerated() {
            let d = SpecNode(raw.node, path: docs.count > 1 ? "documents[\(i)]" : "", file: raw.file)
            try d.only(["apiVersion", "kind", "metadata", "spec"])
            let version = try d.string("apiVersion")
            guard version == "openslo/v1" else { throw d.child("apiVersion").error("expected openslo/v1, found \"\(version)\"") }
            switch try d.string("kind") {
            case "SLO": slos.append(d)
            case "SLI":
                try d.child("metadata").only(["name", "displayName", "labels", "annotations"])
                slis.append((try d.child("metadata").string("name"), d.child("spec")))
            case "AlertPolicy", "AlertCondition":
                try d.child("metadata").only(["name", "displayName", "labels", "annotations"])
                let entry = (try d.child("metadata").string("name"), d.child("spec"))
                if try d.string("kind") == "AlertPolicy" { policies.append(entry) } else { conditions.append(entry) }
            case "Service": break  // describes the service; nothing to run
            case let k: throw d.child("kind").error("kind \(k) is not supported (SLO, SLI, AlertPolicy, AlertCondition and Service documents are)")
            }
        }
        guard !slos.isEmpty else { throw docs[0].error("expected at least one document of kind SLO, found none") }
        var out: [SLOSpec] = []
        for d in slos {
            let meta = d.child("metadata")
            try meta.only(["name", "displayName", "labels", "annotations"])
            let name = try meta.string("name")
            let s = d.child("spec")
            try s.only(["description", "service", "indicator", "indicatorRef", "timeWindow", "budgetingMethod", "objectives", "alertPolicies"])
            let sliSpec: SpecNode
            if s.has("indicator") {
                try s.child("indicator").only(["metadata", "spec"])
                sliSpec = s.child("indicator").child("spec")
            } else if s.has("indicatorRef") {
                let ref = try s.string("indicatorRef")
                guard let found = slis.first(where: { $0.name == ref }) else {
                    throw s.child("indicatorRef").error("expected the name of an SLI document in this file, found \"\(ref)\"")
                }
                sliSpec = found.spec
            } else {
                throw s.error("expected `indicator` or `indicatorRef`")
            }
            let objectives = try s.list("objectives")
            guard objectives.count == 1 else { throw s.child("objectives").error("expected one objective, found \(objectives.count); write one SLO per objective") }
            let o = objectives[0]
            try o.only(["displayName", "op", "value", "target", "targetPercent"],
                       refusing: ["timeSliceTarget": "timeSliceTarget is not supported: each rule evaluation is one slice, good or bad",
                                  "timeSliceWindow": "timeSliceWindow is not supported: each rule evaluation is one slice, good or bad",
                                  "indicator": "an indicator per objective is not supported; give it in spec.indicator"])
            let target: Double
            if o.has("target") { target = try o.number("target") } else if o.has("targetPercent") { target = try o.number("targetPercent") / 100 } else {
                throw o.error("expected `target` (a ratio) or `targetPercent`")
            }
            guard target > 0 && target < 1 else { throw o.error("expected a target above 0 and below 1, found \(target)") }
            let method = try s.optionalString("budgetingMethod")
            let sli = try indicator(sliSpec, objective: o, method: method, at: s.child("budgetingMethod"))
            var spec = SLOSpec(service: try s.string("service"), name: name, objective: target, sli: sli, alertName: alertName(name))
            spec.labels = try openSLOLabels(meta.child("labels"))
            if s.has("timeWindow") { spec.periodMs = try window(s) }
            // Without alert policies, the SRE workbook's multiwindow burn-rate alerts.
            if s.has("alertPolicies") { try alertPolicies(try s.list("alertPolicies"), policies: policies, conditions: conditions, into: &spec) }
            out.append(spec)
        }
        return try unique(out, docs[0])
    }

    static func indicator(_ n: SpecNode, objective o: SpecNode, method: String?, at m: SpecNode) throws(SpecError) -> SLOSpec.SLI {
        try n.only(["description", "thresholdMetric", "ratioMetric"])
        if n.has("thresholdMetric") {
            guard method == nil || method == "Timeslices" else {
                throw m.error("a thresholdMetric is budgeted by Timeslices here (each evaluation good or bad), found \(method!)")
            }
            let opText = try o.string("op")
            guard let op = SLOSpec.Comparison(rawValue: opText) else { throw o.child("op").error("expected lt, lte, gt or gte, found \"\(opText)\"") }
            return .threshold(query: try source(n.child("thresholdMetric")), good: op, bound: try o.number("value"))
        }
        guard n.has("ratioMetric") else { throw n.error("expected `ratioMetric` or `thresholdMetric`") }
        guard method == nil || method == "Occurrences" else { throw m.error("a ratioMetric is budgeted by Occurrences here, found \(method!)") }
        if o.has("op") || o.has("value") { throw o.error("op and value belong to a thresholdMetric objective, not a ratioMetric one") }
        let r = n.child("ratioMetric")
        try r.only(["counter", "good", "bad", "total"], refusing: ["raw": "raw ratio metrics are not supported; give good or bad and total", "rawType": "raw ratio metrics are not supported; give good or bad and total"])
        let counter = try r.optionalString("counter") ?? "true"
        guard counter == "true" || counter == "false" else { throw r.child("counter").error("expected true or false, found \"\(counter)\"") }
        guard r.has("good") != r.has("bad") else { throw r.error("expected one of `good` and `bad`") }
        let total = try form(try source(r.child("total")), counter: counter == "true")
        let part = r.has("bad") ? "bad" : "good"
        let numerator = try form(try source(r.child(part)), counter: counter == "true")
        guard numerator.windowed == total.windowed else {
            throw r.error("\(part) and total must both be metric selectors (or use {{.window}}), or both be expressions with fixed windows")
        }
        let error = part == "bad" ? numerator.query : "(\(total.query)) - (\(numerator.query))"
        return numerator.windowed ? .events(errorQuery: error, totalQuery: total.query) : .rates(errorQuery: error, totalQuery: total.query)
    }

    /// A ratio query as a rate over `{{.window}}` where it can be: a bare selector of a
    /// counter is rated (of a gauge, averaged) over each window; an expression with fixed
    /// windows is recorded as it is.
    static func form(_ q: String, counter: Bool) throws(SpecError) -> (query: String, windowed: Bool) {
        if SLOSpec.hasPlaceholder(q) { return (q, true) }
        if case .vector(let sel)? = try? PromQL.parse(q), sel.offsetMs == 0 {
            return (counter ? "sum(rate(\(q)[{{.window}}]))" : "sum(avg_over_time(\(q)[{{.window}}]))", true)
        }
        return (q, false)
    }

    static func source(_ n: SpecNode) throws(SpecError) -> String {
        try n.only(["metricSource"])
        let m = n.child("metricSource")
        try m.only(["type", "spec"], refusing: ["metricSourceRef": "metricSourceRef is not supported; give the Prometheus query inline"])
        let type = try m.string("type")
        guard type.lowercased() == "prometheus" else { throw m.child("type").error("expected Prometheus (the war game's series are Prometheus's), found \"\(type)\"") }
        try m.child("spec").only(["query"])
        return try m.child("spec").query("query", windowed: false)
    }

    static func window(_ s: SpecNode) throws(SpecError) -> Int64 {
        let items = try s.list("timeWindow")
        guard items.count == 1 else { throw s.child("timeWindow").error("expected one time window, found \(items.count)") }
        let w = items[0]
        try w.only(["duration", "isRolling"], refusing: ["calendar": "calendar-aligned windows are not supported; use a rolling window"])
        if let rolling = try w.optionalString("isRolling"), rolling != "true" { throw w.child("isRolling").error("expected true (a rolling window), found \(rolling)") }
        let d = try w.string("duration")
        guard let ms = PrometheusDuration.parse(d), ms > 0 else { throw w.child("duration").error("expected a duration such as 28d or 4w, found \"\(d)\"") }
        return ms
    }

    /// OpenSLO labels are text or lists of text (joined with commas).
    static func openSLOLabels(_ n: SpecNode) throws(SpecError) -> [Labels.Pair] {
        guard n.exists else { return [] }
        guard let entries = n.node?.entries else { throw n.error("expected a mapping, found \(n.node!.describe)") }
        var out: [Labels.Pair] = []
        for e in entries {
            let at = SpecNode(e.value, path: n.path + "." + e.key, file: n.file, line: e.line)
            guard Rule.isLabelName(e.key) else { throw at.error("invalid label name \"\(e.key)\"") }
            if let s = e.value.string { out.append(Labels.Pair(e.key, s)); continue }
            guard let items = e.value.items, items.allSatisfy({ $0.string != nil }) else { throw at.error("expected text or a list of text, found \(e.value.describe)") }
            out.append(Labels.Pair(e.key, items.compactMap(\.string).joined(separator: ",")))
        }
        return out.sorted { $0.name < $1.name }
    }

    /// `fill-availability` → `FillAvailabilityBudgetBurn`.
    static func alertName(_ slo: String) -> String {
        slo.split { !$0.isLetter && !$0.isNumber }.map { $0.prefix(1).uppercased() + $0.dropFirst() }.joined() + "BudgetBurn"
    }
}
