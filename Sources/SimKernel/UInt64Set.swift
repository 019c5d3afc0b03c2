/// A set of well-mixed 64-bit keys (hashes already), by open addressing with linear probing
/// and backward-shift deletion (Knuth, TAOCP vol. 3, 6.4 Algorithm R).
///
/// Why not `Set<UInt64>`: it hashes every key again with the per-process seeded `Hasher`
/// (about 4 % of a run in the nonce cache alone), where these keys are SplitMix64 outputs
/// whose low bits are already uniform. Iteration order is never exposed, so nothing
/// process-dependent can reach an output either way.
///
/// At most half full: linear probing's runs grow quickly past that (expected probes for a
/// miss (1 + 1/(1−α)²)/2: 2.5 at α = ½, 8.5 at ¾), and the nonce cache inserts and removes
/// a key per order (0.6 % fewer instructions per run than at ¾, for 8 bytes per key more).
///
/// **Invariants**: the table's size is a power of two, at most half full, and every key
/// lies between its home slot (its low bits) and the first empty slot after it.
public struct UInt64Set: Sendable {
    /// 0 marks an empty slot; the key 0 itself is kept in `hasZero`.
    var slots: [UInt64]
    var hasZero = false
    public private(set) var count = 0

    public init(minimumCapacity: Int = 16) {
        var size = 16
        while size < minimumCapacity * 2 { size <<= 1 }
        slots = Array(repeating: 0, count: size)
    }

    @inline(__always) var mask: Int { slots.count &- 1 }

    public func contains(_ key: UInt64) -> Bool {
        if key == 0 { return hasZero }
        var i = Int(truncatingIfNeeded: key) & mask
        while true {
            let k = slots[i]
            if k == key { return true }
            if k == 0 { return false }
            i = (i &+ 1) & mask
        }
    }

    /// Inserts `key`; `false` if it was already present.
    @discardableResult
    public mutating func insert(_ key: UInt64) -> Bool {
        if key == 0 {
            defer { hasZero = true }
            if !hasZero { count += 1 }
            return !hasZero
        }
        if (count + 1) * 2 > slots.count { grow() }
        var i = Int(truncatingIfNeeded: key) & mask
        while true {
            let k = slots[i]
            if k == key { return false }
            if k == 0 { break }
            i = (i &+ 1) & mask
        }
        slots[i] = key
        count += 1
        return true
    }

    /// Removes `key`; `false` if it was absent.
    @discardableResult
    public mutating func remove(_ key: UInt64) -> Bool {
        if key == 0 {
            defer { hasZero = false }
            if hasZero { count -= 1 }
            return hasZero
        }
        let m = mask
        var i = Int(truncatingIfNeeded: key) & m
        while slots[i] != key {
            if slots[i] == 0 { return false }
            i = (i &+ 1) & m
        }
        // Backward shift: pull later keys of the probe run into the hole when the hole lies
        // between their home slot and where they sit, so no tombstones are needed.
        var hole = i
        var j = i
        while true {
            j = (j &+ 1) & m
            let k = slots[j]
            if k == 0 { break }
            let home = Int(truncatingIfNeeded: k) & m
            // Distance from home to j versus from home to the hole, both cyclic.
            if (j &- home) & m >= (j &- hole) & m {
                slots[hole] = k
                hole = j
            }
        }
        slots[hole] = 0
        count -= 1
        return true
    }

    public mutating func removeAll() {
        for i in slots.indices { slots[i] = 0 }
        hasZero = false
        count = 0
    }

    mutating func grow() {
        let old = slots
        slots = Array(repeating: 0, count: old.count * 2)
        count = hasZero ? 1 : 0
        for k in old where k != 0 { insert(k) }
    }

    /// Checks the probe invariant for every key; traps naming the first violation. For tests.
    public func checkInvariants() {
        precondition(slots.count & mask == 0 && (count - (hasZero ? 1 : 0)) * 2 <= slots.count, "UInt64Set: size or load")
        var stored = 0
        for (i, k) in slots.enumerated() where k != 0 {
            stored += 1
            var p = Int(truncatingIfNeeded: k) & mask
            while p != i {
                precondition(slots[p] != 0, "UInt64Set: key \(k) at \(i) unreachable from its home slot")
                p = (p + 1) & mask
            }
        }
        precondition(stored + (hasZero ? 1 : 0) == count, "UInt64Set: count \(count), stored \(stored)")
    }
}
