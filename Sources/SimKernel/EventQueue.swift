/// Identifies one scheduled event so it can be cancelled (a timeout that was answered,
/// a retry that is no longer needed).
///
/// A handle is the event's full queue key, which is what makes cancellation cheap: see
/// `EventQueue.cancel(_:)`.
public struct EventHandle: Hashable, Comparable, Sendable {
    public let time: SimTime
    /// The insertion sequence number: unique per queue, increasing in scheduling order.
    public let seq: UInt64

    /// Rebuilds a handle from its two parts (a model storing it compactly); only a handle
    /// this queue issued may be cancelled.
    @inlinable public init(time: SimTime, seq: UInt64) {
        self.time = time
        self.seq = seq
    }

    public static func < (a: EventHandle, b: EventHandle) -> Bool {
        a.time < b.time || (a.time == b.time && a.seq < b.seq)
    }
}

/// The future event list: events ordered by (time, insertion sequence), with cancellation.
///
/// Simultaneous events fire in the order they were scheduled, so a run never depends on
/// anything but the order of `schedule` calls.
///
/// Cancellation is lazy, without hashing and without scans: a cancelled event's key goes
/// into a second min-heap. Both heaps are ordered by the same key and every cancelled key
/// is also in the main heap, so when the main heap's minimum equals the cancelled heap's
/// minimum, that event is dead and both are dropped. When nothing is cancelled — the
/// common case — popping costs one extra `isEmpty` test.
///
/// Two tiers, split at a moving `horizon`: `near` holds the events before it, `far` the
/// rest. Why: a run keeps thousands of far-future events pending (every running job's
/// completion, hours ahead) while most events are scheduled milliseconds ahead and fire
/// next; in one heap each of those sifted through all of its levels on insert and on pop
/// (a sixth of a run, measured with callgrind). The near heap stays small; a far event is
/// moved once, when the near tier runs dry and the horizon advances by `window` past the
/// far tier's earliest event. The order of pops is exactly that of a single heap.
///
/// The tiers are opt-in (`window`): a model whose pending events all lie a few service
/// times ahead, like the M/M/c of `bench mmc`, pays for the moves and gains nothing (54 →
/// 67 ns per event there). Without a window everything is near (`horizon` is +∞).
///
/// **Invariants**: every near key is before `horizon` and every far key at or after it;
/// every key in `cancelled` is also in `near` or `far` (a handle is cancelled at most
/// once, and only while its event is pending); `count == near.count + far.count -
/// cancelled.count`.
public struct EventQueue<Event>: ~Copyable {
    @usableFromInline var near: EventHeap<Event>
    @usableFromInline var far: EventHeap<Event>
    @usableFromInline var horizon: Int64
    /// How far past the far tier's earliest event the horizon moves (µs), or `Int64.max`
    /// for a single tier.
    public let window: Int64
    @usableFromInline var cancelled: EventHeap<Void>
    @usableFromInline var nextSeq: UInt64 = 0
    /// Key of the most recently popped event: anything at or before it has fired already.
    @usableFromInline var lastPoppedTime = Int64.min
    @usableFromInline var lastPoppedSeq: UInt64 = 0

    /// `window` (µs, positive) turns the far tier on; about a second (2²⁰ µs) suits a model
    /// with many events hours ahead. `nil`, the default, keeps one heap.
    public init(minimumCapacity: Int = 16, window: Int64? = nil) {
        precondition(window.map { $0 > 0 } ?? true, "EventQueue: window \(window!) must be positive")
        near = EventHeap(minimumCapacity: minimumCapacity)
        far = EventHeap(minimumCapacity: window == nil ? 1 : minimumCapacity)
        cancelled = EventHeap(minimumCapacity: 4)
        self.window = window ?? .max
        horizon = window ?? .max
    }

    /// Pending (scheduled, not cancelled, not yet popped) events.
    /// - Complexity: O(1).
    @inlinable public var count: Int { near.count + far.count - cancelled.count }
    @inlinable public var isEmpty: Bool { count == 0 }

    /// Schedules `event` at `time`; returns the handle that can cancel it.
    /// - Complexity: O(log n).
    @inlinable @discardableResult
    public mutating func schedule(_ event: Event, at time: SimTime) -> EventHandle {
        let seq = nextSeq
        nextSeq &+= 1
        if time.microseconds < horizon {
            near.insert(.init(time: time.microseconds, seq: seq, payload: event))
        } else {
            far.insert(.init(time: time.microseconds, seq: seq, payload: event))
        }
        return EventHandle(time: time, seq: seq)
    }

