/// A growable byte buffer with allocation-free number formatting, for the decision log.
///
/// Millions of rows are formatted per run, so numbers are written digit by digit into the
/// buffer: no `String(format:)` (which goes through Foundation and a C varargs call), no
/// intermediate `String`s. Output is exact, locale-free and identical on every platform.
public struct ByteText: Sendable {
    public private(set) var bytes: [UInt8] = []

    public init(capacity: Int = 1 << 16) { bytes.reserveCapacity(capacity) }

    public var count: Int { bytes.count }
    public mutating func removeAll() { bytes.removeAll(keepingCapacity: true) }

    public mutating func append(_ byte: UInt8) { bytes.append(byte) }
    public mutating func append(_ text: String) { bytes.append(contentsOf: text.utf8) }
    public mutating func append(_ raw: [UInt8]) { bytes.append(contentsOf: raw) }

    /// A signed integer in decimal.
    public mutating func append(_ n: Int64) {
        if n < 0 {
            bytes.append(UInt8(ascii: "-"))
            appendUnsigned(UInt64(bitPattern: 0 &- n))
        } else {
            appendUnsigned(UInt64(n))
        }
    }

    public mutating func append(_ n: Int) { append(Int64(n)) }

    mutating func appendUnsigned(_ n: UInt64) {
        if n < 10 { bytes.append(UInt8(truncatingIfNeeded: n) &+ 48); return }
        var digits: (UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8,
                     UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8, UInt8) =
            (0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
        var count = 0
        var v = n
        withUnsafeMutableBytes(of: &digits) { d in
            while v > 0 {
                d[count] = UInt8(truncatingIfNeeded: v % 10) &+ 48
                v /= 10
                count += 1
            }
            for i in stride(from: count - 1, through: 0, by: -1) { bytes.append(d[i]) }
        }
    }

    /// `x` rounded half away from zero to `decimals` places (0…9); non-finite values append
    /// nothing (an empty CSV field). `NumberFormat.fixed` is this, as a `String`.
    public mutating func append(_ x: Double, decimals: Int) {
        guard x.isFinite else { return }
        let scale = pow10[decimals]
        let scaled = (abs(x) * Double(scale)).rounded(.toNearestOrAwayFromZero)
        guard scaled < 9.0e18 else { append(NumberFormat.huge(x, decimals)); return }
        let n = UInt64(scaled)
        if x < 0 && n != 0 { bytes.append(UInt8(ascii: "-")) }
        appendUnsigned(n / scale)
        if decimals > 0 {
            bytes.append(UInt8(ascii: "."))
            var frac = n % scale
            var div = scale / 10
            while div > 0 {
                bytes.append(UInt8(truncatingIfNeeded: frac / div) &+ 48)
                frac %= div
                div /= 10
            }
        }
    }

    private var pow10: [UInt64] { ByteText.powersOf10 }
    static let powersOf10: [UInt64] = [1, 10, 100, 1_000, 10_000, 100_000, 1_000_000, 10_000_000, 100_000_000, 1_000_000_000]
}
