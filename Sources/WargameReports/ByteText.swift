/// Writes text and numbers into a caller-provided byte buffer with no checks per byte:
/// the one implementation of the project's number formatting (`ByteText`, `RowBuffer` and
/// `NumberFormat.fixed` use it). The caller guarantees room: every method writes at most
/// `RowWriter.maxNumberBytes` bytes for a number.
///
/// Hot: the decision logs call it a few million times a run. Divisors are constants (the
/// compiler turns them into multiplications) and digits go out two at a time.
public struct RowWriter {
    @usableFromInline let base: UnsafeMutablePointer<UInt8>
    public private(set) var count = 0

    /// The longest number: `fixed` of the largest double at 9 decimals writes its 309
    /// integer digits in full (a sign, 309 digits, a point, 9 decimals). Ordinary values
    /// take under 32 bytes, but a row's reservation must hold the worst case.
    public static let maxNumberBytes = 320

    @inlinable public init(_ base: UnsafeMutablePointer<UInt8>) { self.base = base }

    @inline(__always) public mutating func byte(_ b: UInt8) {
        base[count] = b
        count &+= 1
    }

    public mutating func bytes(_ raw: [UInt8]) {
        raw.withUnsafeBufferPointer { src in bytes(src.baseAddress!, count: src.count) }
    }

    @inline(__always) public mutating func bytes(_ start: UnsafePointer<UInt8>, count n: Int) {
        (base + count).update(from: start, count: n)
        count &+= n
    }

    @inline(__always) public mutating func integer(_ n: Int64) {
        if n < 0 {
            byte(UInt8(ascii: "-"))
            unsigned(UInt64(bitPattern: 0 &- n))
        } else {
            unsigned(UInt64(n))
        }
    }

    /// Decimal digits of `n` (1 for 0).
    @inline(__always) static func digitCount(_ n: UInt64) -> Int {
        var d = 1, v = n
        while v >= 10_000 { v /= 10_000; d &+= 4 }
        if v >= 100 { v /= 100; d &+= 2 }
        if v >= 10 { d &+= 1 }
        return d
    }

    public mutating func unsigned(_ n: UInt64) {
        // Most fields are ids, counts and attempts of one or two digits.
        if n < 10 {
            byte(UInt8(truncatingIfNeeded: n) &+ 48)
        } else if n < 100 {
            let tens = (n &* 103) &>> 10  // n / 10 below 100
            base[count] = UInt8(truncatingIfNeeded: tens) &+ 48
            base[count &+ 1] = UInt8(truncatingIfNeeded: n &- tens &* 10) &+ 48
            count &+= 2
        } else {
            digitsRight(n, width: Self.digitCount(n))
        }
    }

    /// Writes the low `width` digits of `v`, zero-padded: the fraction of a fixed number.
    @inline(__always) mutating func digitsRight(_ value: UInt64, width: Int) {
        var v = value
        var i = count &+ width
        while i &- count >= 2 {
            let pair = Int(truncatingIfNeeded: v % 100)
            v /= 100
            i &-= 2
            base[i] = UInt8(truncatingIfNeeded: pair / 10) &+ 48
            base[i &+ 1] = UInt8(truncatingIfNeeded: pair % 10) &+ 48
        }
        if i > count { base[count] = UInt8(truncatingIfNeeded: v % 10) &+ 48 }
        count &+= width
    }

    /// An integer number of thousandths as `units/1000` with three decimals — exactly what
    /// `fixed(Double(units) / 1_000, decimals: 3)` writes, without floating point. For
    /// microseconds shown as milliseconds.
    @inline(__always) public mutating func thousandths(_ units: Int64) {
        if units < 0 { byte(UInt8(ascii: "-")) }
        let m = units.magnitude
        unsigned(m / 1_000)
        byte(UInt8(ascii: "."))
        digitsRight(m % 1_000, width: 3)
    }

    /// `x` rounded half away from zero to `decimals` places (0…9); non-finite values write
    /// nothing (an empty CSV field). Values beyond 9e18 / 10^decimals (no KPI comes near)
    /// are written in full through `NumberFormat.huge`.
    public mutating func fixed(_ x: Double, decimals: Int) {
        precondition(decimals >= 0 && decimals < Self.powersOf10.count, "RowWriter.fixed: \(decimals) decimals (0…9)")
        guard x.isFinite else { return }
        switch decimals {
        case 3: fixed(x, decimals: 3, scale: 1_000)
        case 4: fixed(x, decimals: 4, scale: 10_000)
        case 2: fixed(x, decimals: 2, scale: 100)
        case 6: fixed(x, decimals: 6, scale: 1_000_000)
        default: fixed(x, decimals: decimals, scale: RowWriter.powersOf10[decimals])
        }
    }

    /// |x|·scale rounded half away from zero — the integer whose digits `fixed` writes — or
    /// `nil` beyond 9e18, where `fixed` writes the number through `NumberFormat.huge`.
    @inline(__always) static func scaledMagnitude(_ x: Double, scale: UInt64) -> Double? {
        let scaled = (abs(x) * Double(scale)).rounded(.toNearestOrAwayFromZero)
        return scaled < 9.0e18 ? scaled : nil
    }

    @inline(__always) mutating func fixed(_ x: Double, decimals: Int, scale: UInt64) {
        guard let scaled = Self.scaledMagnitude(x, scale: scale) else {
            for b in NumberFormat.huge(x, decimals).utf8 { byte(b) }
            return
        }
        let n = UInt64(scaled)
        if x < 0 && n != 0 { byte(UInt8(ascii: "-")) }
        unsigned(n / scale)
        if decimals > 0 {
            byte(UInt8(ascii: "."))
            digitsRight(n % scale, width: decimals)
        }
    }

    static let powersOf10: [UInt64] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000]
}

/// A growable byte buffer for short texts (a number, a line): composed with a `RowWriter`
/// in scratch space and appended whole. Large streamed outputs use `RowBuffer` instead.
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
        compose(maxBytes: RowWriter.maxNumberBytes) { $0.fixed(x, decimals: decimals) }
    }
}
