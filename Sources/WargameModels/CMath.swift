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
}

extension CMath {
    static func cosOf(_ x: Double) -> Double { cos(x) }
}
