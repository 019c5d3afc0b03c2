/// One closed window of a `WindowedSeries`: the observations made during [start, end).
public struct WindowSummary: Sendable, Equatable {
    /// 0-based step number.
    public let index: Int
    public let start: SimTime
    public let end: SimTime
    public let tally: Tally
}

/// A per-step series: observations grouped into consecutive fixed-length windows (one per
/// simulated step), each window handed to a consumer as soon as it closes.
///
/// Only the open window is held, so memory stays flat however many steps a run has — the
/// consumer streams each summary to a file. Windows with no observations are still emitted
/// (with an empty tally), so a series has exactly one entry per step.
public struct WindowedSeries: Sendable {
    public let origin: SimTime
    public let length: SimDuration
    public private(set) var openIndex = 0
    public private(set) var open = Tally()

    public init(origin: SimTime = .zero, length: SimDuration) {
        precondition(length.microseconds > 0, "WindowedSeries: window length must be positive, got \(length)")
        self.origin = origin
        self.length = length
    }

    /// The step that time `t` falls in.
    @inlinable public func index(of t: SimTime) -> Int {
        Int((t.microseconds - origin.microseconds) / length.microseconds)
    }

    /// Records `value` at `t` (times never decrease), first emitting any windows it closes.
    public mutating func record(_ value: Double, at t: SimTime, emit: (WindowSummary) -> Void) {
        close(before: index(of: t), emit: emit)
        open.add(value)
    }

    /// Emits every window that ends at or before `t` (use the run's end time to flush).
    public mutating func flush(through t: SimTime, emit: (WindowSummary) -> Void) {
        close(before: index(of: t), emit: emit)
    }

    private mutating func close(before target: Int, emit: (WindowSummary) -> Void) {
        precondition(target >= openIndex, "WindowedSeries: time went back to window \(target) from \(openIndex)")
        while openIndex < target {
            let start = origin + length * Int64(openIndex)
            emit(WindowSummary(index: openIndex, start: start, end: start + length, tally: open))
            open = Tally()
            openIndex += 1
        }
    }
}
