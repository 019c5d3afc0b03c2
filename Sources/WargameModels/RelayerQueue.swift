import SimKernel

/// A FIFO queue served by c relayers, computed by the Kiefer–Wolfowitz workload recursion
/// instead of simulated with events.
///
/// With arrivals taken in time order, FIFO c-server queueing is exact with only the time
/// each server next becomes free: a message starts on the earliest-free server at
/// max(arrival, that time) and holds it for its work (Kiefer & Wolfowitz 1955). Messages
/// that no one waits for — other applications' traffic on shared relayers — then cost no
/// events at all, and memory is O(c) however long the line grows.
public struct RelayerQueue: Sendable, Equatable {
    /// When each relayer finishes the work already assigned to it.
    public private(set) var freeAt: [SimTime]

    public init(relayers: Int, at start: SimTime = .zero) {
        precondition(relayers >= 0, "RelayerQueue: relayers \(relayers)")
        freeAt = Array(repeating: start, count: relayers)
    }

    public var relayers: Int { freeAt.count }

    /// Serves a message arriving at `arrival` (arrivals must come in time order) needing
    /// `work`; returns when its service starts and finishes, or `nil` with no relayers.
    public mutating func serve(arrival: SimTime, work: SimDuration) -> (start: SimTime, finish: SimTime)? {
        guard !freeAt.isEmpty else { return nil }
        var start = 0 as Int64
        withFreeTimes { start = Self.serve(arrival: arrival.microseconds, work: work.microseconds, on: $0) }
        return (SimTime(microseconds: start), SimTime(microseconds: start &+ work.microseconds))
    }

    /// Direct access to the free times (µs) for a batch of `serve(arrival:work:on:)` calls:
    /// one uniqueness check for the batch instead of one per message.
    @inline(__always) mutating func withFreeTimes(_ body: (UnsafeMutableBufferPointer<Int64>) -> Void) {
        freeAt.withUnsafeMutableBufferPointer { times in
            times.withMemoryRebound(to: Int64.self) { body($0) }
        }
    }

    /// The recursion's step on raw free times: the earliest-free relayer (lowest index on
    /// ties) takes the message; returns its start. Does nothing without relayers.
    @discardableResult @inline(__always)
    static func serve(arrival: Int64, work: Int64, on free: UnsafeMutableBufferPointer<Int64>) -> Int64 {
        guard free.count > 0 else { return arrival }
        var best = 0
        var i = 1
        while i < free.count {
            if free[i] < free[best] { best = i }
            i &+= 1
        }
        let start = Swift.max(arrival, free[best])
        free[best] = start &+ work
        return start
    }

    /// Relayers join (free from `now`) or leave (the ones with the most work queued behind
    /// them stop taking new messages; work already assigned still completes).
    public mutating func setRelayers(_ n: Int, at now: SimTime) {
        precondition(n >= 0, "RelayerQueue.setRelayers(\(n))")
        if n > freeAt.count {
            freeAt += Array(repeating: now, count: n - freeAt.count)
        } else {
            freeAt.sort()
            freeAt.removeLast(freeAt.count - n)
        }
    }
}
