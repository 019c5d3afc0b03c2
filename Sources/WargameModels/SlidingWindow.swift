import SimKernel

/// Sliding-window log limiter: at most `limit` admissions in any window of length `window`.
///
/// Exact (it remembers each admission time) and memory-bounded by `limit`. The Vagus
/// runbook's limiter tracks "requests per window"; this is its precise form.
public struct SlidingWindowLog: Sendable {
    public let limit: Int
    public let window: SimDuration
    var admitted = FIFOQueue<SimTime>()

    public init(limit: Int, window: SimDuration) {
        precondition(limit >= 1 && window.microseconds > 0, "SlidingWindowLog: limit \(limit), window \(window)")
        self.limit = limit
        self.window = window
    }

    /// Admissions still inside the window ending at `now`.
    public mutating func usage(at now: SimTime) -> Int {
        while let oldest = admitted.first, oldest <= now - window { _ = admitted.popFirst() }
        return admitted.count
    }

    public mutating func tryAcquire(at now: SimTime) -> Bool {
        if usage(at: now) >= limit { return false }
        admitted.append(now)
        return true
    }
}

/// Sliding-window counter limiter: the approximate, O(1)-memory form (as in Cloudflare's
/// and many API gateways' limiters). The previous fixed window's count is weighted by how
/// much of it still overlaps the sliding window; admit while that estimate is below `limit`.
public struct SlidingWindowCounter: Sendable, Equatable {
    public let limit: Int
    public let window: SimDuration
    var windowIndex: Int64 = 0
    var current = 0
    var previous = 0

    public init(limit: Int, window: SimDuration) {
        precondition(limit >= 1 && window.microseconds > 0, "SlidingWindowCounter: limit \(limit), window \(window)")
        self.limit = limit
        self.window = window
    }

    /// The weighted estimate of admissions in the window ending at `now`.
    public mutating func estimate(at now: SimTime) -> Double {
        roll(now)
        let intoWindow = Double(now.microseconds % window.microseconds) / Double(window.microseconds)
        return Double(previous) * (1 - intoWindow) + Double(current)
    }

    public mutating func tryAcquire(at now: SimTime) -> Bool {
        if estimate(at: now) + 1 > Double(limit) { return false }
        current += 1
        return true
    }

    mutating func roll(_ now: SimTime) {
        let index = now.microseconds / window.microseconds
        if index == windowIndex { return }
        previous = index == windowIndex + 1 ? current : 0
        current = 0
        windowIndex = index
    }
}
