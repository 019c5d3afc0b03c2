/// A parsed JSON value that keeps what scenario validation needs and Foundation's
/// `JSONSerialization` loses: member order, the integer-ness of numbers, and `true` vs `1`.
public indirect enum JSON: Sendable, Equatable {
    case object([Member])
    case array([JSON])
    case string(String)
    case number(JSONNumber)
    case bool(Bool)
    case null

    public struct Member: Sendable, Equatable {
        public let key: String
        public let value: JSON
    }

    /// How the value reads in an error message: its type and a short rendering.
    public var described: String {
        switch self {
        case .object: "an object"
        case .array(let a): "an array of \(a.count)"
        case .string(let s): "the string \"\(Self.printable(s.count > 40 ? String(s.prefix(40)) + "…" : s))\""
        case .number(let n): n.literal.count > 40 ? String(n.literal.prefix(40)) + "…" : n.literal
        case .bool(let b): "\(b)"
        case .null: "null"
        }
    }

    /// `s` with control characters escaped as JSON writes them (`\u0000`), so a message
    /// never carries raw control bytes to a terminal.
    static func printable(_ s: String) -> String {
        var out = ""
        for u in s.unicodeScalars {
            if u.value < 0x20 || u.value == 0x7F {
                let hex = String(u.value, radix: 16, uppercase: false)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            } else {
                out.unicodeScalars.append(u)
            }
        }
        return out
    }

    public subscript(key: String) -> JSON? {
        if case .object(let members) = self { return members.last { $0.key == key }?.value }
        return nil
    }
}

/// A JSON number as written. The value is the nearest double; integer literals (no
/// fraction, no exponent) are also available exactly, up to 2^64 − 1 — a seed such as
/// 18446744073709551615 must not become 1.8446744073709552e19 on the way.
public struct JSONNumber: Sendable, Equatable {
    public let value: Double
    /// The literal exactly as it appeared in the document.
    public let literal: String
    /// True when the literal has no fraction or exponent.
    public let isInteger: Bool

    public init(value: Double, literal: String, isInteger: Bool) {
        self.value = value
        self.literal = literal
        self.isInteger = isInteger
    }

    /// The exact integer, if the literal is an integer that fits.
    public var int: Int? { isInteger ? Int(literal) : nil }
    public var uint64: UInt64? { isInteger ? UInt64(literal) : nil }
}

/// A JSON syntax error at a line and column (1-based).
public struct JSONSyntaxError: Error, Equatable, Sendable {
    public let line: Int
    public let column: Int
    public let message: String
    /// The field being read when it failed (`demand.orders_per_second`, `providers[3]`),
    /// empty at the top level: a value the parser rejects (`1e400`) is named as the schema
    /// would name it.
    public var path: String = ""
}

/// A strict RFC 8259 parser with positions in its errors. Duplicate keys are an error:
/// in a scenario, a key given twice is almost certainly a mistake.
public struct JSONParser {
    let bytes: [UInt8]
    var i = 0
    var depth = 0
    /// The key or index of each enclosing value, for the error's field path.
    var path: [String] = []

    public static func parse(_ text: String) throws(JSONSyntaxError) -> JSON {
        var p = JSONParser(bytes: Array(text.utf8))
        p.skipSpace()
        let value = try p.value()
        p.skipSpace()
        if p.i < p.bytes.count { throw p.error("unexpected \(p.peekDescription) after the document") }
        return value
    }

    func error(_ message: String) -> JSONSyntaxError {
        var line = 1, column = 1
        for b in bytes[..<min(i, bytes.count)] {
            if b == 10 { line += 1; column = 1 } else if b & 0xC0 != 0x80 { column += 1 }
        }
        return JSONSyntaxError(line: line, column: column, message: message, path: path.joined())
    }

    var peekDescription: String {
        guard i < bytes.count else { return "end of file" }
        let b = bytes[i]
        return b >= 0x20 && b < 0x7F ? "'\(Character(UnicodeScalar(b)))'" : "byte 0x" + String(b, radix: 16, uppercase: true)
    }

    mutating func skipSpace() {
        while i < bytes.count, [0x20, 0x09, 0x0A, 0x0D].contains(bytes[i]) { i += 1 }
    }

    mutating func expect(_ c: UInt8, _ what: String) throws(JSONSyntaxError) {
        skipSpace()
        guard i < bytes.count, bytes[i] == c else { throw error("expected \(what) but found \(peekDescription)") }
        i += 1
    }

    mutating func value() throws(JSONSyntaxError) -> JSON {
        skipSpace()
        guard i < bytes.count else { throw error("expected a value but found end of file") }
        switch bytes[i] {
        case UInt8(ascii: "{"): return try object()
        case UInt8(ascii: "["): return try array()
        case UInt8(ascii: "\""): return .string(try string())
        case UInt8(ascii: "t"): try literal("true"); return .bool(true)
        case UInt8(ascii: "f"): try literal("false"); return .bool(false)
        case UInt8(ascii: "n"): try literal("null"); return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return try number()
        default: throw error("expected a value but found \(peekDescription)")
        }
    }

