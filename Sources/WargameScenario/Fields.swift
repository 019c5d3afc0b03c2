import SimKernel
import WargameModels

/// One documented scenario field, collected in documentation mode.
public struct FieldDoc: Sendable, Equatable {
    public let path: String
    public let type: String
    public let unit: String
    public let defaultValue: String
    public let range: String
    public let doc: String
}

/// Reads one JSON object of a scenario, field by field — and *is* the schema.
///
/// Each accessor names a key, its type, unit, range and documentation, and updates a value
/// in place, so the value's current contents are the default. Reading checks the type and
/// range; a bad value is recorded in `diagnostics` with the field's path and the default
/// kept, so one load reports every mistake (`recover` marks the points — an object, an
/// array element, a section — where reading resumes after a harder error). `finish()`
/// reports keys that were never read, suggesting the nearest known one. In documentation mode (`docs != nil`)
/// nothing is read: each accessor records a `FieldDoc`, which is how `docs/scenarios.md`
/// is generated from this one definition.
final class Fields {
    let file: String
    let path: String
    let members: [JSON.Member]
    private(set) var known: [String] = []
    let docs: DocCollector?
    let diagnostics: Diagnostics

    init(file: String, path: String, json: JSON?, docs: DocCollector?, diagnostics: Diagnostics) throws(ScenarioError) {
        self.file = file
        self.path = path
        self.docs = docs
        self.diagnostics = diagnostics
        switch json {
        case .object(let m): members = m
        case nil: members = []
        case let other?: throw ScenarioError(file: file, path: path, message: "expected an object, found \(other.described)")
        }
    }

