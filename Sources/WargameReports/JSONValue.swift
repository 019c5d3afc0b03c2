/// A JSON document with ordered keys and fixed number formatting, rendered by hand so the
/// bytes of every summary are stable (Foundation's encoders reorder keys and print
/// doubles in shortest round-trip form).
public indirect enum JSONValue: Sendable, Equatable {
    case object([(String, JSONValue)])
    case array([JSONValue])
    case string(String)
    case int(Int64)
    /// Seeds: any value in 0…2^64 − 1, written exactly (readers that keep integers exact,
    /// such as Python's `json` or `jq` 1.7, get the seed back; see docs/outputs.md).
    case uint(UInt64)
    /// A number printed with exactly `decimals` digits; non-finite values render as `null`.
    case number(Double, decimals: Int)
    /// A number printed to `digits` significant digits (`NumberFormat.significant`): for
    /// estimates whose magnitude varies by orders; non-finite values render as `null`.
    case significant(Double, digits: Int)
    /// A number printed with the shortest digits that read back exactly (`0.999`, `14.4`):
    /// for values a reader copies back into a configuration; non-finite values render as `null`.
    case shortest(Double)
    case bool(Bool)
    case null

    public static func == (a: JSONValue, b: JSONValue) -> Bool { a.rendered() == b.rendered() }

    /// Pretty-printed with two-space indentation and a trailing newline.
    public func rendered() -> String {
        var out = ""
        write(into: &out, indent: 0)
        out += "\n"
        return out
    }

    private func write(into out: inout String, indent: Int) {
        let pad = String(repeating: "  ", count: indent + 1), closePad = String(repeating: "  ", count: indent)
        switch self {
        case .object(let members):
            if members.isEmpty { out += "{}"; return }
            out += "{\n"
            for (i, (key, value)) in members.enumerated() {
                out += pad + JSONValue.quote(key) + ": "
                value.write(into: &out, indent: indent + 1)
                out += i < members.count - 1 ? ",\n" : "\n"
            }
            out += closePad + "}"
        case .array(let items):
            if items.isEmpty { out += "[]"; return }
            out += "[\n"
            for (i, item) in items.enumerated() {
                out += pad
                item.write(into: &out, indent: indent + 1)
                out += i < items.count - 1 ? ",\n" : "\n"
            }
            out += closePad + "]"
        case .string(let s): out += JSONValue.quote(s)
        case .int(let n): out += String(n)
        case .uint(let n): out += String(n)
        case .number(let x, let decimals): out += x.isFinite ? NumberFormat.fixed(x, decimals) : "null"
        case .significant(let x, let digits): out += x.isFinite ? NumberFormat.significant(x, digits) : "null"
        case .shortest(let x): out += x.isFinite ? NumberFormat.roundTrip(x) : "null"
        case .bool(let b): out += b ? "true" : "false"
        case .null: out += "null"
        }
    }

    /// A JSON string literal (RFC 8259 §7): quote, backslash and control characters escaped.
    public static func quote(_ s: String) -> String {
        var out = "\""
        for scalar in s.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case let c where c.value < 0x20:
                let hex = String(c.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }
}
