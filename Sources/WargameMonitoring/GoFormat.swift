import Foundation

/// Go's `fmt` for the numbers alert templates print, so an annotation reads the same here
/// as from Prometheus (and a promtool test's `exp_annotations` match byte for byte).
enum GoFormat {
    /// `%v` (Go's default for a float64, what `{{ $value }}` prints): the shortest digits
    /// that round-trip, in exponent form when the decimal exponent is below −4 or at least
    /// 6 (`strconv.FormatFloat(x, 'g', -1, 64)`: 123456 but 1.234567e+06).
    static func shortest(_ x: Double) -> String {
        if let special = Self.special(x) { return special }
        let (negative, digits, point) = decimal(x)
        let exp = point - 1
        if exp < -4 || exp >= 6 { return exponentForm(negative, digits, exp) }
        return (negative ? "-" : "") + fixedForm(digits, point, decimals: max(digits.count - point, 0))
    }

    /// `%.Ng` (C's and Go's agree but for NaN and infinities).
    static func g(_ x: Double, _ precision: Int) -> String {
        if let special = Self.special(x) { return special }
        return String(format: "%.\(precision)g", x)
    }

    static func special(_ x: Double) -> String? {
        if x.isNaN { return "NaN" }
        if x.isInfinite { return x > 0 ? "+Inf" : "-Inf" }
        return nil
    }

    /// The shortest round-trip digits of |x| and the decimal point's position after the
    /// first `point` digits, read from Swift's shortest representation (the same digits
    /// Go's `strconv` chooses: both print the shortest string that reads back exactly).
    static func decimal(_ x: Double) -> (Bool, [Character], Int) {
        if x == 0 { return (x.sign == .minus, ["0"], 1) }
        var s = Swift.abs(x).description
        var exponent = 0
        if let e = s.firstIndex(where: { $0 == "e" || $0 == "E" }) {
            exponent = Int(s[s.index(after: e)...]) ?? 0
            s = String(s[..<e])
        }
        let parts = s.split(separator: ".", omittingEmptySubsequences: false)
        let whole = Array(parts[0]), fraction = parts.count > 1 ? Array(parts[1]) : []
        var digits = whole + fraction
        var point = whole.count + exponent
        while digits.count > 1, digits.first == "0" { digits.removeFirst(); point -= 1 }
        while digits.count > 1, digits.last == "0" { digits.removeLast() }
        return (x < 0, digits, point)
    }

    static func exponentForm(_ negative: Bool, _ digits: [Character], _ exp: Int) -> String {
        var out = negative ? "-" : ""
        out.append(digits[0])
        if digits.count > 1 { out += "." + String(digits[1...]) }
        let e = Swift.abs(exp)
        return out + (exp < 0 ? "e-" : "e+") + (e < 10 ? "0" : "") + String(e)
    }

    static func fixedForm(_ digits: [Character], _ point: Int, decimals: Int) -> String {
        var intPart = point <= 0 ? "0" : String(digits.prefix(point)) + String(repeating: "0", count: max(0, point - digits.count))
        if intPart.isEmpty { intPart = "0" }
        guard decimals > 0 else { return intPart }
        var frac = ""
        for i in 0..<decimals {
            let k = point + i
            frac.append(k >= 0 && k < digits.count ? digits[k] : "0")
        }
        return intPart + "." + frac
    }

    /// One printf verb with an optional precision, as Go prints a float64 or a string.
    static func printf(_ format: String, _ args: [TemplateValue]) -> String {
        var out = "", chars = Array(format), k = 0, next = 0
        while k < chars.count {
            guard chars[k] == "%" else { out.append(chars[k]); k += 1; continue }
            k += 1
            guard k < chars.count else { out += "%!(NOVERB)"; break }
            if chars[k] == "%" { out += "%"; k += 1; continue }
            var spec = "%"
            while k < chars.count, "+-# 0123456789.".contains(chars[k]) { spec.append(chars[k]); k += 1 }
            guard k < chars.count else { out += "%!(NOVERB)"; break }
            let verb = chars[k]
            k += 1
            guard next < args.count else { out += "%!\(verb)(MISSING)"; continue }
            let arg = args[next]
            next += 1
            switch (verb, arg) {
            case ("f", .number(let x)), ("F", .number(let x)), ("e", .number(let x)), ("g", .number(let x)):
                out += special(x) ?? String(format: spec + String(verb), x)
            case ("v", .number(let x)):
                out += spec == "%" ? shortest(x) : (special(x) ?? String(format: spec + "g", x))
            case ("s", .string(let s)), ("v", .string(let s)):
                out += s
            case ("d", .number(let x)):
                out += "%!d(float64=\(shortest(x)))"
            case (_, .missing):
                out += "%!\(verb)(<nil>)"
            default:
                out += "%!\(verb)(\(arg.text))"
            }
        }
        if next < args.count { out += "%!(EXTRA " + args[next...].map { $0.typeName + "=" + $0.text }.joined(separator: ", ") + ")" }
        return out
    }
}
