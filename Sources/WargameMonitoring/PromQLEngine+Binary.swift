/// Binary operators: Prometheus 2.x's `VectorBinop`, `VectorscalarBinop` and the set
/// operators, including their label rules and their errors for ambiguous matches.
extension PromQLEngine {
    func binary(_ op: BinaryOp, _ l: PromQLValue, _ r: PromQLValue, _ m: VectorMatching?, _ returnBool: Bool,
                site: Site) throws(PromQLError) -> PromQLValue {
        switch (l, r) {
        case (.scalar(let a), .scalar(let b)):
            let (v, keep) = Self.apply(op, a, b)
            return .scalar(op.isComparison ? (keep ? 1 : 0) : v)
        case (.vector(let a), .scalar(let b)):
            return .vector(vectorScalar(op, a, b, swapped: false, returnBool))
        case (.scalar(let a), .vector(let b)):
            return .vector(vectorScalar(op, b, a, swapped: true, returnBool))
        case (.vector(let a), .vector(let b)):
            let m = m ?? Self.defaultMatching(op)
            switch op {
            case .and: return .vector(and(a, b, m))
            case .or: return .vector(or(a, b, m))
            case .unless: return .vector(unless(a, b, m))
            default:
                let out = try vectorVector(op, a, b, m, returnBool)
                // Fitting here means the plan is unusable: keep it rather than remake it.
                if !(site.match?.fits(m, op, returnBool, a, b) ?? false) { site.match = matchPlan(a, b, m, op, returnBool) }
                return .vector(out)
            }
        }
    }

    /// Matching without `on`/`ignoring`: every label but the name.
    static func defaultMatching(_ op: BinaryOp) -> VectorMatching {
        VectorMatching(card: op.isSet ? .manyToMany : .oneToOne, on: false, labels: [], include: [])
    }

    /// `vectorElemBinop`: the value and, for comparisons, whether the sample is kept (the
    /// value of a comparison is its left operand).
    static func apply(_ op: BinaryOp, _ a: Double, _ b: Double) -> (Double, Bool) {
        switch op {
        case .add: (a + b, true)
        case .sub: (a - b, true)
        case .mul: (a * b, true)
        case .div: (a / b, true)
        case .pow: (GoMath.pow(a, b), true)
        case .mod: (GoMath.mod(a, b), true)
        case .eq: (a, a == b)
        case .ne: (a, a != b)
        case .gt: (a, a > b)
        case .lt: (a, a < b)
        case .ge: (a, a >= b)
        case .le: (a, a <= b)
        case .and, .or, .unless: (a, true)
        }
    }

    static func dropsName(_ op: BinaryOp) -> Bool { [.add, .sub, .mul, .div, .mod, .pow].contains(op) }

    func vectorScalar(_ op: BinaryOp, _ v: [Sample], _ s: Double, swapped: Bool, _ returnBool: Bool) -> [Sample] {
        var out: [Sample] = []
        let nameless = derived.withoutName
        for x in v {
            var (value, keep) = swapped ? Self.apply(op, s, x.value) : Self.apply(op, x.value, s)
            // A comparison keeps the vector's value, even with the scalar on the left.
            if op.isComparison && swapped { value = x.value }
            if returnBool { value = keep ? 1 : 0 } else if !keep { continue }
            out.append(Sample(labels: Self.dropsName(op) || returnBool ? derived.derive(x.labels, nameless) : x.labels, value: value))
        }
        return out
    }

    /// The match signature: the `on` labels, or all but the `ignoring` ones and the name.
    func signature(_ m: VectorMatching) -> (Labels) -> Labels {
        let op = m.on ? derived.op(.keeping, m.labels) : derived.op(.dropping, m.labels + ["__name__"])
        return { [derived] in derived.derive($0, op) }
    }

    func and(_ l: [Sample], _ r: [Sample], _ m: VectorMatching) -> [Sample] {
        guard !l.isEmpty && !r.isEmpty else { return [] }
        let signature = signature(m)
        let right = Set(r.map { signature($0.labels) })
        return l.filter { right.contains(signature($0.labels)) }
    }

    func or(_ l: [Sample], _ r: [Sample], _ m: VectorMatching) -> [Sample] {
        if l.isEmpty { return r }
        if r.isEmpty { return l }
        let signature = signature(m)
        let left = Set(l.map { signature($0.labels) })
        return l + r.filter { !left.contains(signature($0.labels)) }
    }

    func unless(_ l: [Sample], _ r: [Sample], _ m: VectorMatching) -> [Sample] {
        guard !l.isEmpty && !r.isEmpty else { return l }
        let signature = signature(m)
        let right = Set(r.map { signature($0.labels) })
        return l.filter { !right.contains(signature($0.labels)) }
    }

