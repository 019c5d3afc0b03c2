/// A stable min-heap of timed payloads: the storage behind `EventQueue`.
///
/// Entries are ordered by the key (time, seq). `seq` is unique per entry and assigned in
/// scheduling order by the caller, so entries with equal times come out in the order they
/// were inserted — the property SimPy gets from its (time, priority, eid) key and that
/// swift-collections' `Heap` deliberately does not have.
///
/// Layout: a binary heap (children of i at 2i+1 and 2i+2) in one buffer that this type
/// manages itself, with copy-on-write value semantics. Measured with `bench mmc`:
/// - a 4-ary heap tied at 7 servers (≈ 8 pending events) and lost at 500 servers (163 vs
///   111 ns per event): its extra child comparisons cost more than the levels it saves;
/// - a `ContiguousArray` spent more instructions per event than this buffer (a uniqueness
///   check per `append`/`popLast`/`withUnsafeMutableBufferPointer`, optional wrapping, and
///   bounds checks that `-O` keeps).
///
/// **Invariant** (checked by `checkInvariants()`): for every index i > 0,
/// `key(entry[(i - 1) / 2]) < key(entry[i])`. Keys are unique, so `<` is strict.
public struct EventHeap<Payload> {
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

    @usableFromInline var buffer: EventHeapBuffer<Entry>

    /// - Complexity: O(1).
    public init(minimumCapacity: Int = 16) {
        buffer = EventHeapBuffer.make(capacity: Swift.max(minimumCapacity, 4))
    }

    /// - Complexity: O(1).
    @inlinable public var count: Int { buffer.withUnsafeMutablePointerToHeader { $0.pointee.count } }
    /// - Complexity: O(1).
    @inlinable public var isEmpty: Bool { count == 0 }
    @inlinable var capacity: Int { buffer.withUnsafeMutablePointerToHeader { $0.pointee.capacity } }
    /// The entry with the smallest (time, seq), without removing it.
    /// - Complexity: O(1).
    @inlinable public var min: Entry? {
        buffer.withUnsafeMutablePointers { h, base in h.pointee.count > 0 ? base[0] : nil }
    }

    /// A copy of the entries in heap (not sorted) order; for checks and tests.
    public var unorderedEntries: [Entry] {
        buffer.withUnsafeMutablePointers { h, base in Array(UnsafeBufferPointer(start: base, count: h.pointee.count)) }
    }

    /// Copy-on-write, and room for one more entry.
    @inlinable @inline(__always) mutating func prepareToInsert() {
        if !isKnownUniquelyReferenced(&buffer) {
            buffer = buffer.copy(capacity: capacity)
        }
        if count == capacity {
            buffer = buffer.copy(capacity: capacity * 2)
        }
    }

    /// Adds an entry. The caller guarantees `seq` is unique within this heap.
    /// - Complexity: O(log n) comparisons; amortised O(1) storage growth.
    @inlinable public mutating func insert(_ entry: Entry) {
        prepareToInsert()
        buffer.withUnsafeMutablePointers { h, base in
            // Sift up with a hole: the hole is uninitialised memory that moves towards the
            // root as later parents move down into it.
            var hole = h.pointee.count
            h.pointee.count = hole &+ 1
            while hole > 0 {
                let parent = (hole &- 1) >> 1
                if !Entry.precedes(entry, base[parent]) { break }
                (base + hole).moveInitialize(from: base + parent, count: 1)
                hole = parent
            }
            (base + hole).initialize(to: entry)
        }
        assertInvariants()
    }

    /// Removes and returns the entry with the smallest (time, seq).
    /// - Complexity: O(log n) comparisons.
    @inlinable public mutating func popMin() -> Entry? { popMin(before: .max) }

    /// Removes and returns the entry with the smallest (time, seq) if its time is before
    /// `limit` (microseconds); otherwise leaves the heap alone and returns `nil`. One pass,
    /// so the event loop's peek-then-pop costs a single buffer access.
    /// - Complexity: O(log n) comparisons.
    @inlinable public mutating func popMin(before limit: Int64) -> Entry? {
        if !isKnownUniquelyReferenced(&buffer) { buffer = buffer.copy(capacity: capacity) }
        let top = buffer.withUnsafeMutablePointers { h, base -> Entry? in
            if h.pointee.count == 0 || base[0].time >= limit { return nil }
            let n = h.pointee.count &- 1
            h.pointee.count = n
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
            return top
        }
        assertInvariants()
        return top
    }

    /// Removes every entry, keeping the allocated capacity for reuse.
    /// - Complexity: O(n) to release payloads.
    public mutating func removeAll() {
        if !isKnownUniquelyReferenced(&buffer) { buffer = buffer.copy(capacity: capacity) }
        buffer.withUnsafeMutablePointers { h, base in
            base.deinitialize(count: h.pointee.count)
            h.pointee.count = 0
        }
    }
}

/// Count and capacity of an `EventHeapBuffer`.
@usableFromInline struct EventHeapHeader {
    @usableFromInline var count: Int
    @usableFromInline var capacity: Int
    @usableFromInline init(count: Int, capacity: Int) {
        self.count = count
        self.capacity = capacity
    }
}

/// The heap's memory. A `ManagedBuffer` (header and elements in one allocation) rather
/// than a class with stored properties, because stored class properties pay a dynamic
/// exclusivity check on every access in release builds — measured at 2.3× the cost per
/// event. For the same reason the header is only ever reached through its pointer
/// (`withUnsafeMutablePointerToHeader`), never through `ManagedBuffer.header`.
@usableFromInline final class EventHeapBuffer<Element>: ManagedBuffer<EventHeapHeader, Element> {
    @usableFromInline static func make(capacity: Int) -> EventHeapBuffer {
        let made = EventHeapBuffer.create(minimumCapacity: capacity) { _ in
            EventHeapHeader(count: 0, capacity: capacity)
        }
        return unsafeDowncast(made, to: EventHeapBuffer.self)
    }

    /// A copy of the live elements in a buffer of `capacity` (≥ count).
    @usableFromInline func copy(capacity: Int) -> EventHeapBuffer {
        let other = EventHeapBuffer.make(capacity: capacity)
        withUnsafeMutablePointers { h, base in
            other.withUnsafeMutablePointers { oh, obase in
                obase.initialize(from: base, count: h.pointee.count)
                oh.pointee.count = h.pointee.count
            }
        }
        return other
    }

    deinit {
        withUnsafeMutablePointers { h, base in _ = base.deinitialize(count: h.pointee.count) }
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
