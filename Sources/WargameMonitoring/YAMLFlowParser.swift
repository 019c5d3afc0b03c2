/// Flow collections (`[a, "b"]`, `{a: b, c: [d]}`) and quoted scalars, character by character.
struct FlowParser {
    let chars: [Character]
    let line: Int
    var k = 0
    /// Collections open around the current value. Deeper nesting is refused: no
    /// configuration needs it, and recursing without bound would overflow the stack.
    var depth = 0
    static let maximumDepth = 64

    init(text: String, line: Int) {
        chars = Array(text)
        self.line = line
    }

    var remaining: String { String(chars[k...]) }

    func error(_ m: String) -> YAMLError { YAMLError(line: line, message: m) }

    /// A whole flow value, then only a comment.
    mutating func document() throws(YAMLError) -> YAMLNode {
        let v = try value()
        try expectEnd()
        return v
    }

    mutating func expectEnd() throws(YAMLError) {
        skipSpaces()
        if k < chars.count && chars[k] != "#" { throw error("unexpected \"\(remaining.prefix(30))\" after a value") }
    }

    mutating func skipSpaces() { while k < chars.count && (chars[k] == " " || chars[k] == "\t") { k += 1 } }

    mutating func value() throws(YAMLError) -> YAMLNode {
        skipSpaces()
        guard k < chars.count else { throw error("a value was expected, found the end of the line") }
        if chars[k] == "[" || chars[k] == "{" {
            guard depth < Self.maximumDepth else { throw error("flow collections nested more than \(Self.maximumDepth) deep") }
            depth += 1
        }
        switch chars[k] {
        case "[":
            defer { depth -= 1 }
            k += 1
            var items: [YAMLNode] = []
            while true {
                skipSpaces()
                guard k < chars.count else { throw error("unclosed [") }
                if chars[k] == "]" { k += 1; break }
                items.append(try value())
                skipSpaces()
                if k < chars.count && chars[k] == "," { k += 1; continue }
                if k < chars.count && chars[k] == "]" { k += 1; break }
                if k >= chars.count { throw error("unclosed [") }
                throw error("expected , or ] in a flow list, found \"\(remaining.prefix(20))\"")
            }
            return YAMLNode(.sequence(items), line: line)
        case "{":
            defer { depth -= 1 }
            k += 1
            var entries: [YAMLEntry] = []
            while true {
                skipSpaces()
                guard k < chars.count else { throw error("unclosed {") }
                if chars[k] == "}" { k += 1; break }
                let key = chars[k] == "\"" || chars[k] == "'" ? try quoted() : plain(stopAtColon: true)
                skipSpaces()
                guard k < chars.count, chars[k] == ":" else { throw error("expected : after \"\(key)\" in a flow mapping") }
                k += 1
                if entries.contains(where: { $0.key == key }) { throw error("duplicate key \"\(key)\"") }
                entries.append(YAMLEntry(key: key, value: try value(), line: line))
                skipSpaces()
                if k < chars.count && chars[k] == "," { k += 1; continue }
                if k < chars.count && chars[k] == "}" { k += 1; break }
                if k >= chars.count { throw error("unclosed {") }
                throw error("expected , or } in a flow mapping, found \"\(remaining.prefix(20))\"")
            }
            return YAMLNode(.mapping(entries), line: line)
        case "\"", "'":
            return YAMLNode(.scalar(try quoted(), quoted: true), line: line)
        case "&", "*", "!":
            throw error("anchors, aliases and tags (\(chars[k])) are not supported; write the value out")
        default:
            return YAMLNode(.scalar(plain(stopAtColon: false), quoted: false), line: line)
        }
    }

    mutating func plain(stopAtColon: Bool) -> String {
        var s = ""
        while k < chars.count {
            let c = chars[k]
            if c == "," || c == "]" || c == "}" { break }
            if stopAtColon && c == ":" && (k + 1 == chars.count || chars[k + 1] == " ") { break }
            if c == "#" && (s.isEmpty || s.hasSuffix(" ")) { break }
            s.append(c)
            k += 1
        }
        return s.trimmingSpaces
    }

    /// A double-quoted (with escapes) or single-quoted (`''` for a quote) scalar.
    mutating func quoted() throws(YAMLError) -> String {
        let q = chars[k]
        k += 1
        var s = ""
        while k < chars.count {
            let c = chars[k]
            k += 1
            if q == "'" {
                if c == "'" {
                    if k < chars.count && chars[k] == "'" { s.append("'"); k += 1; continue }
                    return s
                }
                s.append(c)
                continue
            }
            if c == "\"" { return s }
            guard c == "\\" else { s.append(c); continue }
            guard k < chars.count else { break }
            let e = chars[k]
            k += 1
            switch e {
            case "n": s.append("\n")
            case "t": s.append("\t")
            case "r": s.append("\r")
            case "0": s.append("\0")
            case "\\", "\"", "/", " ": s.append(e)
            case "x", "u", "U":
                guard let (u, n) = hexEscape(chars, at: k, kind: e) else { throw error("bad \\\(e) escape in a double-quoted string") }
                s.unicodeScalars.append(u)
                k += n
            default: throw error("unknown escape \\\(e) in a double-quoted string")
            }
        }
        throw error("unterminated \(q == "'" ? "single" : "double")-quoted string")
    }

    /// Whether brackets outside quotes are balanced (a flow value may span lines).
    static func balanced(_ s: String) -> Bool {
        var depth = 0, quote: Character? = nil, escaped = false
        for c in s {
            if let q = quote {
                if escaped { escaped = false } else if q == "\"" && c == "\\" { escaped = true } else if c == q { quote = nil }
                continue
            }
            if c == "\"" || c == "'" { quote = c } else if c == "[" || c == "{" { depth += 1 } else if c == "]" || c == "}" { depth -= 1 }
            else if c == "#" && depth <= 0 { break }
        }
        return depth <= 0 && quote == nil
    }

    /// Whether the quoted scalar that starts `s` closes on it.
    static func closedQuote(_ s: String) -> Bool {
        var p = FlowParser(text: s, line: 0)
        return (try? p.quoted()) != nil
    }
}