    func vectorVector(_ op: BinaryOp, _ lhs: [Sample], _ rhs: [Sample], _ m: VectorMatching, _ returnBool: Bool) throws(PromQLError) -> [Sample] {
        // One-to-many is many-to-one with the sides swapped (and swapped back for the value).
        let swapped = m.card == .oneToMany
        let (many, one) = swapped ? (rhs, lhs) : (lhs, rhs)
        var oneSide = LabelTable<Sample>()  // looked up only
        let signature = signature(m)
        for s in one {
            let sig = signature(s.labels)
            if let dup = oneSide[sig] {
                throw PromQLError(message: "found duplicate series for the match group \(sig) on the \(swapped ? "left" : "right") hand-side of the operation: [\(s.labels), \(dup.labels)];"
                                  + "many-to-many matching not allowed: matching labels must be unique on one side")
            }
            oneSide.insert(sig, s)
        }
        var matchedOnce = LabelTable<Bool>()  // one-to-one: the signatures matched
        var matched: [Labels: Set<Labels>] = [:]  // many-to-one: each signature's results
        let restrict = m.card == .oneToOne ? derived.op(m.on ? .keeping : .dropping, m.labels) : nil
        var out: [Sample] = []
        for s in many {
            let sig = signature(s.labels)
            guard let o = oneSide[sig] else { continue }
            let (vl, vr) = swapped ? (o.value, s.value) : (s.value, o.value)
            var (value, keep) = Self.apply(op, vl, vr)
            if returnBool { value = keep ? 1 : 0 } else if !keep { continue }
            var labels = resultLabels(s.labels, o.labels, op, m, restrict: restrict)
            if returnBool { labels = derived.derive(labels, derived.withoutName) }
            if m.card == .oneToOne {
                if matchedOnce[sig] != nil { throw PromQLError(message: "multiple matches for labels: many-to-one matching must be explicit (group_left/group_right)") }
                matchedOnce.insert(sig, true)
            } else {
                if matched[sig, default: []].contains(labels) {
                    throw PromQLError(message: "multiple matches for labels: grouping labels must ensure unique results")
                }
                matched[sig, default: []].insert(labels)
            }
            out.append(Sample(labels: labels, value: value))
        }
        return out
    }

    /// `resultMetric`: the "many" side's labels, less the name for arithmetic, restricted by
    /// one-to-one matching, plus `group_x` labels copied from the "one" side.
    func resultLabels(_ many: Labels, _ one: Labels, _ op: BinaryOp, _ m: VectorMatching, restrict: Int?) -> Labels {
        var l = Self.dropsName(op) ? derived.derive(many, derived.withoutName) : many
        if let restrict { l = derived.derive(l, restrict) }
        for name in m.include { l.set(name, one[name]) }
        return l
    }

    /// The matching of `lhs` and `rhs` as a `MatchPlan`, or one marked unusable when some
    /// choice of kept samples could raise a matching error or repeat a result's labels
    /// (then every evaluation takes the full path, which raises them).
    func matchPlan(_ lhs: [Sample], _ rhs: [Sample], _ m: VectorMatching, _ op: BinaryOp, _ returnBool: Bool) -> MatchPlan {
        let (left, right) = (lhs.map(\.labels), rhs.map(\.labels))
        let unusable = MatchPlan(matching: m, op: op, returnBool: returnBool, left: left, right: right, partner: [], labels: [], usable: false)
        let swapped = m.card == .oneToMany
        let (many, one) = swapped ? (rhs, lhs) : (lhs, rhs)
        let signature = signature(m)
        var oneSide = LabelTable<Int>(capacity: one.count)
        for (k, s) in one.enumerated() {
            let sig = signature(s.labels)
            guard oneSide.index(of: sig) == nil else { return unusable }
            oneSide.insert(sig, k)
        }
        let restrict = m.card == .oneToOne ? derived.op(m.on ? .keeping : .dropping, m.labels) : nil
        var signatures = LabelTable<Void>(), results = LabelTable<Void>()
        var partner: [Int] = [], labels: [Labels] = []
        for s in many {
            let sig = signature(s.labels)
            guard let o = oneSide[sig] else {
                partner.append(-1)
                labels.append(Labels())
                continue
            }
            if m.card == .oneToOne {
                guard signatures.index(of: sig) == nil else { return unusable }
                signatures.insert(sig, ())
            }
            var l = resultLabels(s.labels, one[o].labels, op, m, restrict: restrict)
            if returnBool { l = derived.derive(l, derived.withoutName) }
            guard results.index(of: l) == nil else { return unusable }
            results.insert(l, ())
            partner.append(o)
            labels.append(l)
        }
        return MatchPlan(matching: m, op: op, returnBool: returnBool, left: left, right: right, partner: partner, labels: labels, usable: true)
    }

    /// `vectorVector` by a usable plan that fits its inputs: the same samples, in the same
    /// order, with no lookups.
    static func matched(_ plan: MatchPlan, _ op: BinaryOp, _ lhs: [Sample], _ rhs: [Sample], _ swapped: Bool, _ returnBool: Bool) -> [Sample] {
        let (many, one) = swapped ? (rhs, lhs) : (lhs, rhs)
        var out: [Sample] = []
        for k in many.indices where plan.partner[k] >= 0 {
            let o = one[plan.partner[k]].value
            let (vl, vr) = swapped ? (o, many[k].value) : (many[k].value, o)
            var (value, keep) = apply(op, vl, vr)
            if returnBool { value = keep ? 1 : 0 } else if !keep { continue }
            out.append(Sample(labels: plan.labels[k], value: value))
        }
        return out
    }
}
