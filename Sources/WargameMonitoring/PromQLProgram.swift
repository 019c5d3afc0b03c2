/// An expression compiled once into a tree of nodes, each with its own `Site`: what it
/// worked out at the last evaluation (series selected, groupings, matchings, last output).
///
/// Why compiled: a rule is evaluated at every step of every run, and walking the parsed
/// enum cost as much as the arithmetic — each `switch` copying its case's payload (matchers,
/// groupings, argument arrays) and each place looking up its caches. A node holds its
/// children, its clause and its caches as stored properties: evaluation is a virtual call
/// per node and the work itself. Results are exactly the interpreter's it replaced: the
/// nodes call the same functions in the same order.
public final class PromQLProgram: @unchecked Sendable {
    public let expr: PromQLExpr
    let root: any PromQLNode

    public init(_ expr: PromQLExpr) {
        self.expr = expr
        root = Self.compile(expr)
    }

    static func compile(_ e: PromQLExpr) -> any PromQLNode {
        switch e {
        case .number(let v): NumberNode(v)
        case .parens(let inner): compile(inner)
        case .vector(let sel): SelectorNode(sel)
        case .matrix: MatrixNode()
        case .negate(let inner): NegateNode(compile(inner))
        case .call(let f, let args):
            if case .matrix(let sel, let range) = PromQLEngine.unwrap(args.first ?? .number(0)), f.arguments == [.matrix] {
                RangeNode(f, sel, range)
            } else {
                FunctionNode(f, args.map(compile), args)
            }
        case .aggregate(let op, let inner, let grouping): AggregateNode(op, compile(inner), grouping)
        case .binary(let op, let l, let r, let m, let b): BinaryNode(op, compile(l), compile(r), m, b)
        }
    }
}

protocol PromQLNode: AnyObject {
    func evaluate(_ engine: PromQLEngine, at t: Int64) throws(PromQLError) -> PromQLValue
}

final class NumberNode: PromQLNode {
    let value: Double
    init(_ v: Double) { value = v }
    func evaluate(_ engine: PromQLEngine, at t: Int64) throws(PromQLError) -> PromQLValue { .scalar(value) }
}

/// A range selector where an instant vector belongs (the parser refuses it; kept for
/// expressions built by hand).
final class MatrixNode: PromQLNode {
    func evaluate(_ engine: PromQLEngine, at t: Int64) throws(PromQLError) -> PromQLValue {
        throw PromQLError(message: "a range vector cannot be an expression's result")
    }
}

final class SelectorNode: PromQLNode {
    let selector: VectorSelector
    let site = Site()
    init(_ s: VectorSelector) { selector = s }

    func evaluate(_ engine: PromQLEngine, at t: Int64) throws(PromQLError) -> PromQLValue {
        .vector(engine.instant(selector, at: t, site: site))
    }
}

final class NegateNode: PromQLNode {
    let inner: any PromQLNode
    init(_ inner: any PromQLNode) { self.inner = inner }

    func evaluate(_ engine: PromQLEngine, at t: Int64) throws(PromQLError) -> PromQLValue {
        switch try inner.evaluate(engine, at: t) {
        case .scalar(let v): return .scalar(-v)
        case .vector(let s):
            let (derived, op) = (engine.derived, engine.derived.withoutName)
            return .vector(try engine.unique(s.map { Sample(labels: derived.derive($0.labels, op), value: -$0.value) }))
        }
    }
}

/// `rate`, `increase`, `*_over_time` and the rest over a range selector.
final class RangeNode: PromQLNode {
    let function: PromQLFunction
    let selector: VectorSelector
    let rangeMs: Int64
    /// A function over one metric's series drops the one name they share: its results are
    /// as distinct as the series, so only a selector without a name needs the check.
    let needsUnique: Bool
    let site = Site()

    init(_ f: PromQLFunction, _ sel: VectorSelector, _ range: Int64) {
        (function, selector, rangeMs, needsUnique) = (f, sel, range, sel.metricName == nil)
    }

    func evaluate(_ engine: PromQLEngine, at t: Int64) throws(PromQLError) -> PromQLValue {
        let out = engine.range(function, selector, rangeMs, at: t, site: site)
        return .vector(needsUnique ? try engine.unique(out) : out)
    }
}

final class FunctionNode: PromQLNode {
    let function: PromQLFunction
    let args: [any PromQLNode]
    /// The arguments as parsed: `absent` labels its result from its selector's matchers.
    let exprs: [PromQLExpr]
    let site = Site()

    init(_ f: PromQLFunction, _ args: [any PromQLNode], _ exprs: [PromQLExpr]) {
        (function, self.args, self.exprs) = (f, args, exprs)
    }

    func evaluate(_ engine: PromQLEngine, at t: Int64) throws(PromQLError) -> PromQLValue {
        var values: [PromQLValue] = []
        values.reserveCapacity(args.count)
        for a in args { values.append(try a.evaluate(engine, at: t)) }
        return try engine.unique(engine.apply(function, values, exprs, at: t, site: site))
    }
}

final class AggregateNode: PromQLNode {
    let op: AggregateOp
    let inner: any PromQLNode
    let grouping: Grouping?
    let site = Site()

    init(_ op: AggregateOp, _ inner: any PromQLNode, _ grouping: Grouping?) {
        (self.op, self.inner, self.grouping) = (op, inner, grouping)
    }

    func evaluate(_ engine: PromQLEngine, at t: Int64) throws(PromQLError) -> PromQLValue {
        guard case .vector(let s) = try inner.evaluate(engine, at: t) else { throw PromQLError(message: "aggregation over a scalar") }
        return .vector(engine.aggregate(op, s, grouping, site: site))
    }
}

final class BinaryNode: PromQLNode {
    let op: BinaryOp
    let left: any PromQLNode, right: any PromQLNode
    let matching: VectorMatching?
    let returnBool: Bool
    let site = Site()

    init(_ op: BinaryOp, _ l: any PromQLNode, _ r: any PromQLNode, _ m: VectorMatching?, _ b: Bool) {
        (self.op, left, right, matching, returnBool) = (op, l, r, m, b)
    }

    func evaluate(_ engine: PromQLEngine, at t: Int64) throws(PromQLError) -> PromQLValue {
        let (a, b) = (try left.evaluate(engine, at: t), try right.evaluate(engine, at: t))
        // A matching plan's results are distinct by construction.
        if case .vector(let x) = a, case .vector(let y) = b, !op.isSet, let plan = site.match, plan.usable,
           plan.fits(matching ?? PromQLEngine.defaultMatching(op), op, returnBool, x, y) {
            return .vector(PromQLEngine.matched(plan, op, x, y, matching?.card == .oneToMany, returnBool))
        }
        return try engine.unique(engine.binary(op, a, b, matching, returnBool, site: site))
    }
}
