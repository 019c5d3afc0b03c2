/// The time average of a piecewise-constant quantity: queue length, busy servers, open
/// breakers. Each value is weighted by how long it held, in integer microseconds.
///
/// This is L in Little's law (L = λW) when the quantity is the number in the system, and
/// utilisation when it is busy servers divided by their count.
public struct TimeWeightedAverage: Sendable, Equatable {
    @usableFromInline var _current: Double
    @usableFromInline var _max: Double
    @usableFromInline var _min: Double
    /// The value now.
    @inlinable public var current: Double { _current }
    /// The largest value held.
    @inlinable public var max: Double { _max }
    /// The smallest value held.
    @inlinable public var min: Double { _min }
    @usableFromInline var lastChange: SimTime
    @usableFromInline let start: SimTime
    /// ∫ value dt in value·microseconds, up to `lastChange`.
    @usableFromInline var area: Double = 0

    public init(value: Double = 0, at start: SimTime = .zero) {
        _current = value
        _max = value
        _min = value
        lastChange = start
        self.start = start
    }

    /// The quantity changes to `value` at time `t` (t never moves backwards).
    @inlinable public mutating func update(_ value: Double, at t: SimTime) {
        if t < lastChange { timeWentBackwards(t) }
        area += current * Double(t.microseconds - lastChange.microseconds)
        lastChange = t
        _current = value
        if value > _max { _max = value }
        if value < _min { _min = value }
    }

    /// Out of line so the message-building code does not stop `update` from inlining.
    @usableFromInline @inline(never) func timeWentBackwards(_ t: SimTime) -> Never {
        preconditionFailure("TimeWeightedAverage.update: time \(t) is before last change \(lastChange)")
    }

    /// Adds `delta` to the current value at time `t`.
    @inlinable public mutating func add(_ delta: Double, at t: SimTime) { update(current + delta, at: t) }

    /// ∫ value dt from the start to `t`, in value·seconds.
    public func integral(until t: SimTime) -> Double {
        precondition(t >= lastChange, "TimeWeightedAverage.integral: time \(t) is before last change \(lastChange)")
        return (area + current * Double(t.microseconds - lastChange.microseconds)) / 1_000_000
    }

    /// The average from the start to `t`; the current value over an empty interval.
    public func mean(until t: SimTime) -> Double {
        let span = (t - start).seconds
        return span > 0 ? integral(until: t) / span : current
    }
}
