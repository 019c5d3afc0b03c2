import SimKernel

/// Round axis ticks: 1, 2 or 5 × 10^k in the axis unit, so a reader can interpolate
/// between them (0, 20, 40 … minutes; 0, 200, 400 … ms), never 0, 31, 62, 93.
///
/// The step is the smallest of those that keeps the ticks to `maximum`; a whole-number
/// series (a count of breakers) never gets a step below 1. Heckbert's "nice numbers" (in
/// Graphics Gems, 1990) with the 1-2-5 sequence.
public struct AxisTicks: Equatable, Sendable {
    /// The axis runs from `low` to `high`, both multiples of `step` when `extend` was asked.
    public let low: Double
    public let high: Double
    public let step: Double
    /// Every tick in `low…high`, computed as multiples of `step` (no accumulated error).
    public let values: [Double]

    /// Ticks over `low…high`. `extend` widens the range to the enclosing ticks (value axes);
    /// without it the range stays as given and only the ticks inside it are listed (a time
    /// axis ends where the run ends).
    public init(_ low: Double, _ high: Double, maximum: Int = 8, integer: Bool = false, extend: Bool = true) {
        precondition(maximum >= 2, "at least two ticks")
        var lo = low.isFinite ? low : 0, hi = high.isFinite ? high : 1
        if hi < lo { swap(&lo, &hi) }
        if hi - lo < 1e-9 * max(1, abs(lo), abs(hi)) {  // a constant: a unit-wide axis around it
            let pad = integer ? 1 : max(abs(lo) * 0.1, 0.1)
            lo = lo - pad; hi = hi + pad
            if low >= 0 && lo < 0 { lo = 0 }
        }
        let step = Self.step(lo, hi, maximum: maximum, integer: integer, extend: extend)
        let first = (lo / step).rounded(.down), last = (hi / step).rounded(.up)
        if extend {
            lo = first * step
            hi = last * step
        }
        let startK = Int64(extend ? first : (lo / step - 1e-9).rounded(.up))
        let endK = Int64(extend ? last : (hi / step + 1e-9).rounded(.down))
        self.low = lo
        self.high = hi
        self.step = step
        values = (startK...max(startK, endK)).map { Self.clean(Double($0) * step, step: step) }
    }

    /// The smallest 1-2-5 step that gives at most `maximum` ticks over `lo…hi`. A step as
    /// large as the range's largest magnitude gives the fewest ticks there can be (three for
    /// an extended axis across zero: −s, 0, s), so the search stops there whatever `maximum` asks.
    static func step(_ lo: Double, _ hi: Double, maximum: Int, integer: Bool, extend: Bool) -> Double {
        let raw = (hi - lo) / Double(maximum - 1)
        let largest = max(abs(lo), abs(hi))
        var magnitude = Double.pow10(Int((raw > 0 ? CMathLite.log10(raw) : 0).rounded(.down)))
        while true {
            for m in [1.0, 2.0, 5.0] {
                let s = m * magnitude
                if integer && s < 1 { continue }
                let count = extend ? (hi / s).rounded(.up) - (lo / s).rounded(.down) + 1
                                   : (hi / s + 1e-9).rounded(.down) - (lo / s - 1e-9).rounded(.up) + 1
                if count <= Double(maximum) || s >= largest { return s }
            }
            magnitude *= 10
        }
    }

    /// `k · step` with the floating-point noise of the product removed (0.30000000000000004
    /// is 0.3), so labels and positions are exact.
    static func clean(_ x: Double, step: Double) -> Double {
        let d = decimals(step)
        let scale = Double.pow10(d)
        return (x * scale).rounded() / scale
    }

    /// Decimals a tick label needs for this step: none for steps ≥ 1, one for 0.5 or 0.2, two for 0.05.
    public static func decimals(_ step: Double) -> Int {
        guard step < 1 else { return 0 }
        var d = 0, s = step
        while s < 0.999_999 && d < 9 { s *= 10; d += 1 }  // nine: the most `NumberFormat.fixed` writes
        return d
    }

    /// The label of a tick, with exactly the decimals the step needs (`0.2`, `150`, `1.25`).
    public func label(_ value: Double) -> String { NumberFormat.fixed(value == 0 ? 0 : value, Self.decimals(step)) }
}

/// How a report's time axis reads: minutes for runs up to three hours, hours up to three
/// days, days beyond, so ticks are round in a unit a reader thinks in.
public struct TimeAxis: Equatable, Sendable {
    public let unit: String
    public let secondsPerUnit: Double

    public init(runSeconds: Double) {
        if runSeconds <= 3 * 3_600 {
            (unit, secondsPerUnit) = ("minutes", 60)
        } else if runSeconds <= 3 * 86_400 {
            (unit, secondsPerUnit) = ("hours", 3_600)
        } else {
            (unit, secondsPerUnit) = ("days", 86_400)
        }
    }

    public var label: String { "simulated time (\(unit))" }
    public func value(_ seconds: Double) -> Double { seconds / secondsPerUnit }
}

extension Double {
    /// 10^n exactly for the small n axes use.
    static func pow10(_ n: Int) -> Double {
        var x = 1.0
        if n >= 0 { for _ in 0..<n { x *= 10 } } else { for _ in 0..<(-n) { x /= 10 } }
        return x
    }
}

/// log10 without Foundation (the reports module imports only the kernel).
enum CMathLite {
    static func log10(_ x: Double) -> Double {
        #if canImport(Glibc)
        Glibc.log10(x)
        #else
        Darwin.log10(x)
        #endif
    }
}

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
