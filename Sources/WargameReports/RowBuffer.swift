/// One large output buffer that rows are formatted into in place, for the streamed logs.
///
/// Why not `ByteText`: composing a row in scratch space and appending it copies every byte
/// twice and pays the array's uniqueness and capacity checks per row; the decision logs
/// write a few million rows a run. Here a row reserves its worst case once, a `RowWriter`
/// writes straight into the buffer, and the caller hands the whole buffer to the file when
/// it passes `threshold`. A class because it owns raw memory.
public final class RowBuffer {
    public let threshold: Int
    /// Room for rows beyond the threshold: a row may start just below it.
    let slack: Int
    @usableFromInline let base: UnsafeMutablePointer<UInt8>
    /// Unchecked exclusivity: a class's stored `var` otherwise costs a dynamic access check
    /// (`swift_beginAccess`) on every row, 3 % of a run by callgrind. Only `row` and
    /// `removeAll` write it, never reentrantly (a row's body gets a `RowWriter`, not the buffer).
    @exclusivity(unchecked) public private(set) var count = 0

    /// `maxRowBytes` bounds one row; a row longer than that is a programming error.
    public init(threshold: Int = 1 << 20, maxRowBytes: Int = 4_096) {
        precondition(threshold > 0 && maxRowBytes > 0, "RowBuffer: threshold \(threshold), maxRowBytes \(maxRowBytes)")
        self.threshold = threshold
        slack = maxRowBytes
        base = .allocate(capacity: threshold + maxRowBytes)
    }

    deinit { base.deallocate() }

    /// Whether the buffer has passed its threshold and should be written out.
    @inline(__always) public var isFull: Bool { count >= threshold }

    /// Formats one row (at most the `maxRowBytes` given at init) in place.
    @inline(__always) public func row(_ body: (inout RowWriter) -> Void) {
        precondition(count < threshold + slack, "RowBuffer: a row started past the threshold; flush first")
        var w = RowWriter(base + count)
        body(&w)
        precondition(w.count <= slack, "RowBuffer: a row of \(w.count) bytes exceeds maxRowBytes \(slack)")
        count &+= w.count
    }

    /// The buffered bytes, valid until the next `row` or `removeAll`.
    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: count) }

    public func removeAll() { count = 0 }
}

/// Short names (regions, providers, decision kinds, reasons…) stored back to back in one
/// allocation and written by index, so a row costs no `String` and no reference counting.
public final class NameTable {
    let storage: UnsafeMutablePointer<UInt8>
    let starts: UnsafeMutablePointer<Int>
    public let count: Int
    public let longest: Int

    public init(_ names: [String]) {
        let encoded = names.map { Array($0.utf8) }
        count = encoded.count
        longest = encoded.map(\.count).max() ?? 0
        let total = encoded.reduce(0) { $0 + $1.count }
        storage = .allocate(capacity: max(total, 1))
        starts = .allocate(capacity: count + 1)
        var at = 0
        for (i, name) in encoded.enumerated() {
            starts[i] = at
            name.withUnsafeBufferPointer { (storage + at).initialize(from: $0.baseAddress ?? UnsafePointer(storage), count: $0.count) }
            at += name.count
        }
        starts[count] = at
    }

    deinit {
        storage.deallocate()
        starts.deallocate()
    }

    /// Writes name `i` (0 ≤ i < count).
    @inline(__always) public func write(_ i: Int, to w: inout RowWriter) {
        precondition(i >= 0 && i < count, "NameTable: index \(i) of \(count)")
        let start = starts[i]
        w.bytes(storage + start, count: starts[i &+ 1] &- start)
    }
}
