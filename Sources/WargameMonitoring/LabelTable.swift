/// A hash table keyed by label sets, probing by their FNV fingerprint.
///
/// Swift's `Dictionary` hashes every key with a seeded SipHash (tens of nanoseconds even
/// for one word); rule evaluation looks up label sets for every sample of every rule at
/// every evaluation, so that alone was a tenth of a run with a rule file. The fingerprint
/// is computed once, when the label set is made.
///
/// Invariants: up to `linearLimit` entries there are no slots and lookups scan the entries
/// (most tables in a rule evaluation hold a handful, and allocating slots for them cost more
/// than the scan). Past it, `slots` has a power-of-two count at least twice `entries.count`;
/// each entry is referenced by exactly one slot, on its fingerprint's probe sequence
/// (linear, from `fingerprint & mask`), with no empty slot between. Entries stay in
/// insertion order, so iterating them is deterministic.
struct LabelTable<Value> {
    static var linearLimit: Int { 8 }
    private(set) var entries: [(key: Labels, value: Value)] = []
    private var slots: [Int32] = []
    private var mask = 0

    init(capacity: Int = 0) {
        entries.reserveCapacity(capacity)
        if capacity > Self.linearLimit { rehash(minimum: capacity) }
    }

    var count: Int { entries.count }

    /// The slot holding `key`, or the empty slot where it would go (hashed mode only).
    private func probe(_ key: Labels) -> Int {
        var i = Int(truncatingIfNeeded: key.fingerprint) & mask
        while true {
            let e = Int(slots[i])
            if e < 0 || entries[e].key == key { return i }
            i = (i + 1) & mask
        }
    }

    /// The entry index of `key`, if present.
    func index(of key: Labels) -> Int? {
        guard !slots.isEmpty else { return entries.firstIndex { $0.key == key } }
        let e = Int(slots[probe(key)])
        return e < 0 ? nil : e
    }

    subscript(_ key: Labels) -> Value? {
        index(of: key).map { entries[$0].value }
    }

    /// Adds `key`, which must be absent; returns its entry index.
    @discardableResult
    mutating func insert(_ key: Labels, _ value: Value) -> Int {
        entries.append((key, value))
        if slots.isEmpty {
            if entries.count > Self.linearLimit { rehash(minimum: entries.count) }
        } else if entries.count * 2 > slots.count {
            rehash(minimum: entries.count)
        } else {
            let s = probe(key)
            precondition(slots[s] < 0, "LabelTable.insert of a key already present")
            slots[s] = Int32(entries.count - 1)
        }
        return entries.count - 1
    }

    mutating func removeAll() {
        entries.removeAll(keepingCapacity: true)
        slots = []
        mask = 0
    }

    private mutating func rehash(minimum: Int) {
        var n = 16
        while n < minimum * 2 { n *= 2 }
        slots = Array(repeating: -1, count: n)
        mask = n - 1
        for (e, entry) in entries.enumerated() {
            var i = Int(truncatingIfNeeded: entry.key.fingerprint) & mask
            while slots[i] >= 0 {
                precondition(entries[Int(slots[i])].key != entry.key, "LabelTable.insert of a key already present")
                i = (i + 1) & mask
            }
            slots[i] = Int32(e)
        }
    }
}
