/// A node of a configuration file (an SLO spec, an Alertmanager config) with its path, so
/// that every error names the field it is about.
struct SpecNode {
    let node: YAMLNode?
    let path: String
    let file: String
    /// The nearest line: the node's own, else its parent's.
    let line: Int

    init(_ node: YAMLNode?, path: String, file: String, line: Int? = nil) {
        self.node = node
        self.path = path
        self.file = file
        self.line = node?.line ?? line ?? 1
    }

    var exists: Bool { node.map { !$0.isNull } ?? false }
    func has(_ key: String) -> Bool { child(key).exists }

    func child(_ key: String) -> SpecNode {
        let entry = node?.entries?.first { $0.key == key }
        return SpecNode(entry?.value, path: path.isEmpty ? key : path + "." + key, file: file, line: entry?.line ?? line)
    }

    func error(_ message: String) -> SpecError { SpecError(file: file, path: path, line: line, message: message) }

    /// Refuses any key but `allowed`; `refusing` explains the ones known but unsupported.
    func only(_ allowed: [String], refusing: [String: String] = [:]) throws(SpecError) {
        guard let node, !node.isNull else { return }
        guard let entries = node.entries else { throw error("expected a mapping, found \(node.describe)") }
        // Duplicate keys never get here: the YAML and JSON readers refuse them.
        for e in entries {
            let at = SpecNode(e.value, path: path.isEmpty ? e.key : path + "." + e.key, file: file, line: e.line)
            if let why = refusing[e.key] { throw at.error(why) }
            guard allowed.contains(e.key) else {
                throw at.error("unknown or unsupported field \"\(e.key)\" (expected \(allowed.joined(separator: ", ")))")
            }
        }
    }

    func string(_ key: String) throws(SpecError) -> String {
        let c = child(key)
        guard c.exists else { throw c.error("missing; expected text") }
        guard let s = c.node?.string, c.node?.entries == nil, c.node?.items == nil else { throw c.error("expected text, found \(c.node!.describe)") }
        return s
    }

    func optionalString(_ key: String) throws(SpecError) -> String? {
        has(key) ? try string(key) : nil
    }

    func number(_ key: String) throws(SpecError) -> Double {
        let text = try string(key)
        guard let x = Double(text), x.isFinite else { throw child(key).error("expected a number, found \"\(text)\"") }
        return x
    }

    func list(_ key: String) throws(SpecError) -> [SpecNode] {
        let c = child(key)
        guard c.exists else { throw c.error("missing; expected a list") }
        guard let items = c.node?.items else { throw c.error("expected a list, found \(c.node!.describe)") }
        guard !items.isEmpty else { throw c.error("expected at least one item, found an empty list") }
        return items.enumerated().map { SpecNode($1, path: "\(c.path)[\($0)]", file: file) }
    }

    /// A list of text (block or flow).
    func strings(_ key: String) throws(SpecError) -> [String] {
        let c = child(key)
        guard let items = c.node?.items else { throw c.error("expected a list, found \(c.node?.describe ?? "nothing")") }
        var out: [String] = []
        for (i, item) in items.enumerated() {
            guard let s = item.string, item.entries == nil, item.items == nil else {
                throw SpecNode(item, path: "\(c.path)[\(i)]", file: file).error("expected text, found \(item.describe)")
            }
            out.append(s)
        }
        return out
    }

    /// A mapping of label (or annotation) names to text, sorted by name.
    func labels(_ key: String, names: Bool = true) throws(SpecError) -> [Labels.Pair] {
        let c = child(key)
        guard c.exists else { return [] }
        guard let entries = c.node?.entries else { throw c.error("expected a mapping, found \(c.node!.describe)") }
        var out: [Labels.Pair] = []
        for e in entries {
            let at = SpecNode(e.value, path: c.path + "." + e.key, file: file, line: e.line)
            guard Rule.isLabelName(e.key) else { throw at.error("invalid \(names ? "label" : "annotation") name \"\(e.key)\"") }
            guard let v = e.value.string ?? (e.value.isNull ? "" : nil) else { throw at.error("expected text, found \(e.value.describe)") }
            out.append(Labels.Pair(e.key, v))
        }
        return out.sorted { $0.name < $1.name }
    }

    /// A PromQL query, checked as the war game's PromQL (with `{{.window}}` as 5m).
    func query(_ key: String, windowed: Bool) throws(SpecError) -> String {
        let text = try string(key)
        if windowed && !SLOSpec.hasPlaceholder(text) {
            throw child(key).error("expected {{.window}} in the query (it stands for each alert window), found none")
        }
        do { _ = try PromQL.parse(SLOSpec.substitute(text, window: "5m")) } catch {
            throw child(key).error("\(error.message), in \"\(text.trimmingSpaces)\"")
        }
        return text.trimmingSpaces
    }
}

/// A configuration file refused: which file, where in it, and why.
public struct SpecError: Error, Sendable, Equatable, CustomStringConvertible {
    public let file: String
    /// Where in the spec, as a path (`slos[0].sli.events.error_query`).
    public let path: String
    public let line: Int
    public let message: String
    public var description: String {
        let at = [path, line > 0 ? "(line \(line))" : ""].filter { !$0.isEmpty }.joined(separator: " ")
        return "\(file): " + (at.isEmpty ? "" : at + ": ") + message
    }
}
