/// Tokens of PromQL, read on demand: durations are only legal inside `[…]` and after
/// `offset`, so the parser asks for one there instead of the lexer guessing.
struct PromQLLexer {
    enum Token: Equatable {
        case identifier(String)
        case number(Double)
        case string(String)
        case punct(String)
        case end
    }

    let chars: [Character]
    var k = 0

    init(_ text: String) { chars = Array(text) }

    static let punctuation = ["!=", "=~", "!~", "==", "<=", ">=", "(", ")", "{", "}", "[", "]", ",", "=", "<", ">", "+", "-", "*", "/", "%", "^", ":", "@"]

    mutating func skipSpace() {
        while k < chars.count {
            if chars[k].isWhitespace { k += 1 } else if chars[k] == "#" {
                while k < chars.count && chars[k] != "\n" { k += 1 }
            } else { break }
        }
    }

    /// The text around the current position, for error messages.
    var context: String {
        k >= chars.count ? "the end of the expression" : "\"" + String(chars[k..<min(chars.count, k + 20)]) + "\""
    }

    func peek() throws(PromQLError) -> Token {
        var copy = self
        return try copy.next()
    }

    mutating func next() throws(PromQLError) -> Token {
        skipSpace()
        guard k < chars.count else { return .end }
        let c = chars[k]
        if c.isLetter || c == "_" {
            var s = ""
            while k < chars.count, chars[k].isLetter || chars[k].isNumber || chars[k] == "_" || chars[k] == ":" {
                s.append(chars[k]); k += 1
            }
            let lower = s.lowercased()
            if lower == "inf" { return .number(.infinity) }
            if lower == "nan" { return .number(.nan) }
            return .identifier(s)
        }
        if c.isNumber || (c == "." && k + 1 < chars.count && chars[k + 1].isNumber) { return .number(try number()) }
        if c == "\"" || c == "'" || c == "`" { return .string(try string()) }
        for p in Self.punctuation where matches(p) {
            k += p.count
            return .punct(p)
        }
        throw PromQLError(message: "unexpected character \"\(c)\"")
    }

    func matches(_ p: String) -> Bool {
        var i = k
        for ch in p {
            guard i < chars.count, chars[i] == ch else { return false }
            i += 1
        }
        return true
    }

    mutating func number() throws(PromQLError) -> Double {
        let start = k
        if chars[k] == "0", k + 1 < chars.count, chars[k + 1] == "x" || chars[k + 1] == "X" {
            k += 2
            while k < chars.count, chars[k].isHexDigit { k += 1 }
            guard let v = UInt64(String(chars[(start + 2)..<k]), radix: 16) else { throw PromQLError(message: "bad hexadecimal number") }
            return Double(v)
        }
        while k < chars.count, chars[k].isNumber || chars[k] == "." { k += 1 }
        if k < chars.count, chars[k] == "e" || chars[k] == "E" {
            var j = k + 1
            if j < chars.count, chars[j] == "+" || chars[j] == "-" { j += 1 }
            if j < chars.count, chars[j].isNumber {
                k = j
                while k < chars.count, chars[k].isNumber { k += 1 }
            }
        }
        let text = String(chars[start..<k])
        if k < chars.count, chars[k].isLetter {
            throw PromQLError(message: "unexpected \"\(text)\(chars[k])\": a duration is only allowed in [ ] and after offset")
        }
        guard let v = Double(text) else { throw PromQLError(message: "bad number \"\(text)\"") }
        return v
    }

    mutating func string() throws(PromQLError) -> String {
        let q = chars[k]
        k += 1
        var s = ""
        while k < chars.count {
            let c = chars[k]
            k += 1
            if c == q { return s }
            if c == "\\" && q != "`" {
                guard k < chars.count else { break }
                let e = chars[k]
                k += 1
                switch e {
                case "n": s.append("\n")
                case "t": s.append("\t")
                case "r": s.append("\r")
                case "\\", "\"", "'": s.append(e)
                case "a": s.append("\u{07}")
                case "b": s.append("\u{08}")
                case "f": s.append("\u{0C}")
                case "v": s.append("\u{0B}")
                case "x", "u", "U":
                    guard let (u, n) = hexEscape(chars, at: k, kind: e) else { throw PromQLError(message: "bad \\\(e) escape in a string") }
                    s.unicodeScalars.append(u)
                    k += n
                default:
                    // Go's strconv.Unquote rejects other escapes; regexes write `\\.` for `\.`.
                    throw PromQLError(message: "unknown escape sequence \\\(e) in a string (write \\\\\(e) for a backslash)")
                }
                continue
            }
            s.append(c)
        }
        throw PromQLError(message: "unterminated string")
    }

    /// A Prometheus duration: units ms, s, m, h, d, w, y in decreasing order (`1h30m`).
    mutating func duration() throws(PromQLError) -> Int64 {
        skipSpace()
        let units: [(String, Int64)] = [("y", 365 * 86_400_000), ("w", 7 * 86_400_000), ("d", 86_400_000), ("h", 3_600_000),
                                        ("m", 60_000), ("s", 1_000), ("ms", 1)]
        var total: Int64 = 0, lastUnit = -1, any = false
        let start = k
        while k < chars.count, chars[k].isNumber {
            var digits = ""
            while k < chars.count, chars[k].isNumber { digits.append(chars[k]); k += 1 }
            var unit = ""
            while k < chars.count, chars[k].isLetter { unit.append(chars[k]); k += 1 }
            guard let u = units.firstIndex(where: { $0.0 == unit }), u > lastUnit, let n = Int64(digits) else {
                throw PromQLError(message: "bad duration \"\(String(chars[start..<k]))\" (units y, w, d, h, m, s, ms, largest first)")
            }
            let (product, overflow) = n.multipliedReportingOverflow(by: units[u].1)
            guard !overflow, total <= Int64.max - product else { throw PromQLError(message: "duration out of range") }
            total += product
            lastUnit = u
            any = true
        }
        guard any else { throw PromQLError(message: "expected a duration (e.g. 5m) at \(context)") }
        return total
    }
}

/// The scalar of a `\xHH`, `\uHHHH` or `\UHHHHHHHH` escape whose digits start at `k`, and
/// how many digits it took; nil when they are missing or name no scalar. (PromQL strings and
/// YAML double-quoted scalars spell them alike.)
func hexEscape(_ chars: [Character], at k: Int, kind e: Character) -> (Unicode.Scalar, Int)? {
    let n = e == "x" ? 2 : e == "u" ? 4 : 8
    guard k + n <= chars.count, let v = UInt32(String(chars[k..<(k + n)]), radix: 16), let u = Unicode.Scalar(v) else { return nil }
    return (u, n)
}
