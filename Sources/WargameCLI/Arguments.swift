import WargameScenario

/// One `--name value` option (or `--name` flag) a command accepts.
public struct OptionSpec: Sendable {
    public let name: String
    /// Shown in help as `--name <valueName>`; `nil` for a flag without a value.
    public let valueName: String?
    public let help: String
    /// Shown in help as `(default: …)`.
    public let defaultText: String?
    /// May be given more than once (`--set`, `--vary`); any other option given twice is a
    /// usage error, since the second would silently replace the first.
    public let repeatable: Bool

    public init(_ name: String, value: String?, help: String, default defaultText: String? = nil, repeatable: Bool = false) {
        self.name = name
        self.valueName = value
        self.help = help
        self.defaultText = defaultText
        self.repeatable = repeatable
    }
}

extension OptionSpec {
    /// `--set PATH=VALUE`, shared by every command that runs a scenario.
    public static let warmup = OptionSpec("warmup", value: "s", help: "Warm-up seconds left out of KPIs, verdicts and alerts (= --set run.warmup_s=s).",
                                          default: "scenario")
    public static let alertRules = OptionSpec("alert-rules", value: "file",
                                              help: "A Prometheus rule file whose alerts run beside the scenario's (repeatable; docs/own-monitoring.md).",
                                              repeatable: true)
    public static let sloSpec = OptionSpec("slo-spec", value: "file",
                                           help: "A Sloth (prometheus/v1) or OpenSLO v1 SLO spec: its SLIs and burn-rate alerts run beside the scenario's (repeatable; docs/own-monitoring.md).",
                                           repeatable: true)
    public static let alertmanagerConfig = OptionSpec("alertmanager-config", value: "file",
                                                      help: "An Alertmanager configuration: fired alerts are routed, grouped and inhibited by it, and the scorecard says which receivers each incident reached and when (docs/own-monitoring.md).")
    public static let set = OptionSpec("set", value: "PATH=VALUE",
                                       help: "Override a scenario field (repeatable): demand.orders_per_second=8, providers[akash].capacity=40.",
                                       repeatable: true)
}

/// Parsed command-line options with typed, validated accessors.
///
/// A hand-written stand-in for swift-argument-parser (the project takes no packages) that
/// keeps its habits: kebab-case flags, `--name value` or `--name=value`, unknown flags
/// answered with "did you mean", and every value checked before any work starts.
public struct ParsedOptions: Sendable {
    public let command: String
    public private(set) var values: [String: String] = [:]
    /// Every value of each option, in order, for repeatable options such as `--set`.
    public private(set) var lists: [String: [String]] = [:]
    public private(set) var flags: Set<String> = []
    public private(set) var positionals: [String] = []

    public init(_ args: [String], specs: [OptionSpec], command: String) throws(UsageError) {
        self.command = command
        var i = 0
        while i < args.count {
            let arg = args[i]
            i += 1
            guard arg.hasPrefix("--"), arg.count > 2 else {
                if arg.hasPrefix("-") && arg != "-" {
                    throw UsageError(message: "Unknown option '\(arg)'.", command: command)
                }
                positionals.append(arg)
                continue
            }
            var name = String(arg.dropFirst(2))
            var inlineValue: String?
            if let eq = name.firstIndex(of: "=") {
                inlineValue = String(name[name.index(after: eq)...])
                name = String(name[..<eq])
            }
            guard let spec = specs.first(where: { $0.name == name }) else {
                var message = "Unknown option '--\(name)'."
                if let guess = closest(to: name, in: specs.map(\.name)) { message += " Did you mean '--\(guess)'?" }
                throw UsageError(message: message, command: command)
            }
            if spec.valueName == nil {
                if inlineValue != nil { throw UsageError(message: "Option '--\(name)' takes no value.", command: command) }
                flags.insert(name)
                continue
            }
            if !spec.repeatable, let first = values[name] {
                let second = inlineValue ?? (i < args.count ? args[i] : "")
                throw UsageError(message: "Option '--\(name)' is given twice ('\(first)', then '\(second)'); give it once.", command: command)
            }
            if let v = inlineValue {
                values[name] = v
                lists[name, default: []].append(v)
            } else if i < args.count {
                values[name] = args[i]
                lists[name, default: []].append(args[i])
                i += 1
            } else {
                throw UsageError(message: "Missing value for '--\(name) <\(spec.valueName!)>'.", command: command)
            }
        }
    }

    public func has(_ flag: String) -> Bool { flags.contains(flag) }
    public func string(_ name: String) -> String? { values[name] }
    public func strings(_ name: String) -> [String] { lists[name] ?? [] }

    /// The `--set PATH=VALUE` overrides, parsed (their values are validated by the schema).
    /// Two that touch the same field — one path equal to or inside the other, `--warmup`
    /// counting as `run.warmup_s` — are a usage error: the later would silently win.
    public func overrides() throws(UsageError) -> [Override] {
        let all = try parsedOverrides()
        try Self.refuseOverlaps(Self.named(all, sources: overrideSources), command: command)
        return all
    }

