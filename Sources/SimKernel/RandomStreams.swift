/// Stable 64-bit FNV-1a over UTF-8 bytes: turns a stream label into a number that is the
/// same on every platform, process and Swift version (unlike `Hasher` or `hashValue`).
@inlinable public func fnv1a64(_ text: String) -> UInt64 {
    var h: UInt64 = 0xCBF2_9CE4_8422_2325
    for byte in text.utf8 {
        h ^= UInt64(byte)
        h = h &* 0x0000_0100_0000_01B3
    }
    return h
}

/// Named, independent random streams derived from one run seed.
///
/// Each component draws from its own stream — `streams.stream("bridge.axelar")` — so adding
/// a component, or a component drawing more often, never shifts another's draws; that is
/// what keeps a scenario edit from reshuffling unrelated parts of a run, and what lets two
/// variants share common random numbers.
///
/// Derivation (documented because outputs depend on it): the stream is xoshiro256** seeded
/// through SplitMix64 with `mix(mix(seed) ^ fnv1a64(label))`, where `mix` is SplitMix64's
/// output function. Labels are case-sensitive; by convention `component.sub.index`.
public struct RandomStreams: Sendable, Equatable {
    public let seed: UInt64

    public init(seed: UInt64) { self.seed = seed }

    /// The stream for `label`: the same label always gives the same sequence for a seed.
    public func stream(_ label: String) -> Xoshiro256StarStar {
        Xoshiro256StarStar(seed: seedFor(label))
    }

    /// The 64-bit seed behind `stream(label)`.
    public func seedFor(_ label: String) -> UInt64 {
        SplitMix64.mix(SplitMix64.mix(seed) ^ fnv1a64(label))
    }
}
