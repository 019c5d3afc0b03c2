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
        var best = 0
        for i in 1..<freeAt.count where freeAt[i] < freeAt[best] { best = i }
        let start = max(arrival, freeAt[best])
        let finish = start + work
        freeAt[best] = finish
        return (start, finish)
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
