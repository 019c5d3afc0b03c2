/// Turns an `Override` into a scenario layer: the smallest JSON document that, applied on
/// top of the files, changes exactly the named field.
///
/// Objects merge field by field and lists matched by id (`providers`, `bridges`, `shards`,
/// `slos`, `alerts`) merge element by element, so for those the layer names only the
/// field. Other lists (`incidents`, `playbook`, outages, …) replace as a whole when a layer
/// writes them, so the layer carries the list as the files last wrote it, with the one
/// element changed.
struct OverrideLayer {
    let override: Override
    let file: String
    /// Layers already applied, top (most recent) first.
    let layers: [JSON]
    let scenario: Scenario
    /// Path prefixes of the layer (`providers[0]`) and how the user wrote them (`providers[akash]`),
    /// so an error the schema finds in the layer names the user's path.
    private(set) var renames: [(layer: String, user: String)] = []

    static let keyed: [(list: String, idKey: String)] = [("providers", "id"), ("bridges", "name"), ("shards", "name"),
                                                         ("slos", "name"), ("alerts", "name")]

    init(_ o: Override, layers: [JSON], scenario: Scenario) {
        override = o
        file = "--set " + o.text
        self.layers = layers
        self.scenario = scenario
    }

    func ids(of list: String) -> [String] {
        switch list {
        case "providers": scenario.pipeline.providers.map(\.id)
        case "bridges": scenario.pipeline.bridges.map(\.name)
        case "shards": scenario.pipeline.shards.map(\.name)
        case "slos": scenario.slos.map(\.name)
        default: scenario.alerts.map(\.name)
        }
    }

    func fail(_ path: String, _ message: String) -> ScenarioError { ScenarioError(file: file, path: path, message: message) }

    mutating func build() throws(ScenarioError) -> JSON {
        if case .key(let k) = override.steps[0], k == "extends" || k == "version" {
            throw fail(k, "expected a scenario field, found '\(k)', which overrides cannot change (it is resolved before they apply)")
        }
        guard case .object(let members) = try patch(override.steps[...], layers: layers, at: "") else {
            throw fail("", "expected a path starting with a field name")
        }
        return .object([JSON.Member(key: "version", value: .number(JSONNumber(value: 1, literal: "1", isInteger: true)))] + members)
    }

    /// The layer for `steps` below `at`, given what each applied layer holds there.
    private mutating func patch(_ steps: ArraySlice<Override.Step>, layers: [JSON], at: String) throws(ScenarioError) -> JSON {
        guard let step = steps.first else { return override.value }
        guard case .key(let k) = step else { throw fail(at, "expected a field name before a list selector") }
        let path = at.isEmpty ? k : at + "." + k
        let here = layers.compactMap { $0[k] }
        let rest = steps.dropFirst()
        if at.isEmpty, rest.isEmpty, override.value == .array([]), let idKey = Self.keyed.first(where: { $0.list == k })?.idKey {
            throw fail(path, "expected a non-empty list: \(k) merge element by element by \(idKey), so [] would change nothing"
                + (k == "providers" ? " (to take a provider out, set providers[ID].capacity=0)" : ""))
        }
        let selector: Override.Step
        switch rest.first {
        case nil, .key?: return .object([JSON.Member(key: k, value: try patch(rest, layers: here, at: path))])
        case let s?: selector = s
        }
        if at.isEmpty, let idKey = Self.keyed.first(where: { $0.list == k })?.idKey {
            let ids = ids(of: k)
            let id: String
            switch selector {
            case .index(let i):
                guard i < ids.count else { throw fail("\(path)[\(i)]", "expected an index below \(ids.count) (\(k): \(ids.joined(separator: ", "))), found \(i)") }
                id = ids[i]
            case .id(let name):
                guard ids.contains(name) else {
                    var m = "expected one of the \(k) \(ids.joined(separator: ", ")), found \"\(name)\""
                    if let g = closest(to: name, in: ids) { m += " (did you mean \"\(g)\"?)" }
                    throw fail("\(path)[\(name)]", m)
                }
                id = name
            case .key(let name): throw fail(path, "expected a list selector, found .\(name)")
            }
            let user = "\(path)[\(selectorText(selector))]"
            renames.append(("\(path)[0]", user))
            let elements = here.compactMap { layer -> JSON? in
                guard case .array(let items) = layer else { return nil }
                return items.last { $0[idKey] == .string(id) }
            }
            let inner = try patch(rest.dropFirst(), layers: elements, at: user)
            let idMember = JSON.Member(key: idKey, value: .string(id))
            guard case .object(let members) = inner else { throw fail(user, "expected an object for a whole element, found \(inner.described)") }
            return .object([JSON.Member(key: k, value: .array([.object([idMember] + members.filter { $0.key != idKey })]))])
        }
        // A list that replaces as a whole: edit the one the files last wrote.
        guard let written = here.first else {
            throw fail(path, "expected a list written in the scenario files to select from, found none (set the whole list: --set \(path)=[…])")
        }
        return .object([JSON.Member(key: k, value: try set(rest, in: written, at: path))])
    }

