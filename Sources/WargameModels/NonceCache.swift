import SimKernel

/// Replay protection: remembers each (tenant, nonce) for a TTL and reports reuse.
///
/// Membership uses a `Set`, which is fine for determinism because only `contains` is ever
/// asked — its iteration order never reaches a run. Expiry walks a FIFO of insertion
/// times, so memory is bounded by the nonces seen within one TTL.
public struct NonceCache: Sendable {
    public let ttl: SimDuration
    var seen = UInt64Set()
    var expiries = FIFOQueue<(at: SimTime, key: UInt64)>()

    public init(ttl: SimDuration) { self.ttl = ttl }

    public var count: Int { seen.count }

    /// Records the nonce; `false` if it was already seen within the TTL (a replay).
    public mutating func checkAndInsert(tenant: Int, nonce: UInt64, at now: SimTime) -> Bool {
        expire(now)
        let key = SplitMix64.mix(UInt64(tenant) &* 0x9E37_79B9_7F4A_7C15 ^ nonce)
        guard seen.insert(key) else { return false }
        expiries.append((now + ttl, key))
        return true
    }

    mutating func expire(_ now: SimTime) {
        while let e = expiries.first, e.at <= now {
            seen.remove(e.key)
            _ = expiries.popFirst()
        }
    }

    /// The runbook's "purge nonce cache": forget everything.
    public mutating func purge() {
        seen.removeAll()
        expiries = FIFOQueue()
    }
}
