/// A Prometheus rule file (`groups: [{name, interval, rules: [...]}]`), read as
/// `promtool check rules` reads it, with every expression parsed into the supported PromQL
/// subset before anything runs: an unsupported construct is refused naming the file, the
/// group, the rule and the construct.
public struct RuleFile: Sendable {
    public let path: String
    public let groups: [RuleGroup]
    /// The file as read (copied beside a `--rules-test` so the test stands alone).
    public let text: String

    public static func load(path: String, text: String) throws(RuleFileError) -> RuleFile {
        let doc: YAMLNode
        do { doc = try YAML.parse(text) } catch { throw RuleFileError(file: path, location: "line \(error.line)", message: error.message) }
        return try RuleFile(path: path, document: doc, text: text)
    }

    init(path: String, document doc: YAMLNode, text: String) throws(RuleFileError) {
        self.path = path
        self.text = text
        func fail(_ at: String, _ m: String) -> RuleFileError { RuleFileError(file: path, location: at, message: m) }
        guard let top = doc.entries else { throw fail("line \(doc.line)", "expected a mapping with `groups:`, found \(doc.describe)") }
        for e in top where e.key != "groups" { throw fail("line \(e.line)", "unknown field \"\(e.key)\" (a rule file has only `groups`)") }
        guard let groupNodes = doc["groups"]?.items else { throw fail("line \(doc.line)", "expected `groups:` with a list of groups") }
        var groups: [RuleGroup] = []
        for (gi, g) in groupNodes.enumerated() {
            let group = try RuleGroup(node: g, index: gi, file: path)
            if groups.contains(where: { $0.name == group.name }) { throw fail("groups[\(gi)] (line \(g.line))", "groupname \"\(group.name)\" is repeated in the same file") }
            groups.append(group)
        }
        self.groups = groups
    }

    public var rules: [Rule] { groups.flatMap(\.rules) }
}

public struct RuleFileError: Error, Sendable, CustomStringConvertible {
    public let file: String
    public let location: String
    public let message: String
    public var description: String { "\(file): \(location): \(message)" }
}

public struct RuleGroup: Sendable {
    public let name: String
    /// The group's `interval`, or nil for the war game's default (its step).
    public let intervalMs: Int64?
    public let rules: [Rule]

    static let fields: Set<String> = ["name", "interval", "rules"]

    init(node g: YAMLNode, index gi: Int, file: String) throws(RuleFileError) {
        var at = "groups[\(gi)] (line \(g.line))"
        func fail(_ m: String) -> RuleFileError { RuleFileError(file: file, location: at, message: m) }
        guard let entries = g.entries else { throw fail("expected a group mapping, found \(g.describe)") }
        guard let name = g["name"]?.string, !name.isEmpty else { throw fail("a group needs a `name`") }
        at = "group \"\(name)\" (line \(g.line))"
        for e in entries where !Self.fields.contains(e.key) {
            throw fail(e.key == "limit" || e.key == "query_offset"
                       ? "the group field \"\(e.key)\" is not supported in the war game (its alerts would differ from production's without it); remove it from the copy you rehearse with"
                       : "unknown field \"\(e.key)\" (a group has name, interval, rules)")
        }
        self.name = name
        if let text = g["interval"]?.string {
            guard let ms = PrometheusDuration.parse(text), ms > 0 else { throw fail("interval: expected a duration such as 1m, found \"\(text)\"") }
            intervalMs = ms
        } else {
            intervalMs = nil
        }
        var rules: [Rule] = []
        for (ri, r) in (g["rules"]?.items ?? []).enumerated() {
            rules.append(try Rule(node: r, index: ri, group: name, file: file))
        }
        self.rules = rules
    }
}

/// One alerting or recording rule.
public struct Rule: Sendable {
    public enum Kind: Sendable, Equatable { case alert, record }
    public let kind: Kind
    /// The alert's name or the recorded series' name.
    public let name: String
    public let group: String
    public let exprText: String
    public let expr: PromQLExpr
    public let forMs: Int64
    public let keepFiringForMs: Int64
    public let labels: [(name: String, template: AlertTemplate)]
    public let annotations: [(name: String, template: AlertTemplate)]

    static let fields: Set<String> = ["alert", "record", "expr", "for", "keep_firing_for", "labels", "annotations"]

