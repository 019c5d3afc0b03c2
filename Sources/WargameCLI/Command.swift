/// What every subcommand needs from its caller.
public struct CommandContext {
    public var environment: [String: String]
    public var console: Console
    /// `--alert-rules FILE…` of the commands that run scenarios: every scenario they load
    /// gets these rule files beside its own (`RunCommand.loadScenario`).
    public var alertRules: [String] = []
    /// `--slo-spec` files, for the same commands.
    public var sloSpecs: [String] = []
    /// `--alertmanager-config`, for the same commands.
    public var alertmanagerConfig: String?

    public init(environment: [String: String], console: Console) {
        self.environment = environment
        self.console = console
    }
}

/// A subcommand: a name, an abstract, its options and a body. Help text is generated from
/// the same `OptionSpec`s the parser uses, so it cannot drift from what is accepted.
protocol Command {
    /// As typed after `wargame`, e.g. `mmc` or `bench mmc`.
    static var name: String { get }
    static var abstract: String { get }
    /// Positional arguments in the usage line, e.g. `[SCENARIO]`; empty for none.
    static var positionalUsage: String { get }
    static var options: [OptionSpec] { get }
    /// Extra help paragraphs after the options.
    static var discussion: String { get }
    static func run(_ options: ParsedOptions, _ context: CommandContext) throws -> ExitCode
}

extension Command {
    static var positionalUsage: String { "" }
    static var discussion: String { "" }

    static var usageLine: String {
        var parts = ["wargame", name]
        if !positionalUsage.isEmpty { parts.append(positionalUsage) }
        for o in options { parts.append(o.valueName.map { "[--\(o.name) <\($0)>]" } ?? "[--\(o.name)]") }
        return parts.joined(separator: " ")
    }

    static var help: String {
        var out = "OVERVIEW: \(abstract)\n\nUSAGE: \(usageLine)\n"
        if !options.isEmpty {
            out += "\nOPTIONS:\n"
            for o in options {
                let left = "  --\(o.name)" + (o.valueName.map { " <\($0)>" } ?? "")
                let right = o.help + (o.defaultText.map { " (default: \($0))" } ?? "")
                out += left.padding(to: 28) + right + "\n"
            }
            out += "  --help".padding(to: 28) + "Show help information.\n"
        }
        if !discussion.isEmpty { out += "\n" + discussion + "\n" }
        return out
    }
}

extension String {
    /// Left-aligns in `width` columns, always leaving at least two spaces before the next column.
    func padding(to width: Int) -> String {
        count + 2 > width ? self + "\n" + String(repeating: " ", count: width) : self + String(repeating: " ", count: width - count)
    }
}
