#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// The C math the models need, in one place (the models do not import Foundation).
enum CMath {
    static func ln(_ x: Double) -> Double { log(x) }
    static func expOf(_ x: Double) -> Double { exp(x) }

    /// ⌊x⌋ as an integer without libm's `floor` (a call on x86-64's baseline, which has no
    /// rounding instruction): truncation, one less for negative non-integers.
    @inline(__always) static func floorInt(_ x: Double) -> Int {
        let t = Int(x)
        return Double(t) > x ? t - 1 : t
    }
}

extension CMath {
    static func cosOf(_ x: Double) -> Double { cos(x) }
}
