import SimKernel

/// What happened to a job arriving at a `WorkerPool`.
public enum PoolAdmission: Sendable, Equatable {
    /// A server was free: start serving now.
    case start
    /// Waiting in line.
    case queued
    /// The line is full.
    case refused
}

/// c identical servers with one FIFO line: the policy engine's workers. (Bridge relayers,
/// whose traffic needs no events, use the equivalent `RelayerQueue` recursion.)
///
/// The pool only decides *who is served when*; its owner samples service times and
/// schedules completions. That keeps the queueing rule (and its tests) free of the
/// event loop, while latency still rises with load from genuine waiting in line.
public struct WorkerPool<Job>: Sendable where Job: Sendable {
    public let servers: Int
    public private(set) var busy = 0
    var line = FIFOQueue<(job: Job, since: SimTime)>()
    /// Cap on the line; arrivals beyond it are refused (back-pressure).
    public let maxQueue: Int

    public init(servers: Int, maxQueue: Int = 100_000) {
        precondition(servers >= 0 && maxQueue >= 0, "WorkerPool: servers \(servers), maxQueue \(maxQueue)")
        self.servers = servers
        self.maxQueue = maxQueue
    }

    public var waiting: Int { line.count }

    /// A job arrives; the caller starts service when told `.start`.
    public mutating func arrive(_ job: Job, at now: SimTime) -> PoolAdmission {
        if busy < servers {
            busy += 1
            return .start
        }
        if line.count >= maxQueue { return .refused }
        line.append((job, now))
        return .queued
    }

    /// A server finished. Returns the next job to start on it (with when it joined the
    /// line), or `nil` if the line is empty and the server goes idle.
    public mutating func complete() -> (job: Job, since: SimTime)? {
        precondition(busy > 0, "WorkerPool.complete with no busy server")
        if let next = line.popFirst() { return next }
        busy -= 1
        return nil
    }
}
