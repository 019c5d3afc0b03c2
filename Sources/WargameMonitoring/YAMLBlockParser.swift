/// The block structure of one YAML document, by indentation, line by line. A compact
/// sequence entry (`- key: value`) is read by overwriting its `- ` with spaces and reading
/// the line again as a mapping at the column where its content starts.
struct BlockParser {
    /// Block collections open around the current node; deeper nesting is refused (no
    /// configuration needs it, and recursing without bound would overflow the stack).
    var depth = 0
    static let maximumDepth = 256

    mutating func enter(_ line: Int) throws(YAMLError) {
        guard depth < Self.maximumDepth else { throw YAMLError(line: line, message: "collections nested more than \(Self.maximumDepth) deep") }
        depth += 1
    }
    var lines: [YAML.Line]
    var i = 0

    init(lines: [YAML.Line]) { self.lines = lines }

    mutating func document() throws(YAMLError) -> YAMLNode? {
        guard let node = try node(minIndent: 0) else { return nil }
        skipBlank()
        if i < lines.count { throw YAMLError(line: lines[i].number, message: "unexpected indentation or content after the document's top level") }
        return node
    }

    // MARK: lines

    static func isBlank(_ s: String) -> Bool {
        let t = s.trimmingSpaces
        return t.isEmpty || t.hasPrefix("#")
    }

    mutating func skipBlank() { while i < lines.count && Self.isBlank(lines[i].text) { i += 1 } }

    func indent(_ k: Int) throws(YAMLError) -> Int {
        var n = 0
        for c in lines[k].text.utf8 {
            if c == 32 { n += 1 } else if c == 9 {
                throw YAMLError(line: lines[k].number, message: "a tab in indentation; YAML indents with spaces")
            } else { break }
        }
        return n
    }

    func content(_ k: Int) -> String { String(lines[k].text.drop { $0 == " " }) }

    static func isSequenceItem(_ c: String) -> Bool { c == "-" || c.hasPrefix("- ") }

    // MARK: nodes

    mutating func node(minIndent: Int) throws(YAMLError) -> YAMLNode? {
        skipBlank()
        guard i < lines.count else { return nil }
        let ind = try indent(i)
        guard ind >= minIndent else { return nil }
        let c = content(i)
        if Self.isSequenceItem(c) { return try sequence(at: ind) }
        if try Self.keySplit(c, line: lines[i].number) != nil { return try mapping(at: ind) }
        let line = lines[i].number
        i += 1
        return try value(c, line: line, parentIndent: ind - 1)
    }

    mutating func sequence(at ind: Int) throws(YAMLError) -> YAMLNode {
        let start = lines[i].number
        try enter(start)
        defer { depth -= 1 }
        var items: [YAMLNode] = []
        while true {
            skipBlank()
            guard i < lines.count, try indent(i) == ind else { break }
            let c = content(i)
            guard Self.isSequenceItem(c) else { break }
            let afterDash = c.dropFirst()
            let rest = afterDash.drop { $0 == " " }
            let line = lines[i].number
            if rest.isEmpty || rest.hasPrefix("#") {
                i += 1
                items.append(try node(minIndent: ind + 1) ?? YAMLNode(.scalar("", quoted: false), line: line))
            } else {
                let column = ind + 1 + (afterDash.count - rest.count)
                lines[i].text = String(repeating: " ", count: column) + rest
                items.append(try node(minIndent: column)!)
            }
        }
        return YAMLNode(.sequence(items), line: start)
    }

    mutating func mapping(at ind: Int) throws(YAMLError) -> YAMLNode {
        let start = lines[i].number
        try enter(start)
        defer { depth -= 1 }
        var entries: [YAMLEntry] = []
        while true {
            skipBlank()
            guard i < lines.count, try indent(i) == ind else { break }
            let c = content(i), line = lines[i].number
            guard let (key, rest) = try Self.keySplit(c, line: line) else {
                if Self.isSequenceItem(c) { throw YAMLError(line: line, message: "a list item where a `key: value` was expected (indent the list under its key)") }
                throw YAMLError(line: line, message: "expected `key: value`, found \"\(c.prefix(60))\"")
            }
            if key == "<<" { throw YAMLError(line: line, message: "merge keys (<<) are not supported; write the fields out") }
            if entries.contains(where: { $0.key == key }) { throw YAMLError(line: line, message: "duplicate key \"\(key)\"") }
            i += 1
            entries.append(YAMLEntry(key: key, value: try value(rest, line: line, parentIndent: ind), line: line))
        }
        return YAMLNode(.mapping(entries), line: start)
    }

