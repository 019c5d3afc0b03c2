/// Reads SLO specs in the two formats teams write them in, into `SLOSpec`s:
///
/// - Sloth's `version: "prometheus/v1"` (service, labels, slos with objective in percent,
///   `sli.events` error/total queries or `sli.raw`, `alerting` with page and ticket alerts);
/// - OpenSLO v1 documents (`kind: SLO` with an inline `indicator` or an `indicatorRef` to a
///   `kind: SLI` document of the same file, `ratioMetric` good or bad over total, or
///   `thresholdMetric`; one objective; a rolling `timeWindow`; `alertPolicies` with
///   burn-rate conditions, inline or by reference to `AlertPolicy`/`AlertCondition` documents).
///
/// Every field is read or refused by name (a field Wargame would silently ignore could
/// change what the SLO means), and every query is parsed as the war game's PromQL.
public enum SLOImport {
    public static func load(path: String, text: String) throws(SpecError) -> [SLOSpec] {
        let docs: [YAMLNode]
        do { docs = try YAML.documents(text) } catch { throw SpecError(file: path, path: "", line: error.line, message: error.message) }
        guard let first = docs.first else { throw SpecError(file: path, path: "", line: 1, message: "expected a Sloth or OpenSLO spec, found an empty file") }
        if first["version"] != nil {
            guard docs.count == 1 else { throw SpecError(file: path, path: "", line: docs[1].line, message: "a Sloth spec is one YAML document, found \(docs.count)") }
            return try sloth(SpecNode(first, path: "", file: path))
        }
        if first["apiVersion"] != nil { return try openSLO(docs.map { SpecNode($0, path: "", file: path) }) }
        throw SpecError(file: path, path: "", line: first.line, message: "expected a Sloth spec (version: \"prometheus/v1\") or OpenSLO documents (apiVersion: openslo/v1)")
    }

    // MARK: Sloth

    static func sloth(_ doc: SpecNode) throws(SpecError) -> [SLOSpec] {
        try doc.only(["version", "service", "labels", "slos"])
        let version = try doc.string("version")
        guard version == "prometheus/v1" else {
            throw doc.child("version").error("expected \"prometheus/v1\" (Sloth's Prometheus spec), found \"\(version)\"" +
                                             (version.hasPrefix("sloth.slok.dev") ? "; Kubernetes CRD specs are not supported, use the prometheus/v1 form" : ""))
        }
        let service = try doc.string("service")
        let labels = try doc.labels("labels")
        var out: [SLOSpec] = []
        for slo in try doc.list("slos") {
            try slo.only(["name", "objective", "description", "labels", "sli", "alerting"])
            let name = try slo.string("name")
            let percent = try slo.number("objective")
            guard percent > 0 && percent < 100 else { throw slo.child("objective").error("expected a percentage above 0 and below 100, found \(percent)") }
            let sliNode = slo.child("sli")
            try sliNode.only(["events", "raw"], refusing: ["plugin": "Sloth SLI plugins are not supported; write the plugin's queries as `events` or `raw`"])
            let sli: SLOSpec.SLI
            if sliNode.has("events") {
                let e = sliNode.child("events")
                try e.only(["error_query", "total_query"])
                sli = .events(errorQuery: try e.query("error_query", windowed: true), totalQuery: try e.query("total_query", windowed: true))
            } else if sliNode.has("raw") {
                let r = sliNode.child("raw")
                try r.only(["error_ratio_query"])
                sli = .errorRatio(try r.query("error_ratio_query", windowed: true))
            } else {
                throw sliNode.error("expected `events` (error_query, total_query) or `raw` (error_ratio_query)")
            }
            let alerting = slo.child("alerting")
            try alerting.only(["name", "labels", "annotations", "page_alert", "ticket_alert"])
            var spec = SLOSpec(service: service, name: name, objective: percent / 100, sli: sli, alertName: "")
            spec.labels = SLORules.merged(labels, try slo.labels("labels"))
            spec.page = try level(alerting.child("page_alert"))
            spec.ticket = try level(alerting.child("ticket_alert"))
            if spec.page != nil || spec.ticket != nil { spec.alertName = try alerting.string("name") }
            spec.alertLabels = try alerting.labels("labels")
            spec.alertAnnotations = try alerting.labels("annotations", names: false)
            out.append(spec)
        }
        return try unique(out, doc)
    }

    static func level(_ n: SpecNode) throws(SpecError) -> SLOSpec.AlertLevel? {
        guard n.exists else { return SLOSpec.AlertLevel() }
        try n.only(["disable", "labels", "annotations"])
        if n.has("disable") {
            let d = try n.string("disable")
            guard d == "true" || d == "false" else { throw n.child("disable").error("expected true or false, found \"\(d)\"") }
            if d == "true" { return nil }
        }
        return SLOSpec.AlertLevel(labels: try n.labels("labels"), annotations: try n.labels("annotations", names: false))
    }

    static func unique(_ specs: [SLOSpec], _ at: SpecNode) throws(SpecError) -> [SLOSpec] {
        var seen: Set<String> = []
        for s in specs where !seen.insert(s.id).inserted { throw at.error("two SLOs have the id \"\(s.id)\" (service-name)") }
        return specs
    }
}
