/// Human-readable, locale-free, exact formatting of simulated time.
///
/// Output files must never depend on the machine's locale, so this is written by hand
/// with integer arithmetic: the printed text is exact (no float rounding) and identical
/// on every platform.
extension SimTime: CustomStringConvertible {
    /// `HH:MM:SS.uuuuuu` from the start of the run, with a `Nd ` prefix past one day;
    /// negative times (only ever seen in arithmetic, never on the timeline) get a `-`.
    public var description: String {
        let negative = microseconds < 0
        let us = negative ? UInt64(0) &- UInt64(bitPattern: microseconds) : UInt64(microseconds)
        let fraction = us % 1_000_000
        let totalSeconds = us / 1_000_000
        let days = totalSeconds / 86_400
        let h = (totalSeconds / 3_600) % 24, m = (totalSeconds / 60) % 60, s = totalSeconds % 60
        var out = negative ? "-" : ""
        if days > 0 { out += "\(days)d " }
        out += pad(h, 2) + ":" + pad(m, 2) + ":" + pad(s, 2) + "." + pad(fraction, 6)
        return out
    }
}

extension SimDuration: CustomStringConvertible {
    /// The shortest exact spelling: `250ms`, `1.5s`, `2m30s`, `1h`, `1h0m0.000001s`, `12µs`.
    public var description: String {
        if microseconds == 0 { return "0s" }
        let negative = microseconds < 0
        let us = negative ? UInt64(0) &- UInt64(bitPattern: microseconds) : UInt64(microseconds)
        let sign = negative ? "-" : ""
        if us < 1_000 { return sign + "\(us)µs" }
        if us < 1_000_000 { return sign + decimal(us, unit: 1_000, digits: 3) + "ms" }
        let h = us / 3_600_000_000, m = (us / 60_000_000) % 60
        let secondsPart = us % 60_000_000
        var out = sign
        if h > 0 { out += "\(h)h" }
        if m > 0 || (h > 0 && secondsPart > 0) { out += "\(m)m" }
        if secondsPart > 0 || (h == 0 && m == 0) { out += decimal(secondsPart, unit: 1_000_000, digits: 6) + "s" }
        return out
    }
}

/// `value / unit` as an exact decimal with trailing zeros of the fraction removed.
private func decimal(_ value: UInt64, unit: UInt64, digits: Int) -> String {
    let whole = value / unit, fraction = value % unit
    if fraction == 0 { return "\(whole)" }
    var f = pad(fraction, digits)
    while f.hasSuffix("0") { f.removeLast() }
    return "\(whole).\(f)"
}

private func pad(_ n: UInt64, _ width: Int) -> String {
    let s = String(n)
    return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
}
