#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#elseif canImport(ucrt)
import ucrt
#endif

/// A probability distribution over real numbers that draws from an explicit stream.
///
/// Every sampler uses a fixed number of draws per sample (no rejection loops), so two
/// variants of a scenario that make the same sampling calls stay in lock-step on their
/// streams — the basis of common-random-number comparisons.
public protocol Distribution: Sendable {
    /// One draw.
    func sample(_ rng: inout Xoshiro256StarStar) -> Double
    /// The closed-form mean (`.infinity` where it does not exist).
    var mean: Double { get }
    /// The closed-form variance (`.infinity` where it does not exist).
    var variance: Double { get }
}

/// Invalid distribution parameters. The scenario layer validates first and attaches the
/// JSON path; this is the kernel's own guard, so a bad value never becomes a NaN sample.
public struct DistributionError: Error, Equatable, CustomStringConvertible, Sendable {
    /// The parameter's name, e.g. `sigma`.
    public let parameter: String
    /// What was expected, e.g. `a finite number > 0`.
    public let expected: String
    public let found: Double

    public var description: String { "\(parameter): expected \(expected), found \(found)" }

    static func check(_ ok: Bool, _ parameter: String, _ expected: String, _ found: Double) throws(DistributionError) {
        if !ok { throw DistributionError(parameter: parameter, expected: expected, found: found) }
    }
}

/// Inverse of the standard normal CDF at 0.95: the z that turns a p95 into a sigma.
public let standardNormalZ95 = 1.6448536269514722

// Thin, inlinable wrappers so hot samplers compile to direct libm calls on every platform.
@inlinable @inline(__always) func kLog(_ x: Double) -> Double { log(x) }
@inlinable @inline(__always) func kExp(_ x: Double) -> Double { exp(x) }
@inlinable @inline(__always) func kPow(_ x: Double, _ y: Double) -> Double { pow(x, y) }
@inlinable @inline(__always) func kErf(_ x: Double) -> Double { erf(x) }
