import SimKernel

/// A rule file of generated alerting rules over generated series, evaluated by our engine
/// and written as a promtool unit test: `promtool test rules` passing means zero
/// disagreements with Prometheus in which alerts fire, when, with which labels and
/// annotations. Expressions our engine finds ill-defined on these series (many-to-many
/// matches, duplicate label sets) are left out, since Prometheus fails them too.
public struct RulesDifferential {
    public let rules: String
    public let test: String
    public let expressions: Int
    public let leftOut: Int
    public let firingEvaluations: Int

    public static let intervalMs: Int64 = 60_000

    public init(seed: UInt64, expressions count: Int, scrapes: Int = 30) throws(RuleFileError) {
        var gen = PromQLGenerator(seed: seed)
        let series = gen.series(scrapes: scrapes)
        var rules: [(expr: String, extra: String)] = []
        for _ in 0..<count {
            let expr = gen.vector(depth: 2)
            var extra = ""
            switch gen.rng.nextInt(below: 4) {
            case 0: extra += "    for: \(gen.pick(["1m", "3m"]))\n"
            case 1: extra += "    for: 2m\n    keep_firing_for: 2m\n"
            default: break
            }
            extra += "    labels:\n      severity: \(gen.pick(["page", "ticket"]))\n"
            // A mean's last bit depends on the order Prometheus meets the series in, which
            // is not fixed, so its value is printed only where that order cannot matter.
            let orderSensitive = expr.contains("avg ") || expr.contains("avg(")
            if gen.chance(0.5) && !orderSensitive {
                extra += "    annotations:\n      summary: \"{{ $labels.job }} at {{ $value | \(gen.pick(["humanize", "humanizePercentage", "humanizeDuration"])) }}\"\n"
            }
            rules.append((expr, extra))
        }
        func file(_ keep: [Int]) -> String {
            var out = "groups:\n  - name: differential\n    rules:\n"
            for i in keep {
                out += "      - alert: E\(i)\n        expr: \(RuleTestRecorder.quote(rules[i].expr))\n"
                out += rules[i].extra.split(separator: "\n").map { "    " + $0 + "\n" }.joined()
            }
            return out
        }
        var keep = Array(rules.indices)
        var run = try Self.run(file(keep), series: series, scrapes: scrapes)
        let failed = Set(run.engine.errors.map(\.rule))
        if !failed.isEmpty {
            keep = keep.filter { !failed.contains("E\($0)") }
            run = try Self.run(file(keep), series: series, scrapes: scrapes)
        }
        self.rules = file(keep)
        test = run.recorder.render(ruleFiles: ["rules.yml"])
        expressions = keep.count
        leftOut = count - keep.count
        firingEvaluations = run.firing
    }

    static func run(_ text: String, series: [(labels: Labels, values: [String])], scrapes: Int) throws(RuleFileError)
        -> (engine: RuleEngine, recorder: RuleTestRecorder, firing: Int) {
        let file = try RuleFile.load(path: "rules.yml", text: text)
        let engine = RuleEngine(files: [file], defaultIntervalMs: intervalMs)
        var recorder = RuleTestRecorder(intervalMs: intervalMs, alertNames: engine.alertRules.map(\.name))
        var firing = 0
        engine.onEvaluation = { t in
            let now = engine.firing
            firing += now.reduce(0) { $0 + $1.count }
            recorder.evaluation(at: t, firing: now)
        }
        _ = engine.evaluate(upTo: 0)
        for s in 0..<scrapes {
            let t = Int64(s + 1) * intervalMs
            engine.store.beginScrape(at: t)
            recorder.beginScrape()
            for (labels, values) in series where values[s] != "_" {
                let pairs = labels.pairs.filter { $0.name != "__name__" }.map { ($0.name, $0.value) }
                engine.store.add(name: labels.metricName, labels: pairs, value: GoMath.parseFloat(values[s]) ?? .nan)
                recorder.add(name: labels.metricName, labels: pairs, text: values[s])
            }
            engine.store.endScrape()
            recorder.endScrape()
            _ = engine.evaluate(upTo: t)
        }
        engine.onEvaluation = nil
        return (engine, recorder, firing)
    }
}
