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

    /// How a sequence of label sets falls into groups: per input its group (−1: in none),
    /// per group its labels and its members in input order.
    struct GroupPlan {
        let inputs: [Labels]
        let groupOf: [Int]
        let groups: [Labels]
        let members: [[Int]]

        func fits(_ samples: [Sample]) -> Bool {
            inputs.count == samples.count && zip(inputs, samples).allSatisfy { $0 == $1.labels }
        }
    }

    /// Recent plans per key (an operation id, or a negative id for a kind of plan):
    /// the same aggregation sees the same series, in the same order, at every evaluation.
    private var plans: [Int: [GroupPlan]] = [:]
    static let plansPerKey = 8

    /// The grouping of `samples` by `key(labels)` (nil: the sample joins no group), each new
    /// group labelled `label(labels)` of its first member — from the last evaluation that saw
    /// the same label sets, or made now. Exactly what grouping them afresh gives.
    func plan(_ samples: [Sample], key id: Int, _ key: (Labels) -> Labels?, label: (Labels) -> Labels) -> GroupPlan {
        if let found = plans[id]?.first(where: { $0.fits(samples) }) { return found }
        var table = LabelTable<Int>(capacity: samples.count)
        var groupOf: [Int] = [], groups: [Labels] = [], members: [[Int]] = []
        for (i, s) in samples.enumerated() {
            guard let k = key(s.labels) else { groupOf.append(-1); continue }
            if let g = table[k] {
                groupOf.append(g)
                members[g].append(i)
            } else {
                table.insert(k, groups.count)
                groupOf.append(groups.count)
                groups.append(label(s.labels))
                members.append([i])
            }
        }
        let plan = GroupPlan(inputs: samples.map(\.labels), groupOf: groupOf, groups: groups, members: members)
        var list = plans[id] ?? []
        if list.count >= Self.plansPerKey { list.removeFirst() }
        list.append(plan)
        plans[id] = list
        return plan
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
