import WargameMonitoring
import WargameReports

/// `wargame rules-differential`: generated alerting rules over generated series, evaluated
/// by the war game's PromQL engine and written as a promtool unit test, so that Prometheus
/// itself judges the engine (`make promtool-check` runs 2,000 expressions).
enum RulesDifferentialCommand: Command {
    static let name = "rules-differential"
    static let abstract = "Write generated alert rules and the promtool test of what our PromQL engine fires for them."
    static let options: [OptionSpec] = [
        OptionSpec("expressions", value: "n", help: "Generated expressions (each an alert rule).", default: "2000"),
        OptionSpec("seed", value: "n", help: "Generator seed; several seeds cover more of the subset.", default: "1"),
        OptionSpec("out", value: "dir", help: "Output directory.", default: "out/rules-differential"),
    ]
    static let discussion = """
        Writes rules.yml and rules_test.yml; 'promtool test rules rules_test.yml' in DIR must pass:
        every alert, at every evaluation, with its labels and annotations, as Prometheus fires it.
        Expressions our engine finds ill-defined on the series (Prometheus fails them too) are
        left out and counted.
        """

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        try o.expectPositionals(atMost: 0)
        let count = try o.integer("expressions", range: 1...100_000, default: 2_000)
        let seed = try o.seed("seed", env: nil, environment: [:], default: 1)
        let outputs = try OutputSet(directory: o.string("out") ?? "out/rules-differential")
        let d = try RulesDifferential(seed: seed, expressions: count)
        try outputs.open("rules.yml").write(d.rules)
        try outputs.open("rules_test.yml").write(d.test)
        let paths = try outputs.commitAll()
        context.console.out("rules-differential: \(d.expressions) expressions (\(d.leftOut) left out as ill-defined), \(d.firingEvaluations) firing alert-evaluations; wrote \(paths.joined(separator: ", "))\n")
        return .success
    }
}