    /// `json` with the value at `steps` replaced by the override's value.
    private func set(_ steps: ArraySlice<Override.Step>, in json: JSON, at path: String) throws(ScenarioError) -> JSON {
        guard let step = steps.first else { return override.value }
        switch step {
        case .key(let k):
            guard case .object(let members) = json else { throw fail(path, "expected an object to hold '\(k)', found \(json.described)") }
            let sub = path + "." + k
            let current = json[k] ?? .object([])
            let new = try set(steps.dropFirst(), in: current, at: sub)
            var out = members.filter { $0.key != k }
            if let i = members.firstIndex(where: { $0.key == k }) { out.insert(JSON.Member(key: k, value: new), at: i) } else { out.append(JSON.Member(key: k, value: new)) }
            return .object(out)
        case .index(let i):
            guard case .array(var items) = json else { throw fail(path, "expected a list, found \(json.described)") }
            guard i < items.count else { throw fail("\(path)[\(i)]", "expected an index below \(items.count), found \(i)") }
            items[i] = try set(steps.dropFirst(), in: items[i], at: "\(path)[\(i)]")
            return .array(items)
        case .id(let name):
            guard case .array(var items) = json else { throw fail(path, "expected a list, found \(json.described)") }
            let names = items.compactMap { item -> String? in
                if case .string(let s)? = item["id"] ?? item["name"] { return s } else { return nil }
            }
            guard let i = items.firstIndex(where: { ($0["id"] ?? $0["name"]) == .string(name) }) else {
                var m = "expected an element with id or name \(names.isEmpty ? "(none has one)" : names.joined(separator: ", ")), found \"\(name)\""
                if let g = closest(to: name, in: names) { m += " (did you mean \"\(g)\"?)" }
                throw fail("\(path)[\(name)]", m)
            }
            items[i] = try set(steps.dropFirst(), in: items[i], at: "\(path)[\(name)]")
            return .array(items)
        }
    }

    private func selectorText(_ s: Override.Step) -> String {
        switch s {
        case .index(let i): String(i)
        case .id(let n), .key(let n): n
        }
    }

    /// `error` with paths inside renamed elements written as the user wrote them.
    func renamed(_ error: ScenarioError) -> ScenarioError {
        func fix(_ e: ScenarioError) -> ScenarioError {
            for r in renames where e.path == r.layer || e.path.hasPrefix(r.layer + ".") || e.path.hasPrefix(r.layer + "[") {
                return ScenarioError(file: e.file, path: r.user + e.path.dropFirst(r.layer.count), message: e.message)
            }
            return e
        }
        var first = fix(error)
        first.others = error.others.map(fix)
        first.truncated = error.truncated
        return first
    }
}
