import WargameReports
/// A what-if override, `--set PATH=VALUE`: one field of a scenario changed from the command
/// line, without a JSON copy per variant.
///
/// An override becomes one more scenario layer, applied after `extends` is resolved and
/// read by the same schema as the files, so a bad path or value is refused exactly as it
/// would be in a file (with "did you mean"). Paths name list elements by index or by id —
/// `providers[akash].capacity`, `bridges[axelar].relayers`, `incidents[0].duration_s` — and
/// VALUE is JSON, a bare word being a string (`router.strategy=p2c`).
public struct Override: Sendable, Equatable {
    /// One step of a path: an object key, a list index, or a list element's id.
    public enum Step: Sendable, Equatable {
        case key(String)
        case index(Int)
        case id(String)
    }

    public let path: String
    public let steps: [Step]
    public let value: JSON

    /// How the override reads in messages, summaries and reproducing command lines, with the
    /// value in compact JSON (`providers[akash].capacity=40`, `router.strategy="p2c"`).
    public var text: String { path + "=" + value.compact }

    /// Parses `PATH=VALUE`; the error says what was expected.
    public init(parsing text: String) throws(OverrideError) {
        guard let eq = text.firstIndex(of: "=") else {
            throw OverrideError(text: text, message: "expected PATH=VALUE (for example demand.orders_per_second=8), found no '='")
        }
        let path = String(text[..<eq]), raw = String(text[text.index(after: eq)...])
        guard let steps = Self.steps(path) else {
            throw OverrideError(text: text, message: "expected a path such as demand.orders_per_second or providers[akash].capacity, found \"\(path)\"")
        }
        self.path = path
        self.steps = steps
        self.value = try Self.value(raw, text: text)
    }

    public init(path: String, value: JSON) throws(OverrideError) {
        guard let steps = Self.steps(path) else {
            throw OverrideError(text: path, message: "expected a path such as demand.orders_per_second or providers[akash].capacity, found \"\(path)\"")
        }
        self.path = path
        self.steps = steps
        self.value = value
    }

    /// `a.b[3].c[id]` → key a, key b, index 3, key c, id "id"; nil when malformed.
    static func steps(_ path: String) -> [Step]? {
        var out: [Step] = []
        for part in path.split(separator: ".", omittingEmptySubsequences: false) {
            var rest = Substring(part)
            let open = rest.firstIndex(of: "[") ?? rest.endIndex
            let key = rest[..<open]
            guard !key.isEmpty, key.allSatisfy({ $0.isLetter || $0.isNumber || $0 == "_" }) else { return nil }
            out.append(.key(String(key)))
            rest = rest[open...]
            while !rest.isEmpty {
                guard rest.first == "[", let close = rest.firstIndex(of: "]") else { return nil }
                let inner = rest[rest.index(after: rest.startIndex)..<close]
                guard !inner.isEmpty else { return nil }
                if let i = Int(inner), i >= 0 { out.append(.index(i)) } else { out.append(.id(String(inner))) }
                rest = rest[rest.index(after: close)...]
            }
        }
        return out
    }

    /// JSON, or a bare word taken as a string (`p2c`); anything else that fails to parse is
    /// refused rather than guessed at (`[1,2` is a typo, not a string).
    static func value(_ raw: String, text: String) throws(OverrideError) -> JSON {
        if raw.isEmpty { throw OverrideError(text: text, message: "expected a JSON value after '=', found nothing") }
        do {
            return try JSONParser.parse(raw)
        } catch {
            let bare = raw.unicodeScalars.allSatisfy { CharacterSetLite.word($0) }
            guard bare, let first = raw.unicodeScalars.first, !("0"..."9").contains(first), first != "-" else {
                throw OverrideError(text: text, message: "expected a JSON value (3, \"p2c\", [1,2]) or a bare word, found \(raw) (\(error.message))")
            }
            return .string(raw)
        }
    }
}

extension Override {
    /// Whether two paths touch the same field: equal, or one inside the other
    /// (`providers[akash]` and `providers[akash].capacity`), so that applying both would
    /// let one silently undo the other. Elements are compared as written (an index and an
    /// id naming the same element are not recognised as one).
    public static func overlap(_ a: [Step], _ b: [Step]) -> Bool {
        let n = min(a.count, b.count)
        return Array(a.prefix(n)) == Array(b.prefix(n))
    }
}

extension JSON {
    /// The same value as `other`: numbers by value (`1` and `1.0` are one level of a
    /// factor), strings exactly, arrays and objects member by member.
    public func sameValue(as other: JSON) -> Bool {
        switch (self, other) {
        case (.number(let a), .number(let b)): a.value == b.value
        case (.array(let a), .array(let b)): a.count == b.count && zip(a, b).allSatisfy { $0.sameValue(as: $1) }
        case (.object(let a), .object(let b)):
            a.count == b.count && a.allSatisfy { m in b.contains { $0.key == m.key && $0.value.sameValue(as: m.value) } }
        default: self == other
        }
    }
}

/// A malformed `--set`: which one, and what was expected.
public struct OverrideError: Error, Equatable, Sendable, CustomStringConvertible {
    public let text: String
    public let message: String
    public var description: String { "--set \(text): \(message)" }
}

/// Characters of a bare-word value: letters, digits and `_ - . : /`.
enum CharacterSetLite {
    static func word(_ u: Unicode.Scalar) -> Bool {
        u.properties.isAlphabetic || ("0"..."9").contains(u) || "_-.:/".unicodeScalars.contains(u)
    }
}

extension JSON {
    /// Compact, canonical JSON text (members in written order, numbers as written).
    public var compact: String {
        switch self {
        case .object(let m): "{" + m.map { JSONValue.quote($0.key) + ":" + $0.value.compact }.joined(separator: ",") + "}"
        case .array(let a): "[" + a.map(\.compact).joined(separator: ",") + "]"
        case .string(let s): JSONValue.quote(s)
        case .number(let n): n.literal
        case .bool(let b): b ? "true" : "false"
        case .null: "null"
        }
    }
}

extension ScenarioLoader {
    /// The schema's type of the field at `path` (`integer`, `number`, …), list selectors
    /// ignored (`providers[akash].capacity` → `providers[].capacity`); nil when the schema
    /// documents no such field (fields inside `incidents` and `playbook` elements).
    public static func fieldType(of path: String) -> String? {
        var normal = "", inSelector = false
        for c in path {
            if c == "[" { inSelector = true; normal += "[]" } else if c == "]" { inSelector = false } else if !inSelector { normal.append(c) }
        }
        return documentation().first { $0.path == normal }?.type
    }
}
