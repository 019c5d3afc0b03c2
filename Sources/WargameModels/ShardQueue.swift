import SimKernel

/// One shard's quotas, as the AGI Jobs ShardRegistry sets them.
public struct ShardConfig: Sendable, Equatable {
    public var name: String
    /// Queued + active jobs admitted and not yet finished.
    public var maxOpenJobs: Int
    /// Jobs assigned to providers at once.
    public var maxActiveJobs: Int
    /// Largest reward (GPU hours × budget per GPU hour) a job may carry.
    public var rewardCap: Double
    /// Longest job accepted.
    public var maxJobDuration: SimDuration

    public init(name: String, maxOpenJobs: Int, maxActiveJobs: Int, rewardCap: Double, maxJobDuration: SimDuration) {
        self.name = name
        self.maxOpenJobs = maxOpenJobs
        self.maxActiveJobs = maxActiveJobs
        self.rewardCap = rewardCap
        self.maxJobDuration = maxJobDuration
    }
}

/// A shard's job queue: admission against quotas, a FIFO of admitted jobs waiting for a
/// provider, and the open / active counters that `getShardUsage` reports.
///
/// **Invariants**: `open == waiting + active`, `open ≤ maxOpenJobs`, `active ≤ maxActiveJobs`
/// — except transiently after governance lowers a quota, when existing jobs drain but no
/// new ones are admitted or started until usage is back under it.
public struct ShardQueue: Sendable {
    public var config: ShardConfig
    public private(set) var paused = false
    public private(set) var active = 0
    var line = FIFOQueue<OrderRef>()
    /// Orders in the line that left it early (timed out); skipped when reached.
    var departed = 0

    /// Jobs above a quota that governance lowered under current usage. They may drain but
    /// never grow back: the allowance only shrinks (see `settleAllowance`).
    public private(set) var openAllowance = 0
    public private(set) var activeAllowance = 0

    public init(config: ShardConfig) { self.config = config }

    /// Sets new quotas; usage already above them is grandfathered until it drains.
    public mutating func setQuotas(maxOpenJobs: Int, maxActiveJobs: Int) {
        config.maxOpenJobs = maxOpenJobs
        config.maxActiveJobs = maxActiveJobs
        openAllowance = max(0, open - maxOpenJobs)
        activeAllowance = max(0, active - maxActiveJobs)
    }

    mutating func settleAllowance() {
        openAllowance = min(openAllowance, max(0, open - config.maxOpenJobs))
        activeAllowance = min(activeAllowance, max(0, active - config.maxActiveJobs))
    }

    public var waiting: Int { line.count - departed }
    public var open: Int { waiting + active }

    /// Admission: `.none` if the job joins the line, else why not.
    public mutating func admit(_ ref: OrderRef, order: Order, systemPaused: Bool) -> Reason {
        if systemPaused { return .systemPaused }
        if paused { return .shardPaused }
        if order.gpuHours * order.budgetPerGPUHour > config.rewardCap { return .overRewardCap }
        if SimDuration(seconds: order.gpuHours * 3600) > config.maxJobDuration { return .durationExceeded }
        if open >= config.maxOpenJobs { return .shardFull }
        line.append(ref)
        return .none
    }

    /// Whether a waiting job may be started now.
    public var canStart: Bool { !paused && active < config.maxActiveJobs && waiting > 0 }

    /// The next waiting job, without removing it (the caller may be unable to place it).
    public mutating func peek(isLive: (OrderRef) -> Bool) -> OrderRef? {
        while let head = line.first, !isLive(head) {
            _ = line.popFirst()
            departed -= 1
        }
        return line.first
    }

    /// Moves the head job from waiting to active.
    public mutating func startHead() {
        _ = line.popFirst()
        active += 1
    }

    /// An active job left (finished, failed for good, or went back to waiting).
    public mutating func finishActive() {
        precondition(active > 0, "ShardQueue \(config.name): finishing with no active job")
        active -= 1
        settleAllowance()
    }

    /// A waiting job left the line early (dropped after waiting too long). It is skipped
    /// lazily when it reaches the head.
    public mutating func abandonWaiting() {
        departed += 1
        settleAllowance()
    }

    public mutating func pause() { paused = true }
    public mutating func unpause() { paused = false }
}
