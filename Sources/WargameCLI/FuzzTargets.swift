import Foundation
import WargameMonitoring
@_spi(Fuzzing) import WargameScenario

/// Entry points for the libFuzzer targets in `Fuzz/` (`make fuzz`), and for the unit tests
/// that replay their seed corpus and every crash they found (`Tests/Fuzz/`).
///
/// Each takes arbitrary bytes and must return without trapping; where a stronger property
/// holds it is checked with `precondition`, so a violation is a crash the fuzzer reports.
@_spi(Fuzzing) public enum FuzzTargets {
    /// The JSON parser and the whole scenario loader (schema, `extends`, whole-scenario
    /// checks), on an in-memory file set: `fuzz.json` is the input, `baseline.json` the
    /// shipped baseline, so `"extends": "baseline.json"` reaches realistic merged configs.
    /// A scenario that loads is then run for one step, if small enough to stay fast.
    public static func scenario(_ bytes: [UInt8], baseline: [UInt8]) {
        let scenario: Scenario
        do {
            scenario = try ScenarioLoader.load("fuzz.json", from: ["fuzz.json": bytes, "baseline.json": baseline])
        } catch {
            precondition(!error.all.isEmpty && error.all.count <= 20 && !error.report.isEmpty)
            return
        }
        let ordersPerStep = scenario.pipeline.demand.ordersPerSecond * scenario.run.stepLength.seconds
        guard ordersPerStep <= 5_000, scenario.pipeline.demand.tenants <= 1_000 else { return }
        _ = try? ScenarioRunner.execute(scenario, seed: 1, steps: 1)
    }

    /// The HTTP request-head parser. Besides not trapping: a complete head's length lies
    /// within the input and the limit, parsing exactly that prefix gives the same head, and
    /// no shorter prefix of a valid head is ever judged invalid (the event loop parses
    /// after every read, so that would refuse a client for sending slowly).
    public static func http(_ bytes: [UInt8]) {
        let whole = HTTPRequestHead.parse(bytes)
        guard case .complete(let head, let length) = whole else { return }
        precondition(length > 0 && length <= bytes.count && length <= HTTPRequestHead.maximumBytes)
        precondition(HTTPRequestHead.parse(Array(bytes[..<length])) == .complete(head, length: length))
        for cut in Set([1, length / 3, length / 2, length - 1]) where cut > 0 && cut < length {
            let partial = HTTPRequestHead.parse(Array(bytes[..<cut]))
            precondition(partial == .incomplete, "prefix \(cut) of a valid head judged \(partial)")
        }
    }

    /// The command-line parsers: bytes split at NUL into arguments, parsed against every
    /// subcommand's options, with every typed accessor and value parser applied. Help and
    /// unknown-command paths go through the real dispatcher; nothing is ever run.
    public static func arguments(_ bytes: [UInt8]) {
        let args = bytes.split(separator: 0, omittingEmptySubsequences: false).map { String(decoding: $0, as: UTF8.self) }
        for c in Wargame.commands {
            guard let o = try? ParsedOptions(args, specs: c.options, command: c.name) else { continue }
            for spec in c.options where spec.valueName != nil {
                _ = try? o.integer(spec.name, env: "STEPS", environment: ["STEPS": args.first ?? ""], range: 0...Int.max, default: 0)
                _ = try? o.seed(spec.name, env: "SEED", environment: ["SEED": args.last ?? ""], default: 0)
                _ = try? o.number(spec.name, range: -Double.greatestFiniteMagnitude...Double.greatestFiniteMagnitude, default: 0)
            }
            if let seeds = try? parseSeeds(o.string("seeds"), command: c.name) {
                precondition(!seeds.isEmpty && seeds.count <= 1_000_000 && seeds.last! - seeds.first! == UInt64(seeds.count - 1))
            }
            if let shard = try? SweepCommand.parseShard(o.string("shard")) {
                precondition(shard.index >= 1 && shard.index <= shard.count)
            }
            // Overrides and factors: anything that parses reads back the same from its text.
            if let overrides = try? o.overrides() {
                for v in overrides {
                    let again = try? Override(parsing: v.text)
                    precondition(again?.steps == v.steps && again?.value.compact == v.value.compact, "override \(v.text) does not read back")
                }
            }
            for text in o.strings("vary") {
                guard let f = try? Factor(parsing: text) else { continue }
                precondition(!f.values.isEmpty && f.values.count <= Factor.maximumLevels)
            }
            _ = try? o.expectPositionals(atMost: 1)
        }
        for a in args.prefix(8) {  // "did you mean" is quadratic in length; a few suffice
            _ = ScenarioName.isValid(a)
            _ = closest(to: String(a.prefix(64)), in: Wargame.commands.map { $0.name })  // not \.name: a static key path crashes SILGen (6.3.1)
        }
        if !wouldRunSomething(args) {
            let console = Console(out: { _ in }, err: { _ in }, stderrIsTerminal: false)
            let code = Wargame.main(arguments: args, context: CommandContext(environment: [:], console: console))
            precondition(code == .success || code == .badInput)
        }
    }

    /// The readers of the team's monitoring configuration, on the same bytes: the YAML
    /// reader, a Prometheus rule file (with its PromQL and templates), a Sloth or OpenSLO
    /// spec (and, when it reads, the rules it compiles to, which must load), an Alertmanager
    /// config (routing one alert through it when it reads). Each may refuse; none may trap.
    public static func monitoring(_ bytes: [UInt8]) {
        let text = String(decoding: bytes, as: UTF8.self)
        _ = try? YAML.documents(text)
        _ = try? RuleFile.load(path: "fuzz.yml", text: text)
        if let specs = try? SLOImport.load(path: "fuzz.yml", text: text) {
            let compiled = try? RuleFile.load(path: "slo.yml", text: SLORules.text(specs))
            precondition(compiled != nil, "the rules compiled from a spec that reads must load")
            for s in specs { _ = s.fragment.rendered() }
        }
        if let config = try? AlertmanagerConfig.load(path: "fuzz.yml", text: text) {
            let alert = RoutedAlert(labels: Labels([("alertname", "A"), ("severity", "page")]), firedAtMs: 0, resolvedAtMs: 600_000)
            _ = config.notifications([alert, alert], untilMs: 3_600_000)
            precondition(!config.receivers(for: alert.labels).isEmpty)
        }
    }

    /// Whether `Wargame.main` would execute a command (rather than print help or refuse).
    static func wouldRunSomething(_ args: [String]) -> Bool {
        guard let first = args.first, !["--help", "-h", "--version", "help"].contains(first) else { return false }
        for words in stride(from: min(2, args.count), through: 1, by: -1) {
            if Wargame.command(named: args.prefix(words).joined(separator: " ")) != nil {
                let rest = args.dropFirst(words)
                return !(rest.contains("--help") || rest.contains("-h"))
            }
        }
        return false
    }
}
