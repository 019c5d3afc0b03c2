/// A series' label set, sorted by name as Prometheus keeps it; `__name__` is a label like
/// any other. Ordered by Prometheus's `labels.Compare`, the order its storage returns
/// series in — which fixes the order sums add their terms in, and so their last bits.
///
/// Label sets are hashed constantly (grouping, matching, alert identity), so each carries
/// an FNV-1a hash of its pairs, computed when it is made: hashing one is hashing a word,
/// where SipHash over every string was a third of a rule evaluation's time. The hash only
/// buckets; equality still compares the pairs, and nothing reaches output in hash order.
public struct Labels: Sendable, Hashable, Comparable, CustomStringConvertible {
    public private(set) var pairs: [Pair] { didSet { fingerprint = Self.fingerprint(pairs) } }
    private(set) var fingerprint: UInt64

    public struct Pair: Sendable, Hashable {
        public let name: String
        public let value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init() {
        pairs = []
        fingerprint = Self.fingerprint([])
    }

    /// Empty values are dropped: in Prometheus a label with an empty value does not exist.
    public init(_ list: [(String, String)]) {
        self.init(sorted: list.filter { !$0.1.isEmpty }.map { Pair($0.0, $0.1) }.sorted { $0.name < $1.name })
    }

    init(sorted: [Pair]) {
        pairs = sorted
        fingerprint = Self.fingerprint(sorted)
    }

    static func fingerprint(_ pairs: [Pair]) -> UInt64 {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325
        for p in pairs {
            for b in p.name.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            h = (h ^ 0xff) &* 0x100_0000_01b3
            for b in p.value.utf8 { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
            h = (h ^ 0xfe) &* 0x100_0000_01b3
        }
        return h
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(fingerprint) }

    public static func == (a: Labels, b: Labels) -> Bool { a.fingerprint == b.fingerprint && a.pairs == b.pairs }

    public subscript(_ name: String) -> String {
        for p in pairs where p.name == name { return p.value }
        return ""
    }

    public var metricName: String { self["__name__"] }

    public func dropping(_ names: [String]) -> Labels {
        guard pairs.contains(where: { names.contains($0.name) }) else { return self }
        return Labels(sorted: pairs.filter { !names.contains($0.name) })
    }
    public func keeping(_ names: [String]) -> Labels { Labels(sorted: pairs.filter { names.contains($0.name) }) }
    public var withoutName: Labels { dropping(["__name__"]) }

    public mutating func set(_ name: String, _ value: String) {
        pairs.removeAll { $0.name == name }
        guard !value.isEmpty else { return }
        let at = pairs.firstIndex { $0.name > name } ?? pairs.count
        pairs.insert(Pair(name, value), at: at)
    }

    /// `labels.Compare`: pairwise by name, then value; a prefix sorts first.
    public static func < (a: Labels, b: Labels) -> Bool {
        for (x, y) in zip(a.pairs, b.pairs) {
            if x.name != y.name { return x.name < y.name }
            if x.value != y.value { return x.value < y.value }
        }
        return a.pairs.count < b.pairs.count
    }

    /// `{a="x", b="y"}` with the name in front, as Prometheus prints a series.
    public var description: String {
        let rest = pairs.filter { $0.name != "__name__" }.map { "\($0.name)=\"\(Self.escape($0.value))\"" }.joined(separator: ", ")
        return metricName + (rest.isEmpty && !metricName.isEmpty ? "" : "{" + rest + "}")
    }

    static func escape(_ v: String) -> String {
        var out = ""
        for c in v {
            switch c {
            case "\\": out += "\\\\"
            case "\"": out += "\\\""
            case "\n": out += "\\n"
            default: out.append(c)
            }
        }
        return out
    }
}

public struct Sample: Sendable, Equatable {
    public var labels: Labels
    public var value: Double

    public init(labels: Labels, value: Double) {
        self.labels = labels
        self.value = value
    }

    public static func == (a: Sample, b: Sample) -> Bool {
        a.labels == b.labels && (a.value == b.value || (a.value.isNaN && b.value.isNaN))
    }
}