    /// The value after `key:` (or a scalar standing alone) whose parent sits at `parentIndent`.
    mutating func value(_ rest: String, line: Int, parentIndent: Int) throws(YAMLError) -> YAMLNode {
        let r = rest.trimmingSpaces
        if r.isEmpty || r.hasPrefix("#") {
            skipBlank()
            if i < lines.count {
                let ind = try indent(i)
                if ind > parentIndent { return try node(minIndent: parentIndent + 1)! }
                if ind == parentIndent && Self.isSequenceItem(content(i)) { return try sequence(at: ind) }
            }
            return YAMLNode(.scalar("", quoted: false), line: line)
        }
        if let f = r.first, "&*!".contains(f) {
            throw YAMLError(line: line, message: "anchors, aliases and tags (\(f)) are not supported; write the value out")
        }
        if r.hasPrefix("|") || r.hasPrefix(">") { return try blockScalar(header: r, line: line, parentIndent: parentIndent) }
        if r.hasPrefix("[") || r.hasPrefix("{") {
            var text = r
            while !FlowParser.balanced(text) && i < lines.count {
                text += " " + lines[i].text.trimmingSpaces
                i += 1
            }
            var flow = FlowParser(text: text, line: line)
            return try flow.document()
        }
        if r.hasPrefix("\"") || r.hasPrefix("'") {
            var text = r
            while !FlowParser.closedQuote(text) && i < lines.count {
                let next = lines[i].text.trimmingSpaces
                text += next.isEmpty ? "\n" : (text.hasSuffix("\n") ? "" : " ") + next
                i += 1
            }
            var p = FlowParser(text: text, line: line)
            let s = try p.quoted()
            try p.expectEnd()
            return YAMLNode(.scalar(s, quoted: true), line: line)
        }
        // A plain scalar, continued by more-indented lines joined with a space.
        var s = Self.stripComment(r)
        while i < lines.count, !Self.isBlank(lines[i].text), try indent(i) > parentIndent {
            s += " " + Self.stripComment(lines[i].text.trimmingSpaces)
            i += 1
        }
        return YAMLNode(.scalar(s, quoted: false), line: line)
    }

    static func stripComment(_ s: String) -> String {
        if s.hasPrefix("#") { return "" }
        if let r = s.range(of: " #") { return String(s[..<r.lowerBound]).trimmingSpaces }
        return s
    }

    /// `|`, `|-`, `|+`, `>`, `>-`, `>+`, optionally with an indentation digit.
    mutating func blockScalar(header: String, line: Int, parentIndent: Int) throws(YAMLError) -> YAMLNode {
        let literal = header.first == "|"
        var chomp: Character = " ", explicit: Int?
        for c in Self.stripComment(String(header.dropFirst())) {
            if c == "-" || c == "+" { chomp = c } else if let d = c.wholeNumberValue, d > 0 { explicit = d } else if c != " " {
                throw YAMLError(line: line, message: "unexpected \"\(c)\" after a block scalar indicator")
            }
        }
        var raw: [String] = []
        var contentIndent = explicit.map { parentIndent + $0 }
        while i < lines.count {
            let text = lines[i].text
            if text.trimmingSpaces.isEmpty { raw.append(""); i += 1; continue }
            let ind = try indent(i)
            if contentIndent == nil { contentIndent = ind }
            guard ind >= contentIndent!, ind > parentIndent else { break }
            raw.append(String(text.dropFirst(contentIndent!)))
            i += 1
        }
        var trailing = 0
        while let last = raw.last, last.isEmpty { raw.removeLast(); trailing += 1 }
        var out = ""
        if literal {
            out = raw.joined(separator: "\n")
        } else {
            var breaks = 0, previousMore = false, first = true
            for l in raw {
                if l.isEmpty { breaks += 1; continue }
                let more = l.hasPrefix(" ") || l.hasPrefix("\t")
                if first {
                    out += String(repeating: "\n", count: breaks)
                } else if breaks == 0 {
                    out += more || previousMore ? "\n" : " "
                } else {
                    out += String(repeating: "\n", count: breaks + (more || previousMore ? 1 : 0))
                }
                out += l
                breaks = 0; previousMore = more; first = false
            }
        }
        if !raw.isEmpty {
            switch chomp {
            case "-": break
            case "+": out += String(repeating: "\n", count: trailing + 1)
            default: out += "\n"
            }
        } else if chomp == "+" {
            out = String(repeating: "\n", count: trailing)
        }
        return YAMLNode(.scalar(out, quoted: true), line: line)
    }

    /// `key: rest` → (key, rest), or nil when the line is not a mapping entry.
    static func keySplit(_ c: String, line: Int) throws(YAMLError) -> (String, String)? {
        if c.hasPrefix("\"") || c.hasPrefix("'") {
            var p = FlowParser(text: c, line: line)
            guard let key = try? p.quoted() else { return nil }
            let after = p.remaining
            guard after.hasPrefix(":") else { return nil }
            let rest = after.dropFirst()
            guard rest.isEmpty || rest.hasPrefix(" ") else { return nil }
            return (key, String(rest))
        }
        if let f = c.first, "-[{#|>&*!%@`".contains(f), !(f == "-" && !isSequenceItem(c)) { return nil }
        let chars = Array(c)
        for k in chars.indices where chars[k] == ":" {
            if k + 1 == chars.count || chars[k + 1] == " " {
                let key = String(chars[..<k]).trimmingSpaces
                if key.contains(" #") { return nil }
                return (key, String(chars[(k + 1)...]))
            }
        }
        return nil
    }
}
