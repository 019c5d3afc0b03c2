/// Reads one action's pipeline: `$value | humanize`, `printf "%.2f" $value`, `$labels.job`.
struct TemplateParser {
    let chars: [Character]
    var k = 0

    mutating func skip() { while k < chars.count && chars[k].isWhitespace { k += 1 } }

    mutating func pipeline(source: String) throws(PromQLError) -> [AlertTemplate.Command] {
        var commands: [AlertTemplate.Command] = []
        while true {
            commands.append(try command(source: source))
            skip()
            if k < chars.count && chars[k] == "|" { k += 1; continue }
            break
        }
        skip()
        if k < chars.count && chars[k] != ")" { throw PromQLError(message: "construct \"\(String(chars[k...]))\" is not supported in \"\(source)\"") }
        return commands
    }

    mutating func command(source: String) throws(PromQLError) -> AlertTemplate.Command {
        skip()
        var function: String? = nil
        if k < chars.count, chars[k].isLetter {
            let word = identifier()
            guard AlertTemplate.functions.contains(word) else {
                throw PromQLError(message: "\"\(word)\" is not supported in \"\(source)\" (supported: $labels, $value, humanize, humanize1024, humanizePercentage, humanizeDuration, printf, toUpper, toLower, index)")
            }
            function = word
        }
        var operands: [AlertTemplate.Operand] = []
        while true {
            skip()
            guard k < chars.count, chars[k] != "|", chars[k] != ")" else { break }
            operands.append(try operand(source: source))
        }
        if function == nil && operands.count != 1 {
            throw PromQLError(message: operands.isEmpty ? "empty action in \"\(source)\"" : "a value cannot take arguments in \"\(source)\"")
        }
        return AlertTemplate.Command(function: function, operands: operands)
    }

    mutating func identifier() -> String {
        var s = ""
        while k < chars.count, chars[k].isLetter || chars[k].isNumber || chars[k] == "_" { s.append(chars[k]); k += 1 }
        return s
    }

    mutating func operand(source: String) throws(PromQLError) -> AlertTemplate.Operand {
        let c = chars[k]
        if c == "$" || c == "." {
            k += 1
            let root = identifier()
            var field: String? = nil
            if k < chars.count, chars[k] == "." { k += 1; field = identifier() }
            switch (c, root) {
            case ("$", "labels"), (".", "Labels"): return .labels(field)
            case ("$", "externalLabels"), (".", "ExternalLabels"): return .externalLabels(field)
            case ("$", "value"), (".", "Value"): if field == nil { return .value }
            default: break
            }
            throw PromQLError(message: "\"\(c)\(root)\(field.map { "." + $0 } ?? "")\" is not supported in \"\(source)\" (use $labels.<name> or $value)")
        }
        if c == "\"" || c == "`" {
            k += 1
            var s = ""
            while k < chars.count, chars[k] != c {
                if c == "\"" && chars[k] == "\\" && k + 1 < chars.count {
                    k += 1
                    switch chars[k] { case "n": s.append("\n"); case "t": s.append("\t"); default: s.append(chars[k]) }
                } else { s.append(chars[k]) }
                k += 1
            }
            guard k < chars.count else { throw PromQLError(message: "unterminated string in \"\(source)\"") }
            k += 1
            return .string(s)
        }
        if c == "(" {
            k += 1
            let inner = try pipeline(source: source)
            guard k < chars.count, chars[k] == ")" else { throw PromQLError(message: "unclosed ( in \"\(source)\"") }
            k += 1
            return .pipeline(inner)
        }
        if c.isNumber || c == "-" {
            var s = String(c)
            k += 1
            while k < chars.count, chars[k].isNumber || chars[k] == "." || chars[k] == "e" { s.append(chars[k]); k += 1 }
            if let v = Double(s) { return .number(v) }
        }
        throw PromQLError(message: "construct \"\(String(chars[k...]))\" is not supported in \"\(source)\"")
    }
}

extension AlertTemplate {
    static func float(_ v: TemplateValue) -> Result<Double, PromQLError> {
        switch v {
        case .number(let x): return .success(x)
        case .string(let s):
            if let x = GoMath.parseFloat(s) { return .success(x) }
            return .failure(PromQLError(message: "strconv.ParseFloat: parsing \"\(s)\": invalid syntax"))
        default: return .failure(PromQLError(message: "can't convert \(v.typeName) to float"))
        }
    }

