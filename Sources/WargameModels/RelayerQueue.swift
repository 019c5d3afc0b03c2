import SimKernel

/// A FIFO queue served by c relayers, computed by the Kiefer–Wolfowitz workload recursion
/// instead of simulated with events.
///
/// With arrivals taken in time order, FIFO c-server queueing is exact with only the time
/// each server next becomes free: a message starts on the earliest-free server at
/// max(arrival, that time) and holds it for its work (Kiefer & Wolfowitz 1955). Messages
/// that no one waits for — other applications' traffic on shared relayers — then cost no
/// events at all, and memory is O(c) however long the line grows.
///
/// The free times are kept as a binary min-heap, not scanned: the recursion only ever asks
/// for the earliest, and only the multiset of free times matters (which relayer holds a
/// time never reaches a start or a finish), so a message costs O(log c) — with the usual two
/// relayers, one comparison — where a scan cost c (24 relayers in the scale scenario, up to
/// 10,000 in the schema).
///
/// **Invariant**: `freeAt` is heap-ordered: `freeAt[i] <= freeAt[2i+1]` and
/// `freeAt[i] <= freeAt[2i+2]`, so `freeAt[0]` is the earliest free time. Two queues are
/// equal when they hold the same free times, whatever their heap order.
public struct RelayerQueue: Sendable, Equatable {
    /// When each relayer finishes the work already assigned to it, in heap order (see the
    /// invariant); `sortedFreeTimes` lists them in time order.
    public private(set) var freeAt: [SimTime]

    public init(relayers: Int, at start: SimTime = .zero) {
        precondition(relayers >= 0, "RelayerQueue: relayers \(relayers)")
        freeAt = Array(repeating: start, count: relayers)  // all equal: a valid heap
    }

    public var relayers: Int { freeAt.count }

    /// The relayers' free times, earliest first.
    public var sortedFreeTimes: [SimTime] { freeAt.sorted() }

    public static func == (a: RelayerQueue, b: RelayerQueue) -> Bool {
        a.sortedFreeTimes == b.sortedFreeTimes
    }

    /// Serves a message arriving at `arrival` (arrivals must come in time order) needing
    /// `work`; returns when its service starts and finishes, or `nil` with no relayers.
    public mutating func serve(arrival: SimTime, work: SimDuration) -> (start: SimTime, finish: SimTime)? {
        guard !freeAt.isEmpty else { return nil }
        var start = 0 as Int64
        withFreeTimes { start = Self.serve(arrival: arrival.microseconds, work: work.microseconds, on: $0) }
        return (SimTime(microseconds: start), SimTime(microseconds: start &+ work.microseconds))
    }

    /// Direct access to the free times (µs, heap-ordered) for a batch of
    /// `serve(arrival:work:on:)` calls: one uniqueness check for the batch instead of one
    /// per message.
    @inline(__always) mutating func withFreeTimes(_ body: (UnsafeMutableBufferPointer<Int64>) -> Void) {
        freeAt.withUnsafeMutableBufferPointer { times in
            times.withMemoryRebound(to: Int64.self) { body($0) }
        }
    }

    /// The recursion's step on raw, heap-ordered free times: the earliest-free relayer takes
    /// the message; returns its start. Does nothing without relayers.
    @discardableResult @inline(__always)
    static func serve(arrival: Int64, work: Int64, on free: UnsafeMutableBufferPointer<Int64>) -> Int64 {
        let n = free.count
        guard n > 0 else { return arrival }
        let start = Swift.max(arrival, free[0])
        let finish = start &+ work
        if n == 2 {
            // The common case, without the loop: the root and its only child.
            let other = free[1]
            if other < finish { free[0] = other; free[1] = finish } else { free[0] = finish }
            return start
        }
        // Sift the new finish time down from the root.
        var i = 0
        while true {
            let left = 2 &* i &+ 1
            if left >= n { break }
            let right = left &+ 1
            let child = right < n && free[right] < free[left] ? right : left
            if free[child] >= finish { break }
            free[i] = free[child]
            i = child
        }
        free[i] = finish
        return start
    }

    /// Relayers join (free from `now`) or leave (the ones with the most work queued behind
    /// them stop taking new messages; work already assigned still completes).
    public mutating func setRelayers(_ n: Int, at now: SimTime) {
        precondition(n >= 0, "RelayerQueue.setRelayers(\(n))")
        if n > freeAt.count { freeAt += Array(repeating: now, count: n - freeAt.count) }
        freeAt.sort()  // sorted is heap-ordered, and puts the most loaded relayers last
        if n < freeAt.count { freeAt.removeLast(freeAt.count - n) }
    }
}