    /// When the near tier is empty: advances the horizon to `window` past the far tier's
    /// earliest event and moves every far event before it. `false` when both are empty.
    @inlinable mutating func refillNear() -> Bool {
        guard let first = far.min else { return false }
        horizon = first.time > Int64.max - window ? Int64.max : Swift.max(horizon, first.time &+ window)
        if horizon == Int64.max {
            while let e = far.popMin() { near.insert(e) }  // the end of time: take them all
        } else {
            while let e = far.popMin(before: horizon) { near.insert(e) }
        }
        return true
    }

    /// Cancels a pending event. Returns `false`, changing nothing, when the event has
    /// already fired (or was already skipped as cancelled).
    ///
    /// Cancel each handle at most once: a second cancel of a pending event is a programming
    /// error, caught by an assertion in debug builds.
    /// - Complexity: O(log n).
    @discardableResult
    public mutating func cancel(_ handle: EventHandle) -> Bool {
        let t = handle.time.microseconds
        if t < lastPoppedTime || (t == lastPoppedTime && handle.seq <= lastPoppedSeq) { return false }
        precondition(handle.seq < nextSeq, "EventQueue.cancel: handle \(handle) was not issued by this queue")
        #if DEBUG
        assert(!cancelled.unorderedEntries.contains { $0.seq == handle.seq }, "EventQueue.cancel: \(handle) cancelled twice")
        #endif
        cancelled.insert(.init(time: handle.time.microseconds, seq: handle.seq, payload: ()))
        return true
    }

    /// Removes and returns the earliest live event whose time is before `limit`, or `nil`
    /// when there is none (the queue is empty or the next event is at or after `limit`).
    /// - Complexity: O(log n) amortised (each cancelled event is discarded once).
    @inlinable
    public mutating func popNext(before limit: SimTime) -> (time: SimTime, event: Event)? {
        while true {
            if near.isEmpty && !refillNear() { return nil }
            guard let top = near.popMin(before: limit.microseconds) else { return nil }
            lastPoppedTime = top.time
            lastPoppedSeq = top.seq
            if !cancelled.isEmpty, let dead = cancelled.min, dead.seq == top.seq {
                _ = cancelled.popMin()
                continue
            }
            return (SimTime(microseconds: top.time), top.payload)
        }
    }

    /// Removes and returns the earliest live event, or `nil` when none is pending.
    @inlinable
    public mutating func popNext() -> (time: SimTime, event: Event)? {
        popNext(before: SimTime(microseconds: .max))
    }

    /// The time of the earliest live event. Mutating because it discards cancelled events
    /// found at the front.
    /// - Complexity: O(log n) amortised.
    public mutating func nextTime() -> SimTime? {
        while true {
            if near.isEmpty && !refillNear() { return nil }
            let top = near.min!
            guard let dead = cancelled.min, dead.seq == top.seq else {
                return SimTime(microseconds: top.time)
            }
            _ = cancelled.popMin()
            _ = near.popMin()
            // Record the discarded key as gone, so a later cancel of it returns false
            // instead of planting a key the main heap no longer holds.
            lastPoppedTime = top.time
            lastPoppedSeq = top.seq
        }
    }

    /// Verifies the heaps and the cancelled ⊆ pending relation. O(n log n); for tests.
    public func checkInvariants() {
        near.checkInvariants()
        far.checkInvariants()
        cancelled.checkInvariants()
        for e in near.unorderedEntries {
            precondition(e.time < horizon, "EventQueue: near event at \(e.time) is not before the horizon \(horizon)")
        }
        for e in far.unorderedEntries {
            precondition(e.time >= horizon, "EventQueue: far event at \(e.time) is before the horizon \(horizon)")
        }
        let pending = Set((near.unorderedEntries.map(\.seq)) + far.unorderedEntries.map(\.seq))  // membership only
        for dead in cancelled.unorderedEntries {
            precondition(pending.contains(dead.seq), "EventQueue: cancelled seq \(dead.seq) is not pending")
        }
        precondition(count >= 0, "EventQueue: count \(count) is negative")
    }
}