    /// Prometheus's template functions (`template.go`), with Go's `%.4g`.
    static func apply(_ f: String, _ args: [TemplateValue]) -> Result<TemplateValue, PromQLError> {
        func one() -> Result<Double, PromQLError> {
            guard args.count == 1 else { return .failure(PromQLError(message: "wrong number of args for \(f): want 1 got \(args.count)")) }
            return float(args[0])
        }
        switch f {
        case "printf":
            guard case .string(let format)? = args.first else { return .failure(PromQLError(message: "printf needs a format string")) }
            return .success(.string(GoFormat.printf(format, Array(args.dropFirst()))))
        case "toUpper", "toLower":
            guard args.count == 1, case .string(let s) = args[0] else { return .failure(PromQLError(message: "\(f) needs one string")) }
            return .success(.string(f == "toUpper" ? s.uppercased() : s.lowercased()))
        case "index":
            guard args.count == 2, case .labels(let m) = args[0], case .string(let key) = args[1] else {
                return .failure(PromQLError(message: "index needs a label map and a name"))
            }
            return .success(.string(m[key] ?? ""))
        default:
            return one().map { .string(humanize(f, $0)) }
        }
    }

    /// |v| ≥ 1 divided by `base` while it reaches it, up to the last prefix.
    static func multiple(_ value: Double, base: Double, _ prefixes: [String]) -> (Double, String) {
        var v = value, prefix = ""
        for p in prefixes {
            if Swift.abs(v) < base { break }
            prefix = p
            v /= base
        }
        return (v, prefix)
    }

    /// |v| < 1 scaled by thousands to the first SI prefix (milli … yocto) that reaches 1.
    static func submultiple(_ value: Double) -> (Double, String) {
        var v = value, prefix = ""
        for p in ["m", "u", "n", "p", "f", "a", "z", "y"] {
            if Swift.abs(v) >= 1 { break }
            prefix = p
            v *= 1000
        }
        return (v, prefix)
    }

    static func humanize(_ f: String, _ value: Double) -> String {
        var v = value
        switch f {
        case "humanizePercentage":
            return GoFormat.g(v * 100, 4) + "%"
        case "humanize1024":
            if Swift.abs(v) <= 1 || !v.isFinite { return GoFormat.g(v, 4) }
            let (scaled, prefix) = multiple(v, base: 1024, ["ki", "Mi", "Gi", "Ti", "Pi", "Ei", "Zi", "Yi"])
            return GoFormat.g(scaled, 4) + prefix
        case "humanizeDuration":
            if !v.isFinite { return GoFormat.g(v, 4) }
            if v == 0 { return GoFormat.g(v, 4) + "s" }
            if Swift.abs(v) >= 1 {
                let sign = v < 0 ? "-" : ""
                if v < 0 { v = -v }
                // Go's int64() of a float past Int64.max is the "integer indefinite" on amd64.
                let d = v < 0x1p63 ? Int64(v) : Int64.min
                let (s, m, h, days) = (d % 60, (d / 60) % 60, (d / 3_600) % 24, d / 86_400)
                if days != 0 { return "\(sign)\(days)d \(h)h \(m)m \(s)s" }
                if h != 0 { return "\(sign)\(h)h \(m)m \(s)s" }
                if m != 0 { return "\(sign)\(m)m \(s)s" }
                return sign + GoFormat.g(v, 4) + "s"
            }
            let (scaled, prefix) = submultiple(v)
            return GoFormat.g(scaled, 4) + prefix + "s"
        default:  // humanize
            if v == 0 || !v.isFinite { return GoFormat.g(v, 4) }
            if Swift.abs(v) >= 1 {
                let (scaled, prefix) = multiple(v, base: 1000, ["k", "M", "G", "T", "P", "E", "Z", "Y"])
                return GoFormat.g(scaled, 4) + prefix
            }
            let (scaled, prefix) = submultiple(v)
            return GoFormat.g(scaled, 4) + prefix
        }
    }
}
