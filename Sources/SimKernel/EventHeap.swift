/// A stable min-heap of timed payloads: the storage behind `EventQueue`.
///
/// Entries are ordered by the key (time, seq). `seq` is unique per entry and assigned in
/// scheduling order by the caller, so entries with equal times come out in the order they
/// were inserted — the property SimPy gets from its (time, priority, eid) key and that
/// swift-collections' `Heap` deliberately does not have.
///
/// Layout: a binary heap (children of i at 2i+1 and 2i+2) in one buffer this type owns.
/// It is **non-copyable**: a future event list has exactly one owner (its simulation), so
/// there is no copy-on-write to pay for. Measured with `bench mmc`, each alternative cost
/// more per event:
/// - `ContiguousArray` storage: a uniqueness check per `append`/`popLast`/
///   `withUnsafeMutableBufferPointer`, optional wrapping, and bounds checks `-O` keeps;
/// - a copy-on-write `ManagedBuffer`: a runtime uniqueness call per insert and per pop;
/// - a class with stored properties: dynamic exclusivity checks on every access (2.3×);
/// - a 4-ary heap: tied at 7 servers (≈ 8 pending events), lost at 500 servers (163 vs
///   111 ns per event) — its extra child comparisons cost more than the levels it saves.
///
/// **Invariant** (checked by `checkInvariants()`): for every index i > 0,
/// `key(entry[(i - 1) / 2]) < key(entry[i])`. Keys are unique, so `<` is strict.
public struct EventHeap<Payload>: ~Copyable {
    /// One scheduled entry. `time` is raw microseconds so the hot comparison is two integer
    /// compares with no wrapper calls, even in unoptimised builds.
    public struct Entry {
        public var time: Int64
        public var seq: UInt64
        public var payload: Payload

        @inlinable public init(time: Int64, seq: UInt64, payload: Payload) {
            self.time = time
            self.seq = seq
            self.payload = payload
        }

        @inlinable @inline(__always)
        static func precedes(_ a: Entry, _ b: Entry) -> Bool {
            a.time < b.time || (a.time == b.time && a.seq < b.seq)
        }
    }

    /// Entries `0..<count` are initialised; `count..<capacity` are not.
    @usableFromInline var base: UnsafeMutablePointer<Entry>
    @usableFromInline var _count = 0
    @usableFromInline var capacity: Int

    /// - Complexity: O(1).
    public init(minimumCapacity: Int = 16) {
        capacity = Swift.max(minimumCapacity, 4)
        base = .allocate(capacity: capacity)
    }

    deinit {
        base.deinitialize(count: _count)
        base.deallocate()
    }

    /// - Complexity: O(1).
    @inlinable public var count: Int { _count }
    /// - Complexity: O(1).
    @inlinable public var isEmpty: Bool { _count == 0 }
    /// The entry with the smallest (time, seq), without removing it.
    /// - Complexity: O(1).
    @inlinable public var min: Entry? { _count > 0 ? base[0] : nil }

    /// A copy of the entries in heap (not sorted) order; for checks and tests.
    public var unorderedEntries: [Entry] { Array(UnsafeBufferPointer(start: base, count: _count)) }

    /// Doubles the capacity. Out of line: it runs O(log n) times in a whole run.
    @usableFromInline mutating func grow() {
        let newCapacity = capacity * 2
        let newBase = UnsafeMutablePointer<Entry>.allocate(capacity: newCapacity)
        newBase.moveInitialize(from: base, count: _count)
        base.deallocate()
        base = newBase
        capacity = newCapacity
    }

    /// Adds an entry. The caller guarantees `seq` is unique within this heap.
    /// - Complexity: O(log n) comparisons; amortised O(1) storage growth.
    @inlinable public mutating func insert(_ entry: Entry) {
        if _count == capacity { grow() }
        let base = self.base
        // Sift up with a hole: the hole is uninitialised memory that moves towards the
        // root as later parents move down into it.
        var hole = _count
        _count = hole &+ 1
        while hole > 0 {
            let parent = (hole &- 1) >> 1
            if !Entry.precedes(entry, base[parent]) { break }
            (base + hole).moveInitialize(from: base + parent, count: 1)
            hole = parent
        }
        (base + hole).initialize(to: entry)
        assertInvariants()
    }

    /// Removes and returns the entry with the smallest (time, seq).
    /// - Complexity: O(log n) comparisons.
    @inlinable public mutating func popMin() -> Entry? { popMin(before: .max) }

    /// Removes and returns the entry with the smallest (time, seq) if its time is before
    /// `limit` (microseconds); otherwise leaves the heap alone and returns `nil`. One pass,
    /// so the event loop's peek-then-pop reads the root once.
    /// - Complexity: O(log n) comparisons.
    @inlinable public mutating func popMin(before limit: Int64) -> Entry? {
        if _count == 0 || base[0].time >= limit { return nil }
        let base = self.base
        let n = _count &- 1
        _count = n
        let top = base.move()
        if n > 0 {
            let last = (base + n).move()
            // Sift down with a hole from the root, moving the earlier child up each level.
            var hole = 0
            while true {
                var child = 2 &* hole &+ 1
                if child >= n { break }
                if child &+ 1 < n && Entry.precedes(base[child &+ 1], base[child]) { child &+= 1 }
                if !Entry.precedes(base[child], last) { break }
                (base + hole).moveInitialize(from: base + child, count: 1)
                hole = child
            }
            (base + hole).initialize(to: last)
        }
        assertInvariants()
        return top
    }

    /// Removes every entry, keeping the allocated capacity for reuse.
    /// - Complexity: O(n) to release payloads.
    public mutating func removeAll() {
        base.deinitialize(count: _count)
        _count = 0
    }
}

extension EventHeap {
    /// Verifies the heap property over the whole buffer; traps naming the first violation.
    ///
    /// - Complexity: O(n). Call it from tests; mutations call `assertInvariants()`, which
    ///   compiles to nothing in optimised builds.
    public func checkInvariants() {
        let entries = unorderedEntries
        precondition(count <= capacity, "EventHeap: count \(count) > capacity \(capacity)")
        for i in entries.indices.dropFirst() {
            let parent = (i - 1) / 2
            precondition(
                Entry.precedes(entries[parent], entries[i]),
                "EventHeap invariant broken: parent \(parent) (t=\(entries[parent].time), seq=\(entries[parent].seq)) "
                    + "does not precede child \(i) (t=\(entries[i].time), seq=\(entries[i].seq))")
        }
    }

    /// Debug-build invariant check after each mutation, skipped for large heaps so that
    /// debug-mode tests stay O(n log n) rather than O(n²) overall.
    @inlinable @inline(__always) func assertInvariants() {
        #if DEBUG
        if count <= 64 { checkInvariants() }
        #endif
    }
}
