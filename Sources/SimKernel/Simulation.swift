/// A model driven by the event loop: it receives its own events, one at a time, in
/// (time, insertion sequence) order, and may schedule or cancel further events.
///
/// Events are a value type of the model's choosing — normally an `enum` whose cases carry
/// the ids they need — and dispatch is the model's `switch`. Measured in `wargame bench mmc`
/// against a closure per event (`--handler closure`): the enum avoids a heap allocation and
/// a reference count per event and lets the compiler specialise the whole loop for the model.
public protocol EventHandler {
    associatedtype Event
    /// Handles `event`, which fires at `simulation.now`.
    mutating func handle(_ event: Event, in simulation: inout Simulation<Event>)
}

/// Why `Simulation.run` returned.
public enum RunOutcome: Equatable, Sendable {
    /// No live events remain.
    case drained
    /// The next event is at or after the time limit; the clock now reads the limit.
    case reachedLimit
    /// A handler called `stop()`.
    case stopped
}

/// The environment: the clock and the future event list, as in SimPy's core.
///
/// Non-copyable, like the event list it owns: a simulation has one owner, which passes it
/// `inout` to handlers; copying one would only ever be a mistake.
///
/// It only keeps time and pops events; models, resources and statistics live elsewhere.
/// The clock moves only when an event fires or a run reaches its limit, so nothing in a
/// run can observe the wall clock.
public struct Simulation<Event>: ~Copyable {
    /// The current simulated time: the time of the event being handled, or the limit of
    /// the last `run(_:until:)` that reached it.
    @inlinable public var now: SimTime { _now }
    @usableFromInline var _now: SimTime
    @usableFromInline var queue: EventQueue<Event>
    @usableFromInline var stopRequested = false
    /// Events handled since the simulation was created (cancelled ones are not counted).
    @inlinable public var eventsHandled: UInt64 { _eventsHandled }
    @usableFromInline var _eventsHandled: UInt64 = 0

    /// `farTierWindow` (µs) splits the event list in two tiers for models that keep many
    /// events far ahead (see `EventQueue`); `nil` keeps one heap.
    public init(startingAt start: SimTime = .zero, minimumCapacity: Int = 64, farTierWindow: Int64? = nil) {
        _now = start
        queue = EventQueue(minimumCapacity: minimumCapacity, window: farTierWindow)
    }

    /// Live scheduled events.
    @inlinable public var pendingCount: Int { queue.count }

    /// Schedules `event` at the absolute time `time`, which must not be in the past.
    ///
    /// Scheduling into the past is a model bug, not bad input, so it traps with the times.
    /// - Complexity: O(log n).
    @inlinable @discardableResult
    public mutating func schedule(_ event: Event, at time: SimTime) -> EventHandle {
        if time < _now { schedulingIntoThePast(time) }
        return queue.schedule(event, at: time)
    }

    /// Schedules `event` after `delay` (≥ 0) from now.
    /// - Complexity: O(log n).
    @inlinable @discardableResult
    public mutating func schedule(_ event: Event, after delay: SimDuration) -> EventHandle {
        if delay.microseconds < 0 { schedulingIntoThePast(_now + delay) }
        return queue.schedule(event, at: _now + delay)
    }

    /// Out of line so the message-building code stays off the hot path.
    @usableFromInline @inline(never) func schedulingIntoThePast(_ time: SimTime) -> Never {
        preconditionFailure("Simulation.schedule: time \(time) is before now \(now)")
    }

    /// Cancels a pending event; `false` if it already fired. See `EventQueue.cancel(_:)`.
    /// - Complexity: O(log n).
    @discardableResult
    public mutating func cancel(_ handle: EventHandle) -> Bool { queue.cancel(handle) }

    /// Makes the current `run` return `.stopped` once the handler in progress returns.
    public mutating func stop() { stopRequested = true }

    /// The time of the next live event, if any.
    public mutating func nextEventTime() -> SimTime? { queue.nextTime() }

    /// Runs events in order until none remain, a handler calls `stop()`, or the next event
    /// is at or after `limit`.
    ///
    /// The limit is exclusive — `run(until: t)` handles the events of [now, t) and leaves
    /// the clock at `t` — so consecutive calls with step boundaries partition the timeline
    /// into half-open windows with no event counted twice or missed.
    @inlinable @discardableResult
    public mutating func run<H: EventHandler>(_ handler: inout H, until limit: SimTime? = nil) -> RunOutcome
    where H.Event == Event {
        stopRequested = false
        let end = limit ?? SimTime(microseconds: .max)
        while let (time, event) = queue.popNext(before: end) {
            _now = time
            _eventsHandled &+= 1
            handler.handle(event, in: &self)
            if stopRequested { return .stopped }
        }
        if let limit {
            if limit > _now { _now = limit }
            return queue.isEmpty ? .drained : .reachedLimit
        }
        return .drained
    }
}