    init(node r: YAMLNode, index ri: Int, group: String, file: String) throws(RuleFileError) {
        var at = "group \"\(group)\", rules[\(ri)] (line \(r.line))"
        func fail(_ m: String) -> RuleFileError { RuleFileError(file: file, location: at, message: m) }
        guard let entries = r.entries else { throw fail("expected a rule mapping, found \(r.describe)") }
        for e in entries where !Self.fields.contains(e.key) {
            throw fail("unknown field \"\(e.key)\" (a rule has alert or record, expr, for, keep_firing_for, labels, annotations)")
        }
        let alert = r["alert"]?.string, record = r["record"]?.string
        switch (alert, record) {
        case (let a?, nil): kind = .alert; name = a
        case (nil, let rec?): kind = .record; name = rec
        case (.some, .some): throw fail("only one of 'record' and 'alert' must be set")
        case (nil, nil): throw fail("one of 'record' or 'alert' must be set")
        }
        let ruleKind = kind
        at = "group \"\(group)\", \(kind == .alert ? "alert" : "record") \"\(name)\" (line \(r.line))"
        if kind == .record && !Self.isMetricName(name) { throw fail("invalid recording rule name: \(name)") }
        if kind == .alert && name.isEmpty { throw fail("an alert needs a name") }
        self.group = group
        guard let text = r["expr"]?.string, !text.trimmingSpaces.isEmpty else { throw fail("field 'expr' must be set in rule") }
        exprText = text
        do { expr = try PromQL.parse(text) } catch {
            let shown = text.trimmingSpaces.count > 200 ? String(text.trimmingSpaces.prefix(200)) + "…" : text.trimmingSpaces
            throw RuleFileError(file: file, location: at, message: "expr: \(error.message), in \"\(shown)\"")
        }
        guard expr.type == .vector || expr.type == .scalar else {
            throw fail("expr: invalid expression type \"\(expr.type.rawValue)\", must be scalar or instant vector")
        }
        func duration(_ key: String) throws(RuleFileError) -> Int64 {
            guard let t = r[key]?.string else { return 0 }
            guard ruleKind == .alert else { throw fail("invalid field '\(key)' in recording rule") }
            guard let ms = PrometheusDuration.parse(t) else { throw fail("\(key): expected a duration such as 10m, found \"\(t)\"") }
            return ms
        }
        forMs = try duration("for")
        keepFiringForMs = try duration("keep_firing_for")
        func templates(_ key: String) throws(RuleFileError) -> [(name: String, template: AlertTemplate)] {
            guard let node = r[key], !node.isNull else { return [] }
            guard let entries = node.entries else { throw fail("\(key): expected a mapping, found \(node.describe)") }
            var out: [(name: String, template: AlertTemplate)] = []
            for e in entries {
                guard Self.isLabelName(e.key) else { throw fail("\(key): invalid label name \"\(e.key)\"") }
                guard let v = e.value.string ?? (e.value.isNull ? "" : nil) else { throw fail("\(key).\(e.key): expected text, found \(e.value.describe)") }
                do { out.append((e.key, try AlertTemplate(v))) } catch {
                    throw fail("\(key).\(e.key): template \(error.message)")
                }
            }
            return out.sorted { $0.name < $1.name }
        }
        labels = try templates("labels")
        annotations = try templates("annotations")
        if kind == .record && !annotations.isEmpty { throw fail("invalid field 'annotations' in recording rule") }
        if labels.contains(where: { $0.name == "__name__" }) { throw fail("labels: __name__ is not allowed") }
    }

    static func isLabelName(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, f == "_" || ("a"..."z").contains(f) || ("A"..."Z").contains(f) else { return false }
        return s.unicodeScalars.allSatisfy { $0 == "_" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }

    static func isMetricName(_ s: String) -> Bool {
        guard let f = s.unicodeScalars.first, f == "_" || f == ":" || ("a"..."z").contains(f) || ("A"..."Z").contains(f) else { return false }
        return s.unicodeScalars.allSatisfy { $0 == "_" || $0 == ":" || ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) }
    }
}

/// Prometheus's `model.Duration` text: `1h30m`, `90s`, `0s`, `500ms`; units y w d h m s ms.
public enum PrometheusDuration {
    public static func parse(_ text: String) -> Int64? {
        if text == "0" { return 0 }
        var lexer = PromQLLexer(text)
        guard let ms = try? lexer.duration() else { return nil }
        lexer.skipSpace()
        return lexer.k == lexer.chars.count ? ms : nil
    }

    /// The shortest text Prometheus prints for a duration (`1h30m`, `0s`).
    public static func format(_ ms: Int64) -> String {
        guard ms > 0 else { return "0s" }
        var rest = ms, out = ""
        for (unit, size) in [("y", Int64(365 * 86_400_000)), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000), ("m", 60_000), ("s", 1_000), ("ms", 1)] {
            if rest >= size { out += "\(rest / size)\(unit)"; rest %= size }
        }
        return out
    }
}
