import WargameReports

/// `calibration.json`, `calibration.md` and `calibrated.json` from a calibration's estimates.
/// Everything is in the estimates' fixed order and fixed number formats: the same inputs
/// give the same bytes.
public struct CalibrationReport: Sendable {
    public let baseScenario: String
    /// The base's path as `calibrated.json` names it in `extends` (relative to the output).
    public let extendsPath: String
    public let baseName: String
    public let sources: [String]
    public let window: Double?
    public let seed: UInt64
    public let estimates: [ParameterEstimate]

    public init(baseScenario: String, extendsPath: String, baseName: String, sources: [String], window: Double?, seed: UInt64,
                estimates: [ParameterEstimate]) {
        self.baseScenario = baseScenario; self.extendsPath = extendsPath; self.baseName = baseName
        self.sources = sources; self.window = window; self.seed = seed; self.estimates = estimates
    }

    public var fitted: [ParameterEstimate] { estimates.filter(\.fitted) }

    static func number(_ x: Double) -> JSONValue { .significant(x, digits: 6) }

    public func json() -> JSONValue {
        .object([
            ("calibration", .object([
                ("base", .string(baseScenario)), ("sources", .array(sources.map { .string($0) })),
                ("window_s", window.map { .number($0, decimals: 0) } ?? .null), ("seed", .uint(seed)),
                ("fitted", .int(Int64(fitted.count))), ("kept", .int(Int64(estimates.count - fitted.count))),
            ])),
            ("parameters", .array(estimates.map(entry))),
        ])
    }

    func entry(_ e: ParameterEstimate) -> JSONValue {
        var m: [(String, JSONValue)] = [("path", .string(e.path)), ("status", .string(e.fitted ? "fitted" : "kept")),
                                        ("estimate", Self.number(e.value)),
                                        ("ci95", e.estimate.map { .array([Self.number($0.low), Self.number($0.high)]) } ?? .null),
                                        ("base", Self.number(e.base)), ("method", .string(e.method.rawValue)),
                                        ("distribution", .string(e.distribution)), ("n", .int(Int64(e.n)))]
        m.append(("gof", e.gof.map { g in
            .object([("test", .string(g.test.rawValue)), ("statistic", .significant(g.statistic, digits: 5)),
                     ("p_value", .number(g.pValue, decimals: 4)), ("n", .int(Int64(g.n))),
                     (g.test == .andersonDarling ? "replicates" : "df", .int(Int64(g.detail)))])
        } ?? .null))
        if !e.ranking.isEmpty {
            m.append(("families", .array(e.ranking.map { .object([("family", .string($0.family.rawValue)), ("aic", .number($0.aic, decimals: 2))]) })))
        }
        m.append(("series", .string(e.series)))
        m.append(("notes", .array(e.notes.map { .string($0) })))
        return .object(m)
    }

    public func markdown() -> String {
        var out = "# Calibration of \(baseName)\n\n"
        out += "Base scenario `\(baseScenario)`; data from " + sources.map { "`\($0)`" }.joined(separator: ", ")
        if let window { out += ", \(NumberFormat.significant(window / 3_600, 4)) h observed" }
        out += ". \(NumberFormat.counted(fitted.count, "parameter")) fitted, \(estimates.count - fitted.count) kept at the base value. "
        out += "Intervals are 95 %; latencies are lognormal maximum-likelihood fits (from raw samples, or from histogram buckets as "
        out += "interval-censored data), probabilities binomial with Wilson intervals, the arrival rate a Poisson fit. "
        out += "Goodness of fit: Anderson–Darling with a parametric-bootstrap p-value (seed \(seed)) for raw samples, chi-square for buckets.\n\n"
        var rows = [["Parameter", "Base", "Estimate", "95 % interval", "n", "Fit", "Notes"]]
        for e in estimates {
            let ci = e.estimate.map { "\(NumberFormat.significant($0.low, 4)) – \(NumberFormat.significant($0.high, 4))" } ?? "—"
            let fit = e.gof.map { "\($0.test.symbol) p \($0.pText)" } ?? "—"
            rows.append(["`\(e.path)`", NumberFormat.significant(e.base, 6), e.fitted ? NumberFormat.significant(e.value, 6) : "(kept)",
                         ci, String(e.n), fit, e.notes.joined(separator: "; ")])
        }
        out += TextTable.markdown(rows) + "\n"
        return out
    }

