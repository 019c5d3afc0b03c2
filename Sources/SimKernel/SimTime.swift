/// A point on the simulated timeline, in integer microseconds since the run started.
///
/// Integer time is what makes runs byte-reproducible: adding durations never accumulates
/// floating-point error, equal times compare equal, and the event queue's tie-break by
/// insertion sequence is well defined. A microsecond resolves a 1 ms policy decision a
/// thousand times over, and `Int64` still spans about 292,000 years.
public struct SimTime: Hashable, Comparable, Sendable {
    /// Microseconds since the start of the run (time zero).
    public var microseconds: Int64

    @inlinable public init(microseconds: Int64) { self.microseconds = microseconds }

    /// The start of every run.
    public static let zero = SimTime(microseconds: 0)

    /// The time as fractional seconds, for KPI arithmetic and display only.
    @inlinable public var seconds: Double { Double(microseconds) / 1_000_000 }

    @inlinable public static func < (a: SimTime, b: SimTime) -> Bool { a.microseconds < b.microseconds }

    @inlinable public static func + (t: SimTime, d: SimDuration) -> SimTime {
        SimTime(microseconds: t.microseconds &+ d.microseconds)
    }

    @inlinable public static func - (t: SimTime, d: SimDuration) -> SimTime {
        SimTime(microseconds: t.microseconds &- d.microseconds)
    }

    @inlinable public static func - (a: SimTime, b: SimTime) -> SimDuration {
        SimDuration(microseconds: a.microseconds &- b.microseconds)
    }

    @inlinable public static func += (t: inout SimTime, d: SimDuration) { t = t + d }
}

/// A length of simulated time, in integer microseconds.
///
/// Kept distinct from `SimTime` (as TigerBeetle keeps instants and durations apart) so the
/// type checker rejects adding two instants or passing an instant where a timeout belongs.
public struct SimDuration: Hashable, Comparable, Sendable {
    public var microseconds: Int64

    @inlinable public init(microseconds: Int64) { self.microseconds = microseconds }

    /// Rounds a sampled duration in seconds to the nearest microsecond.
    ///
    /// This is the one place where floating point turns into simulated time; rounding (not
    /// truncation) keeps the mean of many sampled durations unbiased. Values beyond the
    /// representable range saturate instead of trapping, and NaN becomes zero.
    @inlinable public init(seconds: Double) {
        self.init(microseconds: SimDuration.saturatingMicroseconds(seconds * 1_000_000))
    }

    /// Rounds a duration in (fractional) microseconds to the nearest microsecond.
    @inlinable public init(roundingMicroseconds us: Double) {
        self.init(microseconds: SimDuration.saturatingMicroseconds(us))
    }

    /// Rounds a duration in milliseconds to the nearest microsecond (see `init(seconds:)`).
    @inlinable public init(milliseconds: Double) {
        self.init(microseconds: SimDuration.saturatingMicroseconds(milliseconds * 1_000))
    }

    @inlinable @inline(__always) static func saturatingMicroseconds(_ us: Double) -> Int64 {
        // Round half away from zero by truncating |us| + 0.5: one conversion instruction,
        // where `rounded()` is a libm call on x86-64 baselines without SSE4.1.
        if us >= 0 {
            return us < 9.2e18 ? Int64(us + 0.5) : Int64.max
        } else if us < 0 {
            return us > -9.2e18 ? -Int64(-us + 0.5) : Int64.min
        }
        return 0  // NaN
    }

    public static let zero = SimDuration(microseconds: 0)

    @inlinable public static func microseconds(_ n: Int64) -> SimDuration { SimDuration(microseconds: n) }
    @inlinable public static func milliseconds(_ n: Int64) -> SimDuration { SimDuration(microseconds: n * 1_000) }
    @inlinable public static func seconds(_ n: Int64) -> SimDuration { SimDuration(microseconds: n * 1_000_000) }
    @inlinable public static func minutes(_ n: Int64) -> SimDuration { SimDuration(microseconds: n * 60_000_000) }
    @inlinable public static func hours(_ n: Int64) -> SimDuration { SimDuration(microseconds: n * 3_600_000_000) }

    /// The duration as fractional seconds, for KPI arithmetic and display only.
    @inlinable public var seconds: Double { Double(microseconds) / 1_000_000 }
    /// The duration as fractional milliseconds, the unit most latency KPIs are stated in.
    @inlinable public var milliseconds: Double { Double(microseconds) / 1_000 }

    @inlinable public static func < (a: SimDuration, b: SimDuration) -> Bool { a.microseconds < b.microseconds }
    @inlinable public static func + (a: SimDuration, b: SimDuration) -> SimDuration {
        SimDuration(microseconds: a.microseconds &+ b.microseconds)
    }
    @inlinable public static func - (a: SimDuration, b: SimDuration) -> SimDuration {
        SimDuration(microseconds: a.microseconds &- b.microseconds)
    }
    @inlinable public static func * (d: SimDuration, k: Int64) -> SimDuration {
        SimDuration(microseconds: d.microseconds &* k)
    }
}
