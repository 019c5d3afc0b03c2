/// A YAML node as monitoring configuration uses YAML: block mappings and sequences, plain
/// and quoted scalars, literal (`|`) and folded (`>`) block scalars, one-line flow
/// collections (`[a, b]`, `{a: b}`) and `---` documents. Scalars stay text: the reader of
/// each field converts it and can then say which field was wrong. Anchors, aliases, tags and
/// merge keys are refused by line rather than half-understood.
public struct YAMLNode: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// `quoted` tells `"10"` from `10` and an empty string from a missing value.
        case scalar(String, quoted: Bool)
        case sequence([YAMLNode])
        /// Keys in file order (a duplicate key is refused when read).
        case mapping([YAMLEntry])
    }
    public let kind: Kind
    /// 1-based line where the node starts, for error messages.
    public let line: Int

    public init(_ kind: Kind, line: Int) {
        self.kind = kind
        self.line = line
    }

    /// A plain empty, `~` or `null` scalar.
    public var isNull: Bool {
        if case .scalar(let s, false) = kind { return s.isEmpty || s == "~" || s == "null" || s == "Null" || s == "NULL" }
        return false
    }

    public var string: String? {
        if case .scalar(let s, _) = kind, !isNull { return s }
        return nil
    }

    public var entries: [YAMLEntry]? {
        if case .mapping(let e) = kind { return e }
        return nil
    }

    public var items: [YAMLNode]? {
        if case .sequence(let i) = kind { return i }
        return nil
    }

    public subscript(_ key: String) -> YAMLNode? { entries?.first { $0.key == key }?.value }

    /// What the node is, for "expected …, found …" messages.
    public var describe: String {
        switch kind {
        case .scalar(let s, _): isNull ? "nothing" : "\"\(s.count > 60 ? String(s.prefix(60)) + "…" : s)\""
        case .sequence: "a list"
        case .mapping: "a mapping"
        }
    }
}

public struct YAMLEntry: Sendable, Equatable {
    public let key: String
    public let value: YAMLNode
    public let line: Int

    public init(key: String, value: YAMLNode, line: Int) {
        self.key = key
        self.value = value
        self.line = line
    }
}

public struct YAMLError: Error, Sendable, Equatable, CustomStringConvertible {
    public let line: Int
    public let message: String
    public var description: String { "line \(line): \(message)" }
}

public enum YAML {
    /// Every document of a stream (`---` separates them); empty documents are skipped.
    public static func documents(_ text: String) throws(YAMLError) -> [YAMLNode] {
        var docs: [YAMLNode] = []
        var current: [Line] = []
        var number = 0
        func flush() throws(YAMLError) {
            var p = BlockParser(lines: current)
            if let node = try p.document() { docs.append(node) }
            current = []
        }
        for raw in text.split(separator: "\n", omittingEmptySubsequences: false) {
            number += 1
            var s = String(raw)
            if s.hasSuffix("\r") { s.removeLast() }
            if s == "---" || s.hasPrefix("--- ") || s == "..." {
                try flush()
                let rest = s.hasPrefix("--- ") ? String(s.dropFirst(4)) : ""
                if !rest.trimmingSpaces.isEmpty && !rest.trimmingSpaces.hasPrefix("#") {
                    throw YAMLError(line: number, message: "content on a `---` line is not supported; start it on the next line")
                }
                continue
            }
            if s.hasPrefix("%") && current.isEmpty { continue }  // directives (%YAML 1.2)
            current.append(Line(number: number, text: s))
        }
        try flush()
        return docs
    }

    /// The single document of a file (an empty file is an empty mapping).
    public static func parse(_ text: String) throws(YAMLError) -> YAMLNode {
        let docs = try documents(text)
        guard docs.count <= 1 else { throw YAMLError(line: docs[1].line, message: "expected one YAML document, found \(docs.count)") }
        return docs.first ?? YAMLNode(.mapping([]), line: 1)
    }

    struct Line {
        let number: Int
        var text: String
    }
}

extension String {
    var trimmingSpaces: String {
        var s = Substring(self)
        while let f = s.first, f == " " || f == "\t" { s.removeFirst() }
        while let l = s.last, l == " " || l == "\t" { s.removeLast() }
        return String(s)
    }
}
