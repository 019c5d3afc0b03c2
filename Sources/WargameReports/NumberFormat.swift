import Foundation

/// Fixed, explicit, locale-free number formatting for every output.
///
/// Outputs must be byte-identical across runs and machines, so numbers are never printed
/// with `description` (shortest round-trip, which varies in digits) or a locale-aware
/// formatter; each column states its decimals.
public enum NumberFormat {
    /// `x` with exactly `decimals` digits after the point (POSIX `%.*f`, which is
    /// locale-independent in Swift's Foundation); non-finite values become an empty string,
    /// the CSV convention for "no value".
    public static func fixed(_ x: Double, _ decimals: Int) -> String {
        guard x.isFinite else { return "" }
        let s = String(format: "%.\(decimals)f", x)
        // "-0.000" is the same number as "0.000"; print it one way only.
        if s.hasPrefix("-"), s.dropFirst().allSatisfy({ $0 == "0" || $0 == "." }) { return String(s.dropFirst()) }
        return s
    }
}