    mutating func literal(_ word: String) throws(JSONSyntaxError) {
        let w = Array(word.utf8)
        guard i + w.count <= bytes.count, Array(bytes[i..<i + w.count]) == w else {
            throw error("expected a value but found \(peekDescription)")
        }
        i += w.count
    }

    mutating func object() throws(JSONSyntaxError) -> JSON {
        i += 1
        depth += 1
        if depth > 64 { throw error("nesting deeper than 64 levels") }
        defer { depth -= 1 }
        var members: [JSON.Member] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "}") { i += 1; return .object([]) }
        while true {
            skipSpace()
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else {
                throw error("expected a quoted key but found \(peekDescription)")
            }
            let keyStart = self
            let key = try string()
            if members.contains(where: { $0.key == key }) { throw keyStart.error("duplicate key \"\(key)\"") }
            try expect(UInt8(ascii: ":"), "':'")
            path.append(path.isEmpty ? key : "." + key)
            members.append(JSON.Member(key: key, value: try value()))
            path.removeLast()
            skipSpace()
            guard i < bytes.count else { throw error("expected ',' or '}' but found end of file") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "}") { i += 1; return .object(members) }
            throw error("expected ',' or '}' but found \(peekDescription)")
        }
    }

    mutating func array() throws(JSONSyntaxError) -> JSON {
        i += 1
        depth += 1
        if depth > 64 { throw error("nesting deeper than 64 levels") }
        defer { depth -= 1 }
        var items: [JSON] = []
        skipSpace()
        if i < bytes.count, bytes[i] == UInt8(ascii: "]") { i += 1; return .array([]) }
        while true {
            path.append("[\(items.count)]")
            items.append(try value())
            path.removeLast()
            skipSpace()
            guard i < bytes.count else { throw error("expected ',' or ']' but found end of file") }
            if bytes[i] == UInt8(ascii: ",") { i += 1; continue }
            if bytes[i] == UInt8(ascii: "]") { i += 1; return .array(items) }
            throw error("expected ',' or ']' but found \(peekDescription)")
        }
    }

    mutating func string() throws(JSONSyntaxError) -> String {
        i += 1
        var out: [UInt8] = []
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            switch b {
            case UInt8(ascii: "\""): return String(decoding: out, as: UTF8.self)
            case UInt8(ascii: "\\"):
                guard i < bytes.count else { break }
                let e = bytes[i]
                i += 1
                switch e {
                case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): out.append(e)
                case UInt8(ascii: "n"): out.append(10)
                case UInt8(ascii: "t"): out.append(9)
                case UInt8(ascii: "r"): out.append(13)
                case UInt8(ascii: "b"): out.append(8)
                case UInt8(ascii: "f"): out.append(12)
                case UInt8(ascii: "u"):
                    guard i + 4 <= bytes.count, let v = UInt32(String(decoding: bytes[i..<i + 4], as: UTF8.self), radix: 16),
                          let scalar = UnicodeScalar(v) else { throw error("invalid \\u escape") }
                    i += 4
                    out.append(contentsOf: Array(String(Character(scalar)).utf8))
                default: throw error("invalid escape '\\\(Character(UnicodeScalar(e)))'")
                }
            case 0..<0x20: i -= 1; throw error("control character in a string")
            default: out.append(b)
            }
        }
        throw error("unterminated string")
    }

    mutating func number() throws(JSONSyntaxError) -> JSON {
        let start = i
        var isInteger = true
        if bytes[i] == UInt8(ascii: "-") { i += 1 }
        func digits(_ p: inout JSONParser) -> Int {
            let s = p.i
            while p.i < p.bytes.count, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(p.bytes[p.i]) { p.i += 1 }
            return p.i - s
        }
        // RFC 8259: the integer part is a lone 0 or starts with 1–9 (no leading zeros).
        if i < bytes.count, bytes[i] == UInt8(ascii: "0") {
            i += 1
        } else if digits(&self) == 0 {
            throw error("expected digits in a number")
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: ".") {
            i += 1
            isInteger = false
            if digits(&self) == 0 { throw error("expected digits after '.'") }
        }
        if i < bytes.count, bytes[i] == UInt8(ascii: "e") || bytes[i] == UInt8(ascii: "E") {
            i += 1
            isInteger = false
            if i < bytes.count, bytes[i] == UInt8(ascii: "+") || bytes[i] == UInt8(ascii: "-") { i += 1 }
            if digits(&self) == 0 { throw error("expected digits in the exponent") }
        }
        let text = String(decoding: bytes[start..<i], as: UTF8.self)
        guard let x = Double(text), x.isFinite else {
            // Point at the number's first character, not past it: that is where the eye goes.
            i = start
            throw error("number \(text) is beyond the range of a double (about ±1.8e308)")
        }
        return .number(JSONNumber(value: x, literal: text, isInteger: isInteger))
    }
}