    /// A scenario that `extends` the base and sets every fitted field: `settings`, written as
    /// a scenario layer (list elements by id, dotted fields nested, lists whole).
    public func calibratedScenario(base checks: (median: [Double], p95: [Double])) -> String {
        var top: [(String, JSONValue)] = [("version", .int(1)), ("extends", .string(extendsPath)),
                                          ("name", .string(String((baseName + "-calibrated").prefix(100)))),
                                          ("description", .string("\(baseName) with \(NumberFormat.counted(fitted.count, "parameter")) fitted by wargame calibrate (see calibration.md)."))]
        var objects: [String: [(String, JSONValue)]] = [:], order: [String] = []
        var lists: [String: [(id: String, key: String, fields: [(String, JSONValue)])]] = [:]
        for (path, setting) in settings(base: checks) {
            let value: JSONValue = switch setting {
            case .number(let x): Self.number(x)
            case .list(let xs): .array(xs.map(Self.number))
            }
            if let (list, id, field) = Self.keyed(path) {
                let key = list == "providers" ? "id" : "name"
                if let i = lists[list]?.firstIndex(where: { $0.id == id }) { lists[list]![i].fields.append((field, value)) }
                else { lists[list, default: []].append((id, key, [(field, value)])); if !order.contains(list) { order.append(list) } }
            } else {
                let parts = path.split(separator: ".").map(String.init)
                if !order.contains(parts[0]) { order.append(parts[0]) }
                objects[parts[0], default: []].append((parts.dropFirst().joined(separator: "."), value))
            }
        }
        for section in order {
            if let items = lists[section] {
                top.append((section, .array(items.map { .object([($0.key, .string($0.id))] + $0.fields) })))
            } else if let fields = objects[section] {
                top.append((section, Self.nest(fields)))
            }
        }
        return JSONValue.object(top).rendered()
    }

    /// One field's new value: a number, or a list written whole (the policy checks' times,
    /// which a scenario layer replaces as a list).
    public enum Setting: Sendable, Equatable {
        case number(Double)
        case list([Double])
    }

    /// What `calibrated.json` sets, as `--set` would: one path per fitted field, the policy
    /// checks' lists whole. Values are rounded as the file writes them.
    public func settings(base checks: (median: [Double], p95: [Double])) -> [(path: String, setting: Setting)] {
        var out: [(String, Setting)] = [], medians = checks.median, p95s = checks.p95, checksFitted = false
        func written(_ x: Double) -> Double { Double(NumberFormat.significant(x)) ?? x }
        for e in fitted {
            if let i = Self.index(e.path, "policy.check_median_ms") { medians[i] = e.value; checksFitted = true }
            else if let i = Self.index(e.path, "policy.check_p95_ms") { p95s[i] = e.value; checksFitted = true }
            else { out.append((e.path, .number(written(e.value)))) }
        }
        if checksFitted { out += [("policy.check_median_ms", .list(medians.map(written))), ("policy.check_p95_ms", .list(p95s.map(written)))] }
        return out
    }

    /// `providers[akash].ack_median_ms` → (providers, akash, ack_median_ms).
    static func keyed(_ path: String) -> (String, String, String)? {
        guard let open = path.firstIndex(of: "["), let close = path.firstIndex(of: "]"), path[path.index(after: close)...].hasPrefix(".") else { return nil }
        let list = String(path[..<open])
        guard list == "providers" || list == "bridges" else { return nil }
        return (list, String(path[path.index(after: open)..<close]), String(path[path.index(close, offsetBy: 2)...]))
    }

    static func index(_ path: String, _ prefix: String) -> Int? {
        guard path.hasPrefix(prefix + "["), path.hasSuffix("]") else { return nil }
        return Int(path.dropFirst(prefix.count + 1).dropLast())
    }

    /// Dotted fields (`gpu_hours.median`, `tsa.latency_median_ms`) as nested objects, in order.
    static func nest(_ fields: [(String, JSONValue)]) -> JSONValue {
        var members: [(String, JSONValue)] = [], groups: [String: [(String, JSONValue)]] = [:], order: [String] = []
        for (path, v) in fields {
            if let dot = path.firstIndex(of: ".") {
                let head = String(path[..<dot])
                if groups[head] == nil { order.append(head); members.append((head, .null)) }
                groups[head, default: []].append((String(path[path.index(after: dot)...]), v))
            } else {
                members.append((path, v))
            }
        }
        return .object(members.map { key, v in groups[key].map { (key, nest($0)) } ?? (key, v) })
    }
}
