/// The user's rule files running against simulated scrapes: each group evaluated at every
/// multiple of its interval (from 0, as promtool evaluates), its rules in file order, a
/// recording rule's output visible to the rules after it at the same instant.
///
/// An evaluation that fails (a many-to-many match, duplicate label sets) leaves the rule's
/// alerts as they were, as Prometheus does; the first error of each rule is kept for the
/// run's summary.
public final class RuleEngine {
    public let files: [RuleFile]
    public let store: SeriesStore
    let engine: PromQLEngine
    struct Group {
        let group: RuleGroup
        let intervalMs: Int64
        var next: Int64 = 0
        var alerts: [Int?]  // per rule, index into `states`
        var recordedBefore: [[Labels]]
        var recordLabels: [LabelTable<Labels>]
        /// Per recording rule, the result labels of its last evaluation and the series they
        /// were recorded into (empty after a failed one).
        var recordInputs: [[Labels]]
        var recordSeries: [[Int]]
        /// Each rule's expression, compiled once.
        let programs: [PromQLProgram]
    }
    var groups: [Group]
    var states: [AlertState] = []
    public private(set) var errors: [(rule: String, time: Int64, message: String)] = []
    /// Called after every evaluation with its time (for `--rules-test`).
    public var onEvaluation: ((Int64) -> Void)?

    public init(files: [RuleFile], defaultIntervalMs: Int64) {
        self.files = files
        var names: Set<String>? = []
        var retention = SeriesStore.lookbackMs
        for r in files.flatMap(\.rules) {
            for (sel, range) in r.expr.selectors {
                if let n = sel.metricName { names?.insert(n) } else { names = nil }
                retention = max(retention, max(range, SeriesStore.lookbackMs) + max(0, sel.offsetMs))
            }
        }
        let longestInterval = files.flatMap(\.groups).compactMap(\.intervalMs).max() ?? defaultIntervalMs
        store = SeriesStore(retentionMs: retention + max(longestInterval, defaultIntervalMs), names: names)
        engine = PromQLEngine(store: store)
        groups = []
        for g in files.flatMap(\.groups) {
            var alerts: [Int?] = []
            for r in g.rules {
                if r.kind == .alert { alerts.append(states.count); states.append(AlertState(rule: r)) } else { alerts.append(nil) }
            }
            groups.append(Group(group: g, intervalMs: g.intervalMs ?? defaultIntervalMs, alerts: alerts,
                                recordedBefore: Array(repeating: [], count: g.rules.count),
                                recordLabels: Array(repeating: LabelTable(), count: g.rules.count),
                                recordInputs: Array(repeating: [], count: g.rules.count), recordSeries: Array(repeating: [], count: g.rules.count),
                                programs: g.rules.map { PromQLProgram($0.expr) }))
        }
    }

    /// Alert rules in file order.
    public var alertRules: [Rule] { states.map(\.rule) }

    /// Runs every evaluation due at or before `t`, in time order (groups in file order at a
    /// tie). Returns the alerts that fired and resolved.
    public func evaluate(upTo t: Int64) -> (fired: [UserAlert], resolved: [UserAlert]) {
        var fired: [UserAlert] = [], resolved: [UserAlert] = []
        while let g = groups.indices.filter({ groups[$0].next <= t }).min(by: { groups[$0].next < groups[$1].next }) {
            let now = groups[g].next
            let (f, r) = evaluate(group: g, at: now)
            fired += f
            resolved += r
            groups[g].next += groups[g].intervalMs
            if !groups.contains(where: { $0.next <= now }) { onEvaluation?(now) }
        }
        return (fired, resolved)
    }

    func evaluate(group g: Int, at t: Int64) -> (fired: [UserAlert], resolved: [UserAlert]) {
        var fired: [UserAlert] = [], resolved: [UserAlert] = []
        let rules = groups[g].group.rules
        // Rules by index, not copied: a rule is a dozen references to retain and release.
        for k in rules.indices {
            let result: [Sample]
            do { result = try engine.evaluate(groups[g].programs[k], at: t).samples } catch {
                note(rules[k], t, error.message)
                continue
            }
            if let s = groups[g].alerts[k] {
                do {
                    let (f, r) = try states[s].advance(result, at: t)
                    fired += f
                    resolved += r
                } catch {
                    note(rules[k], t, error.message)
                }
            } else {
                record(rules[k], result, group: g, index: k, at: t)
            }
        }
        return (fired, resolved)
    }

    func record(_ rule: Rule, _ result: [Sample], group g: Int, index k: Int, at t: Int64) {
        // The same result labels as last time: the same series, all distinct, none gone stale.
        let inputs = groups[g].recordInputs[k]
        if !inputs.isEmpty && inputs.count == result.count && zip(inputs, result).allSatisfy({ $0 == $1.labels }) {
            for (i, s) in zip(groups[g].recordSeries[k], result) { store.record(series: i, value: s.value, at: t) }
            return
        }
        groups[g].recordInputs[k] = []
        var written = LabelTable<Void>(capacity: result.count)
        for s in result {
            let l = recordedLabels(rule, s.labels, group: g, index: k)
            if written.index(of: l) != nil {
                note(rule, t, "vector contains metrics with the same labelset after applying rule labels")
                return
            }
            written.insert(l, ())
        }
        let series = written.entries.map { store.recordedSeries($0.key) }
        for (i, s) in zip(series, result) { store.record(series: i, value: s.value, at: t) }
        for old in groups[g].recordedBefore[k] where written.index(of: old) == nil { store.recordStale(old, at: t) }
        groups[g].recordedBefore[k] = written.entries.map(\.key)
        (groups[g].recordInputs[k], groups[g].recordSeries[k]) = (result.map(\.labels), series)
    }

    /// A recording rule's output labels for a result's: its name and its labels set
    /// (remembered per rule, since the same result labels come back every evaluation).
    func recordedLabels(_ rule: Rule, _ input: Labels, group g: Int, index k: Int) -> Labels {
        if let e = groups[g].recordLabels[k].index(of: input) { return groups[g].recordLabels[k].entries[e].value }
        var l = input
        l.set("__name__", rule.name)
        for (name, template) in rule.labels { l.set(name, template.source) }
        if groups[g].recordLabels[k].count >= 1 << 16 { groups[g].recordLabels[k].removeAll() }
        groups[g].recordLabels[k].insert(input, l)
        return l
    }

    func note(_ rule: Rule, _ t: Int64, _ message: String) {
        if !errors.contains(where: { $0.rule == rule.name }) { errors.append((rule.name, t, message)) }
    }

    /// A query over the store as the rules see it (after the evaluations up to `t`), compiled
    /// once since it is asked at every evaluation (its nodes remember, as rules' do).
    public func query(_ program: PromQLProgram, at t: Int64) throws(PromQLError) -> PromQLValue {
        try engine.evaluate(program, at: t)
    }

    /// The alerts firing now, per alert rule (for `--rules-test`).
    public var firing: [[UserAlert]] { states.map(\.firing) }
}