    /// How the user wrote each override, in `overrides()` order.
    var overrideSources: [String] { strings("set").map { "--set " + $0 } + (values["warmup"].map { ["--warmup " + $0] } ?? []) }

    static func named(_ overrides: [Override], sources: [String]) -> [(steps: [Override.Step], source: String)] {
        zip(overrides, sources).map { ($0.steps, $1) }
    }

    /// Refuses fields the command varies itself (`search --param`, `study --vary`) that an
    /// override also sets, or that touch each other.
    func refuseOverlaps(withOverrides base: [Override], _ varied: [(steps: [Override.Step], source: String)]) throws(UsageError) {
        try Self.refuseOverlaps(Self.named(base, sources: overrideSources) + varied, command: command)
    }

    /// `named` (each path's steps and how the user wrote it): the first pair that touches
    /// one field, as a usage error naming both.
    static func refuseOverlaps(_ named: [(steps: [Override.Step], source: String)], command: String) throws(UsageError) {
        for (j, b) in named.enumerated() {
            if let a = named[..<j].first(where: { Override.overlap($0.steps, b.steps) }) {
                throw UsageError(message: "'\(a.source)' and '\(b.source)' both set \(a.steps.count <= b.steps.count ? pathText(a.steps) : pathText(b.steps)); "
                                 + "one would silently override the other, so give one.", command: command)
            }
        }
    }

    static func pathText(_ steps: [Override.Step]) -> String {
        var out = ""
        for s in steps {
            switch s {
            case .key(let k): out += (out.isEmpty ? "" : ".") + k
            case .index(let i): out += "[\(i)]"
            case .id(let id): out += "[\(id)]"
            }
        }
        return out
    }

    private func parsedOverrides() throws(UsageError) -> [Override] {
        var out: [Override] = []
        for text in strings("set") {
            do { out.append(try Override(parsing: text)) } catch { throw UsageError(message: error.description + ".", command: command) }
        }
        // --warmup S is run.warmup_s=S, recorded and validated like any override.
        if let w = values["warmup"] {
            guard let x = Double(w), x.isFinite else {
                throw UsageError(message: "The value '\(w)' is invalid for '--warmup': expected seconds, a multiple of the scenario's step_s.", command: command)
            }
            let literal = x == x.rounded() && abs(x) < 1e15 ? String(Int64(x)) : String(x)
            do {
                out.append(try Override(path: "run.warmup_s", value: .number(JSONNumber(value: x, literal: literal, isInteger: x == x.rounded()))))
            } catch {
                throw UsageError(message: error.description + ".", command: command)
            }
        }
        return out
    }

    /// An integer in `range`, from the flag, else from `environment[envName]`, else `fallback`.
    public func integer(_ name: String, env envName: String? = nil, environment: [String: String] = [:],
                        range: ClosedRange<Int>, default fallback: Int) throws(UsageError) -> Int {
        guard let (text, source) = lookup(name, envName, environment) else { return fallback }
        guard let n = Int(text.replacingOccurrences(of: "_", with: "")), range.contains(n) else {
            throw invalid(text, source, "an integer in \(range.lowerBound)...\(range.upperBound)")
        }
        return n
    }

    /// A seed: any unsigned 64-bit integer.
    public func seed(_ name: String, env envName: String? = nil, environment: [String: String] = [:],
                     default fallback: UInt64) throws(UsageError) -> UInt64 {
        guard let (text, source) = lookup(name, envName, environment) else { return fallback }
        guard let n = UInt64(text.replacingOccurrences(of: "_", with: "")) else {
            throw invalid(text, source, "an integer in 0...\(UInt64.max)")
        }
        return n
    }

    /// A finite number in `range`.
    public func number(_ name: String, range: ClosedRange<Double>, default fallback: Double) throws(UsageError) -> Double {
        guard let text = values[name] else { return fallback }
        guard let x = Double(text), x.isFinite, range.contains(x) else {
            throw invalid(text, "'--\(name)'", "a number in \(range.lowerBound)...\(range.upperBound)")
        }
        return x
    }

    /// Rejects positional arguments beyond `allowed`.
    public func expectPositionals(atMost allowed: Int) throws(UsageError) {
        if positionals.count > allowed {
            throw UsageError(message: "Unexpected argument '\(positionals[allowed])'.", command: command)
        }
    }

    private func lookup(_ name: String, _ envName: String?, _ environment: [String: String]) -> (String, String)? {
        if let v = values[name] { return (v, "'--\(name)'") }
        if let envName, let v = environment[envName], !v.isEmpty { return (v, "environment variable \(envName)") }
        return nil
    }

    private func invalid(_ text: String, _ source: String, _ expected: String) -> UsageError {
        UsageError(message: "The value '\(text)' is invalid for \(source): expected \(expected).", command: command)
    }
}
