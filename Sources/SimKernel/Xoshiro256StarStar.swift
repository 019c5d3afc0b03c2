/// SplitMix64 (Steele, Lea & Flood 2014): the seeding generator and mixing function.
///
/// Used only to expand one 64-bit seed into xoshiro's 256-bit state, as Vigna recommends,
/// and as a stable 64-bit mixer for deriving stream seeds. Reference: splitmix64.c at
/// prng.di.unimi.it; seed 0 yields 0xE220A8397B1DCDAF, 0x6E789E6AA1B965F4, ….
public struct SplitMix64: Sendable {
    public var state: UInt64

    @inlinable public init(state: UInt64) { self.state = state }

    @inlinable public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return SplitMix64.mix(state)
    }

    /// The SplitMix64 output function (a bijection on 64 bits): a stable, platform-free hash
    /// finaliser, unlike Swift's per-process randomised `Hasher`.
    @inlinable public static func mix(_ x: UInt64) -> UInt64 {
        var z = x
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// xoshiro256** 1.0 (Blackman & Vigna 2018): the project's only random number generator.
///
/// Fast (a few shifts and rotations), 256 bits of state, period 2^256 − 1, and passes
/// BigCrush; the state is four words, so a stream is a cheap value type that can be copied,
/// stored in a model, and threaded explicitly — never a global. Reference output from the
/// state {1, 2, 3, 4}: 11520, 0, 1509978240, 1215971899390074240 (pinned in the tests).
///
/// It conforms to `RandomNumberGenerator` for convenience, but the standard library's
/// algorithms that consume one (`shuffle`, `random(in:)`) are not promised to be stable
/// across Swift versions; anything that reaches an output uses the methods below.
public struct Xoshiro256StarStar: RandomNumberGenerator, Sendable {
    @usableFromInline var s0, s1, s2, s3: UInt64

    /// Expands `seed` through SplitMix64, which never yields the all-zero state.
    @inlinable public init(seed: UInt64) {
        var sm = SplitMix64(state: seed)
        s0 = sm.next(); s1 = sm.next(); s2 = sm.next(); s3 = sm.next()
    }

    /// Sets the raw state, for reference vectors. The state must not be all zero.
    public init(state: (UInt64, UInt64, UInt64, UInt64)) {
        precondition(state != (0, 0, 0, 0), "xoshiro256** state must not be all zero")
        (s0, s1, s2, s3) = state
    }

    @inlinable @inline(__always) static func rotl(_ x: UInt64, _ k: UInt64) -> UInt64 {
        (x << k) | (x >> (64 &- k))
    }

    /// The next 64 uniformly distributed bits.
    @inlinable @inline(__always) public mutating func next() -> UInt64 {
        let result = Self.rotl(s1 &* 5, 7) &* 9
        let t = s1 << 17
        s2 ^= s0
        s3 ^= s1
        s1 ^= s2
        s0 ^= s3
        s2 ^= t
        s3 = Self.rotl(s3, 45)
        return result
    }

    /// Uniform on [0, 1) with 53 random bits (every representable multiple of 2⁻⁵³).
    @inlinable @inline(__always) public mutating func nextDouble() -> Double {
        Double(next() >> 11) * 0x1.0p-53
    }

    /// Uniform on (0, 1]: safe to take the logarithm of.
    @inlinable @inline(__always) public mutating func nextOpenClosedDouble() -> Double {
        1.0 - nextDouble()
    }

    /// Uniform on the open interval (0, 1): the midpoints (k + ½)·2⁻⁵³, symmetric about ½,
    /// so a quantile function can take it without special cases at either end.
    @inlinable @inline(__always) public mutating func nextOpenDouble() -> Double {
        (Double(next() >> 11) + 0.5) * 0x1.0p-53
    }

    /// Uniform integer in 0..<bound without modulo bias (Lemire 2019, "Fast random integer
    /// generation in an interval"). `bound` must be positive.
    @inlinable public mutating func nextInt(below bound: Int) -> Int {
        precondition(bound > 0, "nextInt(below:) needs a positive bound, got \(bound)")
        let s = UInt64(bound)
        var m = next().multipliedFullWidth(by: s)
        if m.low < s {
            let threshold = (0 &- s) % s
            while m.low < threshold { m = next().multipliedFullWidth(by: s) }
        }
        return Int(m.high)
    }

    /// `true` with probability `p` (clamped to 0…1).
    @inlinable public mutating func nextBool(probability p: Double) -> Bool {
        nextDouble() < p
    }
}
