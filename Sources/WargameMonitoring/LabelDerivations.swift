/// Label sets derived from label sets — a name dropped, a grouping's labels kept, a match
/// signature, a bucket's bound — remembered across evaluations.
///
/// A rule sees the same series at every evaluation, so after the first one each derivation
/// is a lookup by the input's fingerprint (and an equality check that is an identity check
/// when the input is the store's own label set) instead of a new array and a new hash: the
/// difference between a rule file costing a multiple of the run and a fraction of it.
///
/// Invariant: `derive(l, op)` is exactly what `op` applied to `l` gives; the memo changes
/// only the cost. It is bounded: past `limit` entries per operation it starts again.
final class LabelDerivations {
    enum Kind: Hashable { case dropping, keeping }
    struct Op: Hashable {
        let kind: Kind
        let names: [String]
    }

    private var ops: [Op] = []
    private var opIndex: [Op: Int] = [:]
    private var memo: [LabelTable<Labels>] = []
    private var bounds = LabelTable<Double?>()
    let limit: Int

    init(limit: Int = 1 << 16) { self.limit = limit }

    /// An operation's id: look it up once per evaluation, not once per sample.
    func op(_ kind: Kind, _ names: [String]) -> Int {
        let o = Op(kind: kind, names: names)
        if let i = opIndex[o] { return i }
        opIndex[o] = ops.count
        ops.append(o)
        memo.append(LabelTable())
        return ops.count - 1
    }

    /// The id of dropping the metric name.
    private(set) lazy var withoutName = op(.dropping, ["__name__"])

    func derive(_ l: Labels, _ op: Int) -> Labels {
        if let e = memo[op].index(of: l) { return memo[op].entries[e].value }
        let o = ops[op]
        let d = o.kind == .dropping ? l.dropping(o.names) : l.keeping(o.names)
        if memo[op].count >= limit { memo[op].removeAll() }
        memo[op].insert(l, d)
        return d
    }

    /// A bucket series' `le` label as a number.
    func bound(_ l: Labels) -> Double? {
        if let e = bounds.index(of: l) { return bounds.entries[e].value }
        let b = GoMath.parseFloat(l["le"])
        if bounds.count >= limit { bounds.removeAll() }
        bounds.insert(l, b)
        return b
    }
}
