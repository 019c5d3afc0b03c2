/// Writes text and numbers into a caller-provided byte buffer with no checks per byte:
/// the one implementation of the project's number formatting (`ByteText` and
/// `NumberFormat.fixed` use it). The caller guarantees room: every method writes at most
/// `RowWriter.maxNumberBytes` bytes for a number.
public struct RowWriter {
    let base: UnsafeMutablePointer<UInt8>
    public private(set) var count = 0

    public static let maxNumberBytes = 32

    public init(_ base: UnsafeMutablePointer<UInt8>) { self.base = base }

    @inline(__always) public mutating func byte(_ b: UInt8) {
        base[count] = b
        count &+= 1
    }

    public mutating func bytes(_ raw: [UInt8]) {
        raw.withUnsafeBufferPointer { src in
            (base + count).update(from: src.baseAddress!, count: src.count)
        }
        count += raw.count
    }

    public mutating func integer(_ n: Int64) {
        if n < 0 {
            byte(UInt8(ascii: "-"))
            unsigned(UInt64(bitPattern: 0 &- n))
        } else {
            unsigned(UInt64(n))
        }
    }

    public mutating func unsigned(_ n: UInt64) {
        var digits = 1
        var probe = n
        while probe >= 10 { probe /= 10; digits += 1 }
        var v = n
        var i = count + digits - 1
        repeat {
            base[i] = UInt8(truncatingIfNeeded: v % 10) &+ 48
            v /= 10
            i -= 1
        } while v > 0
        count += digits
    }

    /// `x` rounded half away from zero to `decimals` places (0…9); non-finite values write
    /// nothing (an empty CSV field). Values beyond 9e18 / 10^decimals (no KPI comes near)
    /// are written in full through `NumberFormat.huge`.
    public mutating func fixed(_ x: Double, decimals: Int) {
        guard x.isFinite else { return }
        let scale = RowWriter.powersOf10[decimals]
        let scaled = (abs(x) * Double(scale)).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9.0e18 else {
            for b in NumberFormat.huge(x, decimals).utf8 { byte(b) }
            return
        }
        let n = UInt64(scaled)
        if x < 0 && n != 0 { byte(UInt8(ascii: "-")) }
        unsigned(n / scale)
        if decimals > 0 {
            byte(UInt8(ascii: "."))
            var frac = n % scale
            var div = scale / 10
            while div > 0 {
                byte(UInt8(truncatingIfNeeded: frac / div) &+ 48)
                frac %= div
                div /= 10
            }
        }
    }

    static let powersOf10: [UInt64] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000]
}

/// A growable byte buffer for streamed output: rows are composed with a `RowWriter` in
/// scratch space and appended whole, so the array's checks are paid per row, not per byte.
public struct ByteText: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 1 << 16) { bytes.reserveCapacity(capacity) }

    public var count: Int { bytes.count }
    public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    /// Composes up to `maxBytes` bytes with `body` and appends them.
    public mutating func compose(maxBytes: Int, _ body: (inout RowWriter) -> Void) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: maxBytes) { scratch in
            var w = RowWriter(scratch.baseAddress!)
            body(&w)
            precondition(w.count <= maxBytes, "ByteText.compose overflowed its \(maxBytes)-byte scratch")
            bytes.append(contentsOf: UnsafeBufferPointer(start: scratch.baseAddress!, count: w.count))
        }
    }

    public mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }
    public mutating func append(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }
    public mutating func append(_ n: Int) { compose(maxBytes: RowWriter.maxNumberBytes) { $0.integer(Int64(n)) } }
    public mutating func append(_ x: Double, decimals: Int) {
        compose(maxBytes: 64) { $0.fixed(x, decimals: decimals) }
    }
}
