import SimKernel

/// A token bucket (rate r per second, capacity b): the classic 429 gate.
///
/// Tokens refill continuously at `rate` up to `burst`; each admitted request takes one.
/// Over any interval of length t the bucket admits at most b + r·t requests — the
/// property its tests check. Refill is computed lazily from integer time on each call,
/// so an idle bucket costs nothing.
public struct TokenBucket: Sendable, Equatable {
    public let rate: Double
    public let burst: Double
    public private(set) var tokens: Double
    var last: SimTime

    /// Starts full, as a fresh client's bucket does.
    public init(rate: Double, burst: Double, at start: SimTime = .zero) {
        precondition(rate >= 0 && burst >= 1, "TokenBucket: rate \(rate) must be ≥ 0 and burst \(burst) ≥ 1")
        self.rate = rate
        self.burst = burst
        tokens = burst
        last = start
    }

    /// Takes a token if one is available at `now`.
    public mutating func tryAcquire(at now: SimTime) -> Bool {
        refill(now)
        if tokens >= 1 {
            tokens -= 1
            return true
        }
        return false
    }

    mutating func refill(_ now: SimTime) {
        guard now > last else { return }
        tokens = min(burst, tokens + rate * (now - last).seconds)
        last = now
    }
}
