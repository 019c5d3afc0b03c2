/// The parsed form of the PromQL subset alerting rules use (`PromQL.parse`). Times are
/// integer milliseconds, as Prometheus keeps them.
public indirect enum PromQLExpr: Sendable, Equatable {
    case number(Double)
    case vector(VectorSelector)
    /// `selector[range]`: a range vector, only legal as a function's argument.
    case matrix(VectorSelector, rangeMs: Int64)
    case call(PromQLFunction, [PromQLExpr])
    case aggregate(AggregateOp, PromQLExpr, Grouping?)
    case binary(BinaryOp, PromQLExpr, PromQLExpr, VectorMatching?, returnBool: Bool)
    case negate(PromQLExpr)
    case parens(PromQLExpr)

    public enum ValueType: String, Sendable { case scalar, vector = "instant vector", matrix = "range vector" }

    public var type: ValueType {
        switch self {
        case .number: .scalar
        case .vector: .vector
        case .matrix: .matrix
        case .call(let f, _): f.returns
        case .aggregate: .vector
        case .binary(_, let l, let r, _, _): l.type == .scalar && r.type == .scalar ? .scalar : .vector
        case .negate(let e), .parens(let e): e.type
        }
    }

    /// Every selector, for the series a rule needs kept and the families it reads.
    public var selectors: [(VectorSelector, rangeMs: Int64)] {
        switch self {
        case .number: []
        case .vector(let v): [(v, 0)]
        case .matrix(let v, let r): [(v, r)]
        case .call(_, let args): args.flatMap(\.selectors)
        case .aggregate(_, let e, _), .negate(let e), .parens(let e): e.selectors
        case .binary(_, let l, let r, _, _): l.selectors + r.selectors
        }
    }
}

public struct LabelMatch: Sendable, Equatable {
    public enum Op: String, Sendable { case equal = "=", notEqual = "!=", matches = "=~", notMatches = "!~" }
    public let name: String
    public let op: Op
    public let value: String
    let regex: AnchoredRegex?

    public init(name: String, op: Op, value: String) throws(PromQLError) {
        self.name = name
        self.op = op
        self.value = value
        if op == .matches || op == .notMatches {
            guard let r = AnchoredRegex(value) else { throw PromQLError(message: "invalid regular expression \"\(value)\" in \(name)\(op.rawValue)") }
            regex = r
        } else {
            regex = nil
        }
    }

    /// Prometheus treats a missing label as the empty string.
    public func matches(_ v: String) -> Bool {
        switch op {
        case .equal: v == value
        case .notEqual: v != value
        case .matches: regex!.matches(v)
        case .notMatches: !regex!.matches(v)
        }
    }

    public static func == (a: LabelMatch, b: LabelMatch) -> Bool { a.name == b.name && a.op == b.op && a.value == b.value }
}

public struct VectorSelector: Sendable, Equatable {
    /// Includes the `__name__` matcher when the selector names a metric.
    public let matchers: [LabelMatch]
    public let offsetMs: Int64
    /// The matchers as text: the engine's cache key for the series they select.
    let key: String

    public init(matchers: [LabelMatch], offsetMs: Int64) {
        self.matchers = matchers
        self.offsetMs = offsetMs
        key = matchers.map { $0.name + $0.op.rawValue + $0.value }.joined(separator: "\u{0}")
    }

    /// The metric name when one `__name__="…"` matcher fixes it.
    public var metricName: String? { matchers.first { $0.name == "__name__" && $0.op == .equal }?.value }
}

public enum AggregateOp: String, Sendable, CaseIterable { case sum, avg, min, max, count }

public struct Grouping: Sendable, Equatable {
    public let without: Bool
    public let labels: [String]
}

public enum BinaryOp: String, Sendable, CaseIterable {
    case add = "+", sub = "-", mul = "*", div = "/", mod = "%", pow = "^"
    case eq = "==", ne = "!=", gt = ">", lt = "<", ge = ">=", le = "<="
    case and, or, unless

    public var isComparison: Bool { [.eq, .ne, .gt, .lt, .ge, .le].contains(self) }
    public var isSet: Bool { self == .and || self == .or || self == .unless }

    /// Binding strength, Prometheus's order: `^` binds tightest, `or` loosest.
    var precedence: Int {
        switch self {
        case .or: 1
        case .and, .unless: 2
        case .eq, .ne, .gt, .lt, .ge, .le: 3
        case .add, .sub: 4
        case .mul, .div, .mod: 5
        case .pow: 6
        }
    }
}

public struct VectorMatching: Sendable, Equatable {
    public enum Cardinality: Sendable { case oneToOne, manyToOne, oneToMany, manyToMany }
    public var card: Cardinality
    /// `on(…)` when true, else `ignoring(…)` (an empty `ignoring` is the default).
    public var on: Bool
    public var labels: [String]
    /// `group_left(…)`/`group_right(…)`'s extra labels from the "one" side.
    public var include: [String]
}

public enum PromQLFunction: String, Sendable, CaseIterable {
    case rate, irate, increase, delta
    case avgOverTime = "avg_over_time", maxOverTime = "max_over_time", minOverTime = "min_over_time"
    case sumOverTime = "sum_over_time", countOverTime = "count_over_time"
    case histogramQuantile = "histogram_quantile"
    case abs, clampMin = "clamp_min", clampMax = "clamp_max", absent, vector, scalar, time

    var arguments: [PromQLExpr.ValueType] {
        switch self {
        case .rate, .irate, .increase, .delta, .avgOverTime, .maxOverTime, .minOverTime, .sumOverTime, .countOverTime: [.matrix]
        case .histogramQuantile: [.scalar, .vector]
        case .abs, .absent, .scalar: [.vector]
        case .clampMin, .clampMax: [.vector, .scalar]
        case .vector: [.scalar]
        case .time: []
        }
    }

    var returns: PromQLExpr.ValueType { self == .scalar || self == .time ? .scalar : .vector }
}

public struct PromQLError: Error, Sendable, Equatable, CustomStringConvertible {
    public let message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
