/// Alertmanager's matcher strings (`matchers:` entries): `severity="page"`,
/// `alertname=~"Bridge.*"`, `team!=ops`; one or more, comma-separated, optionally in braces
/// (`{a="b", c=~"d|e"}`). Values are quoted (with `\"`, `\\`, `\n` escapes) or bare text;
/// regular expressions are anchored at both ends, as Alertmanager anchors them.
enum AlertmanagerMatchers {
    static func parse(_ text: String) throws(PromQLError) -> [LabelMatch] {
        var s = Substring(text.trimmingSpaces)
        if s.first == "{" {
            guard s.last == "}" else { throw PromQLError(message: "expected a closing }") }
            s = s.dropFirst().dropLast()
        }
        var out: [LabelMatch] = []
        for part in try split(s) where !part.trimmingSpaces.isEmpty {
            out.append(try matcher(Substring(part.trimmingSpaces)))
        }
        guard !out.isEmpty else { throw PromQLError(message: "expected a matcher such as severity=\"page\"") }
        return out
    }

    /// Splits on commas outside quotes.
    static func split(_ s: Substring) throws(PromQLError) -> [String] {
        var parts: [String] = [], current = "", quoted = false, escaped = false
        for c in s {
            if quoted {
                current.append(c)
                if escaped { escaped = false } else if c == "\\" { escaped = true } else if c == "\"" { quoted = false }
                continue
            }
            if c == "," { parts.append(current); current = ""; continue }
            if c == "\"" { quoted = true }
            current.append(c)
        }
        guard !quoted else { throw PromQLError(message: "an unterminated quoted value") }
        parts.append(current)
        return parts
    }

    static func matcher(_ s: Substring) throws(PromQLError) -> LabelMatch {
        let name = s.prefix { $0 == "_" || $0.isASCII && ($0.isLetter || $0.isNumber) }
        guard let f = name.first, !f.isNumber else { throw PromQLError(message: "expected a label name") }
        var rest = s.dropFirst(name.count).drop { $0 == " " }
        var op: LabelMatch.Op?
        for candidate in [LabelMatch.Op.matches, .notMatches, .notEqual, .equal] where rest.hasPrefix(candidate.rawValue) {
            op = candidate
            rest = rest.dropFirst(candidate.rawValue.count)
            break
        }
        guard let op else { throw PromQLError(message: "expected =, !=, =~ or !~ after \(name)") }
        rest = rest.drop { $0 == " " }
        var value = ""
        if rest.first == "\"" {
            var escaped = false, closed = false
            var tail = rest.dropFirst()
            while let c = tail.first {
                tail = tail.dropFirst()
                if escaped {
                    value.append(c == "n" ? "\n" : c)
                    escaped = false
                } else if c == "\\" {
                    escaped = true
                } else if c == "\"" {
                    closed = true
                    break
                } else {
                    value.append(c)
                }
            }
            guard closed else { throw PromQLError(message: "an unterminated quoted value") }
            guard tail.allSatisfy({ $0 == " " }) else { throw PromQLError(message: "unexpected text after the quoted value") }
        } else {
            value = String(rest).trimmingSpaces
            guard !value.contains("\"") else { throw PromQLError(message: "a stray quote in the value") }
        }
        return try LabelMatch(name: String(name), op: op, value: value)
    }
}
