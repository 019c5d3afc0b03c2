import Foundation

/// Go's `math` where it differs from C's: `Max`/`Min` propagate NaN, and `Pow` with an
/// integer exponent multiplies by repeated squaring rather than calling libm, so its last
/// bit can differ from `pow(3)`. Prometheus is written in Go; to agree with it at a
/// threshold we compute as Go does.
public enum GoMath {
    static func max(_ x: Double, _ y: Double) -> Double {
        if x.isInfinite && x > 0 || y.isInfinite && y > 0 { return .infinity }
        if x.isNaN || y.isNaN { return .nan }
        if x == 0 && x == y { return x.sign == .minus ? y : x }
        return x > y ? x : y
    }

    static func min(_ x: Double, _ y: Double) -> Double {
        if x.isInfinite && x < 0 || y.isInfinite && y < 0 { return -.infinity }
        if x.isNaN || y.isNaN { return .nan }
        if x == 0 && x == y { return x.sign == .minus ? x : y }
        return x < y ? x : y
    }

    /// fmod is exact in IEEE arithmetic, so C's and Go's agree.
    static func mod(_ x: Double, _ y: Double) -> Double { fmod(x, y) }

    /// Go's `math.Pow`: special cases, then x^yi by repeated squaring on the mantissa
    /// (exact), times exp(yf·log x) for a fractional part (libm here; Go uses its own).
    static func pow(_ x: Double, _ y: Double) -> Double {
        if y == 0 || x == 1 { return 1 }
        if y == 1 { return x }
        if x.isNaN || y.isNaN { return .nan }
        if x == 0 || x.isInfinite || y.isInfinite { return Foundation.pow(x, y) }
        if y == 0.5 { return x.squareRoot() }
        if y == -0.5 { return 1 / x.squareRoot() }
        var yi = Swift.abs(y).rounded(.towardZero)  // Modf(Abs(y))
        var yf = Swift.abs(y) - yi
        if yf != 0 && x < 0 { return .nan }
        if yi >= 0x1p63 { return Foundation.pow(x, y) }
        var a1 = 1.0
        var ae = 0
        if yf != 0 {
            if yf > 0.5 { yf -= 1; yi += 1 }
            a1 = Foundation.exp(yf * Foundation.log(x))
        }
        var x1 = x.significand / 2, xe = Int(x.exponent) + 1  // Frexp: x = x1 · 2^xe, |x1| in [0.5, 1)
        if x < 0 { x1 = -x1 }
        var i = Int64(yi)
        while i != 0 {
            if xe < -(1 << 12) || (1 << 12) < xe {
                ae += xe
                break
            }
            if i & 1 == 1 { a1 *= x1; ae += xe }
            x1 *= x1
            xe <<= 1
            if x1 < 0.5 { x1 += x1; xe -= 1 }
            i >>= 1
        }
        if y < 0 { a1 = 1 / a1; ae = -ae }
        return scalbn(a1, ae)
    }

    /// Go's `strconv.ParseFloat` for the texts `le` labels hold.
    public static func parseFloat(_ s: String) -> Double? {
        if let first = s.utf8.first, (first >= 0x30 && first <= 0x39) || first == 0x2D || first == 0x2E, let v = Double(s) { return v }
        switch s.lowercased() {
        case "+inf", "inf", "+infinity", "infinity": return .infinity
        case "-inf", "-infinity": return -.infinity
        case "nan": return .nan
        case "": return nil
        default: return Double(s)
        }
    }
}
