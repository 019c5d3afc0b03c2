/// What one node of a rule's compiled expression (`PromQLProgram`) remembers from its last
/// evaluation.
///
/// A rule is evaluated hundreds of thousands of times over the same series: its selectors
/// pick the same series, its aggregations see the same label sets in the same order and
/// produce the same groups, only the values change. So each place keeps what it worked
/// out — the series selected, the grouping, the sorted buckets, the matched pairs — and
/// its last output, whose labels it reuses (overwriting the values in place) when they
/// come out the same. Every cache is checked against its inputs before it is used (a
/// cheap check: the labels come from the same storage, so comparing them is mostly an
/// identity check); a miss recomputes. The caches change the cost, never the result.
final class Site {
    /// A selector's series and the store generation they were selected at.
    var selectionKey = "", selectionGeneration = -1, selection: [Int] = []
    /// An instant selector's or range function's last output: one sample per selected
    /// series, in their order (kept only when every one had a value).
    var rangeOutput: [Sample] = [], rangeSeries: [Int] = []
    /// An aggregation's last grouping (and the clause it was made by) and output (one
    /// sample per group).
    var plan: LabelDerivations.GroupPlan?
    var planGrouping: Grouping?
    var planOutput: [Sample] = []
    /// Scratch space an aggregation reuses at every evaluation.
    var scratch: [Double] = [], counts: [Double] = []
    /// `histogram_quantile`'s last grouping, its buckets sorted.
    var quantile: QuantilePlan?
    var quantileOutput: [Sample] = []
    /// A vector–vector operation's last matching.
    var match: MatchPlan?
}

/// `histogram_quantile`'s grouping with each group's buckets sorted by bound (input order
/// at a tie, as `bucketQuantile` sorts them).
struct QuantilePlan {
    let inputs: [Labels]
    let groups: [Labels]
    /// Per group, its members' positions in the input, sorted, and their bounds.
    let members: [[Int]]
    let bounds: [[Double]]

    func fits(_ samples: [Sample]) -> Bool {
        inputs.count == samples.count && zip(inputs, samples).allSatisfy { $0 == $1.labels }
    }
}

/// A vector–vector arithmetic or comparison's matching, for inputs with these label sets:
/// per sample of the "many" side, the "one" side's sample it matches (−1: none) and the
/// result's labels. Made only when no choice of kept samples can raise a matching error
/// and the results' labels are all distinct, so using it needs neither check.
struct MatchPlan {
    /// What the plan was made for: the operator's matching and whether it drops the name.
    let matching: VectorMatching
    let op: BinaryOp
    let returnBool: Bool
    let left: [Labels]
    let right: [Labels]
    let partner: [Int]
    let labels: [Labels]
    /// False when the matching could fail: the full path then runs every time.
    let usable: Bool

    func fits(_ m: VectorMatching, _ op: BinaryOp, _ returnBool: Bool, _ l: [Sample], _ r: [Sample]) -> Bool {
        self.op == op && self.returnBool == returnBool && matching == m && left.count == l.count && right.count == r.count
            && zip(left, l).allSatisfy { $0 == $1.labels } && zip(right, r).allSatisfy { $0 == $1.labels }
    }
}