    func at(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    /// A reader for an element of an array in this object (`path` is the element's).
    func element(_ path: String, _ json: JSON?) throws(ScenarioError) -> Fields {
        try Fields(file: file, path: path, json: json, docs: nil, diagnostics: diagnostics)
    }

    /// Records an error and carries on; throws only once the error limit is reached.
    func report(_ error: ScenarioError) throws(ScenarioError) { try diagnostics.record(error) }

    /// Runs `body`; an error it throws is recorded and reading resumes after it.
    func recover(_ body: () throws(ScenarioError) -> Void) throws(ScenarioError) {
        do {
            try body()
        } catch {
            if diagnostics.stopped { throw error }
            if error == .alreadyReported { return }
            try diagnostics.record(error)
        }
    }

    /// Whether the object has `key` at all (present but invalid values are reported once).
    func has(_ key: String) -> Bool { members.contains { $0.key == key } }

    func fail(_ key: String, _ expected: String, _ found: JSON) -> ScenarioError {
        ScenarioError(file: file, path: at(key), message: "expected \(expected), found \(found.described)")
    }

    /// The raw value for `key`, marking it known; records docs in documentation mode.
    func raw(_ key: String, type: String, unit: String = "", defaultValue: String, range: String = "", doc: String) -> JSON? {
        known.append(key)
        if let docs {
            docs.add(FieldDoc(path: at(key), type: type, unit: unit, defaultValue: defaultValue, range: range, doc: doc))
            return nil
        }
        return members.last { $0.key == key }?.value
    }

    func number(_ key: String, _ value: inout Double, _ range: ClosedRange<Double>, unit: String = "",
                doc: String) throws(ScenarioError) {
        guard let j = raw(key, type: "number", unit: unit, defaultValue: Self.show(value), range: Self.show(range), doc: doc)
        else { return }
        guard case .number(let n) = j, range.contains(n.value) else { return try report(fail(key, "a number in \(Self.show(range))", j)) }
        value = n.value
    }

    func probability(_ key: String, _ value: inout Double, doc: String) throws(ScenarioError) {
        try number(key, &value, 0...1, unit: "probability", doc: doc)
    }

    func integer(_ key: String, _ value: inout Int, _ range: ClosedRange<Int>, unit: String = "", doc: String) throws(ScenarioError) {
        guard let j = raw(key, type: "integer", unit: unit, defaultValue: String(value),
                          range: "\(range.lowerBound)…\(range.upperBound)", doc: doc) else { return }
        guard case .number(let x) = j, let n = x.int, range.contains(n) else {
            return try report(fail(key, "an integer in \(range.lowerBound)…\(range.upperBound)", j))
        }
        value = n
    }

    /// A tenant of `tenants`: its index (`7`) or its id as the outputs spell it (`"tenant-7"`),
    /// so a tenant copied from a decision log or a metric label can be pasted back in.
    func tenant(_ key: String, _ value: inout Int, tenants: Int, doc: String) throws(ScenarioError) {
        let last = tenants - 1, ids = "\"\(TenantID.name(0))\"…\"\(TenantID.name(last))\""
        guard let j = raw(key, type: "tenant", defaultValue: value >= 0 ? String(value) : "all", range: "0…\(last) or \(ids)", doc: doc) else { return }
        let n: Int? = switch j {
        case .number(let x): x.int
        case .string(let text): TenantID.index(text)
        default: nil
        }
        guard let n, (0...last).contains(n) else {
            return try report(fail(key, "a tenant, an index in 0…\(last) or an id \(ids)", j))
        }
        value = n
    }

    /// A seed: any integer in 0…2^64 − 1, read exactly (as `--seed` accepts).
    func seed(_ key: String, _ value: inout UInt64, doc: String) throws(ScenarioError) {
        guard let j = raw(key, type: "integer", defaultValue: String(value), range: Self.seedRange, doc: doc) else { return }
        try recover { () throws(ScenarioError) in value = try Self.seed(j, file: file, path: at(key)) }
    }

    static let seedRange = "0…\(UInt64.max)"

    static func seed(_ j: JSON, file: String, path: String) throws(ScenarioError) -> UInt64 {
        guard case .number(let n) = j, let seed = n.uint64 else {
            throw ScenarioError(file: file, path: path, message: "expected a seed, an integer in \(seedRange), found \(j.described)")
        }
        return seed
    }

    func bool(_ key: String, _ value: inout Bool, doc: String) throws(ScenarioError) {
        guard let j = raw(key, type: "boolean", defaultValue: String(value), doc: doc) else { return }
        guard case .bool(let b) = j else { return try report(fail(key, "true or false", j)) }
        value = b
    }

    func string(_ key: String, _ value: inout String, doc: String) throws(ScenarioError) {
        guard let j = raw(key, type: "string", defaultValue: "\"\(value)\"", doc: doc) else { return }
        guard case .string(let s) = j, !s.isEmpty else { return try report(fail(key, "a non-empty string", j)) }
        value = s
    }

    /// A string from a fixed set, mapped to a value.
    func choice<T: Equatable>(_ key: String, _ value: inout T, _ choices: [(String, T)], doc: String) throws(ScenarioError) {
        let names = choices.map(\.0)
        let current = choices.first { $0.1 == value }?.0 ?? ""
        guard let j = raw(key, type: "string", defaultValue: "\"\(current)\"", range: names.joined(separator: ", "), doc: doc)
        else { return }
        guard case .string(let s) = j, let c = choices.first(where: { $0.0 == s }) else {
            var expected = "one of " + names.map { "\"\($0)\"" }.joined(separator: ", ")
            if case .string(let s) = j, let guess = closest(to: s, in: names) { expected += " (did you mean \"\(guess)\"?)" }
            return try report(fail(key, expected, j))
        }
        value = c.1
    }

    /// A duration given in milliseconds.
    func milliseconds(_ key: String, _ value: inout SimDuration, _ range: ClosedRange<Double>, doc: String) throws(ScenarioError) {
        var ms = value.milliseconds
        try number(key, &ms, range, unit: "ms", doc: doc)
        value = SimDuration(milliseconds: ms)
    }

    /// A duration (or a time from the start of the run) given in seconds.
    func seconds(_ key: String, _ value: inout SimDuration, _ range: ClosedRange<Double>, doc: String) throws(ScenarioError) {
        var s = value.seconds
        try number(key, &s, range, unit: "s", doc: doc)
        value = SimDuration(seconds: s)
    }

    /// A nested object; the body reads its fields. Absent objects keep their defaults.
    func object(_ key: String, doc: String, _ body: (Fields) throws(ScenarioError) -> Void) throws(ScenarioError) {
        let j = raw(key, type: "object", defaultValue: "", doc: doc)
        if docs == nil && j == nil { return }
        try recover { () throws(ScenarioError) in
            let f = try Fields(file: file, path: at(key), json: j, docs: docs, diagnostics: diagnostics)
            try body(f)
            try f.finish()
        }
    }

    /// An array of plain values.
    func array(_ key: String, type: String, defaultValue: String, unit: String = "", doc: String) throws(ScenarioError) -> [JSON]? {
        guard let j = raw(key, type: "array of \(type)", unit: unit, defaultValue: defaultValue, doc: doc) else { return nil }
        guard case .array(let items) = j else {
            try report(fail(key, "an array of \(type)", j))
            return nil
        }
        return items
    }

    /// An array of numbers in a range.
    func numbers(_ key: String, _ value: inout [Double], _ range: ClosedRange<Double>, count: ClosedRange<Int>? = nil,
                 unit: String = "", doc: String) throws(ScenarioError) {
        guard let items = try array(key, type: "numbers", defaultValue: "[" + value.map(Self.show).joined(separator: ", ") + "]",
                                    unit: unit, doc: doc) else { return }
        if let count, !count.contains(items.count) {
            return try report(ScenarioError(file: file, path: at(key),
                                            message: "expected \(count.lowerBound == count.upperBound ? "\(count.lowerBound)" : "\(count.lowerBound)…\(count.upperBound)") numbers, found \(items.count)"))
        }
        var out: [Double] = []
        for (i, item) in items.enumerated() {
            guard case .number(let n) = item, range.contains(n.value) else {
                return try report(ScenarioError(file: file, path: "\(at(key))[\(i)]", message: "expected a number in \(Self.show(range)), found \(item.described)"))
            }
            out.append(n.value)
        }
        value = out
    }

    /// An array of objects matched to defaults by an identifying key (`id` or `name`): an
    /// element naming an existing id edits that default, a new id adds an element built
    /// from `template`. Elements not mentioned keep their defaults.
    func keyedObjects<T>(_ key: String, _ value: inout [T], idKey: String, id: (T) -> String, template: (String) -> T,
                         doc: String, _ body: (Fields, inout T) throws(ScenarioError) -> Void) throws(ScenarioError) {
        let j = raw(key, type: "array of objects", defaultValue: "see below", doc: doc + " Elements are matched by `\(idKey)`.")
        if docs != nil {
            var sample = value.first ?? template("example")
            let f = try Fields(file: file, path: at(key) + "[]", json: nil, docs: docs, diagnostics: diagnostics)
            docs!.add(FieldDoc(path: at(key) + "[]." + idKey, type: "string", unit: "", defaultValue: "", range: "",
                               doc: "Identifies the element (required)."))
            try body(f, &sample)
            return
        }
        guard let j else { return }
        guard case .array(let items) = j else { return try report(fail(key, "an array of objects", j)) }
        var seen: [String] = []
        for (i, item) in items.enumerated() {
            let itemPath = "\(at(key))[\(i)]"
            try recover { () throws(ScenarioError) in
                guard case .object = item else {
                    throw ScenarioError(file: file, path: itemPath, message: "expected an object, found \(item.described)")
                }
                guard case .string(let name)? = item[idKey], !name.isEmpty else {
                    throw ScenarioError(file: file, path: "\(itemPath).\(idKey)", message: "expected a non-empty string identifying the element, found \(item[idKey]?.described ?? "nothing")")
                }
                if seen.contains(name) {
                    throw ScenarioError(file: file, path: "\(itemPath).\(idKey)", message: "expected a unique \(idKey), found \"\(name)\" twice")
                }
                seen.append(name)
                let f = try element(itemPath, item)
                _ = f.raw(idKey, type: "string", defaultValue: "", doc: "")
                if let k = value.firstIndex(where: { id($0) == name }) {
                    try body(f, &value[k])
                } else {
                    var fresh = template(name)
                    try body(f, &fresh)
                    value.append(fresh)
                }
                try f.finish()
            }
        }
    }

    /// Reports every key that no accessor read, with the nearest known key as a suggestion.
    func finish() throws(ScenarioError) {
        guard docs == nil else { return }
        for m in members where !known.contains(m.key) {
            var message = "unknown field"
            if let guess = closest(to: m.key, in: known) { message += " (did you mean \"\(guess)\"?)" }
            message += "; known fields here: " + known.sorted().joined(separator: ", ")
            try report(ScenarioError(file: file, path: at(m.key), message: message))
        }
    }

    static func show(_ x: Double) -> String {
        if x == x.rounded(), abs(x) < 1e15 { return String(Int64(x)) }
        return String(x)
    }

    static func show(_ r: ClosedRange<Double>) -> String { "\(show(r.lowerBound))…\(show(r.upperBound))" }
}

/// Collects `FieldDoc`s in documentation mode (a class: every nested reader shares it).
final class DocCollector {
    private(set) var fields: [FieldDoc] = []
    func add(_ f: FieldDoc) { fields.append(f) }
}

/// The candidate nearest `word`: the only one it abbreviates (≥ 3 characters), else the
/// nearest by edit distance if close enough to be a typo.
public func closest(to word: String, in candidates: [String]) -> String? {
    let extensions = candidates.filter { word.count >= 3 && $0.hasPrefix(word) && $0 != word }
    if extensions.count == 1 { return extensions[0] }
    func distance(_ a: String, _ b: String) -> Int {
        let a = Array(a), b = Array(b)
        if a.isEmpty { return b.count }
        var prev = Array(0...b.count)
        for i in 1...a.count {
            var cur = [i] + Array(repeating: 0, count: b.count)
            for j in 1..<(b.count + 1) {
                cur[j] = min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1))
            }
            prev = cur
        }
        return prev[b.count]
    }
    let best = candidates.map { ($0, distance(word, $0)) }.min { $0.1 < $1.1 || ($0.1 == $1.1 && $0.0 < $1.0) }
    guard let best, best.1 <= max(2, word.count / 3) else { return nil }
    return best.0
}
