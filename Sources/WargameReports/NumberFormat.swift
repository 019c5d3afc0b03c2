import Foundation

/// Fixed, explicit, locale-free number formatting for every output.
///
/// Outputs must be byte-identical across runs and machines, so numbers are never printed
/// with `description` (shortest round-trip, which varies in digits) or a locale-aware
/// formatter; each column states its decimals.
public enum NumberFormat {
    /// `x` with exactly `decimals` digits after the point, rounded half away from zero;
    /// non-finite values become an empty string, the CSV convention for "no value".
    public static func fixed(_ x: Double, _ decimals: Int) -> String {
        var t = ByteText(capacity: 32)
        t.append(x, decimals: decimals)
        return String(decoding: t.bytes, as: UTF8.self)
    }

    /// The number `fixed(x, decimals)` writes, as a reader parses it back (`nil` text → NaN),
    /// without composing and parsing the text: the alert signals need it every step. Equal
    /// bit for bit: the written digits are the integer n = round(|x|·10^d), and n / 10^d in
    /// floating point is the correctly rounded value of that decimal, as a correct parser's.
    public static func fixedValue(_ x: Double, _ decimals: Int) -> Double {
        guard x.isFinite, decimals >= 0 && decimals < RowWriter.powersOf10.count,
              let scaled = RowWriter.scaledMagnitude(x, scale: RowWriter.powersOf10[decimals])
        else { return Double(fixed(x, decimals)) ?? .nan }  // no text, a bad `decimals`, or huge
        let value = scaled / Double(RowWriter.powersOf10[decimals])
        return x < 0 && scaled != 0 ? -value : value
    }

    /// The shortest decimal that parses back to exactly `x` (Swift's round-trip
    /// `description`, which is platform-independent). For numbers another program must
    /// read back bit for bit, such as alert thresholds PromQL compares: fixed decimals
    /// would round `0.855` to `0.86` and change the rule.
    public static func roundTrip(_ x: Double) -> String {
        x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : x.description
    }

    /// `x` to `digits` significant digits, trailing zeros dropped (`0.30012`, `1250`,
    /// `0.000183`): for estimates whose magnitude varies by orders (a rate, a 0.2 ms check
    /// time) where fixed decimals would print too many digits or none. Never more than 9
    /// decimals (fewer digits below 1e-4); scientific notation only outside 1e-9…1e15.
    public static func significant(_ x: Double, _ digits: Int = 6) -> String {
        guard x.isFinite else { return "" }
        guard x != 0 else { return "0" }
        let magnitude = Int((abs(x)).log10Floor)
        let decimals = digits - 1 - magnitude
        guard abs(x) >= 1e-9 && abs(x) < 1e15 else { return String(format: "%.\(digits - 1)e", x) }
        // At most 9 decimals (what fixed writes): below 1e-4 the last digits go.
        var s = fixed(x, min(9, max(0, decimals)))
        if s.contains(".") {
            while s.hasSuffix("0") { s.removeLast() }
            if s.hasSuffix(".") { s.removeLast() }
        }
        return s
    }

    /// Values beyond 9e18 / 10^decimals, which no KPI reaches: POSIX `%.*f`.
    static func huge(_ x: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", x) }

    /// `n` and its noun in agreement: "1 job", "2 jobs", "1 parameter". The plural is the noun
    /// with an s unless given.
    public static func counted(_ n: Int, _ noun: String, plural: String? = nil) -> String {
        "\(n) " + (n == 1 ? noun : plural ?? noun + "s")
    }

    /// `n` as an English ordinal: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 112th.
    public static func ordinal(_ n: Int) -> String {
        let teens = (11...13).contains(abs(n) % 100)
        let suffix = teens ? "th" : [1: "st", 2: "nd", 3: "rd"][abs(n) % 10] ?? "th"
        return "\(n)\(suffix)"
    }
}

extension Double {
    /// ⌊log₁₀ |x|⌋ for finite non-zero x, exact at powers of ten (log10 can be off by one ulp there).
    var log10Floor: Double {
        var e = Foundation.floor(Foundation.log10(Swift.abs(self)))
        if Foundation.pow(10, e) > Swift.abs(self) { e -= 1 } else if Foundation.pow(10, e + 1) <= Swift.abs(self) { e += 1 }
        return e
    }
}
