import WargameMonitoring
import WargameReports

/// `wargame routes-test`: the receivers an alert with the given labels reaches through an
/// Alertmanager configuration, printed as `amtool config routes test` prints them, so the
/// two can be compared label set by label set (`make amtool-check`).
enum RoutesTestCommand: Command {
    static let name = "routes-test"
    static let abstract = "Print the receivers an alert's labels reach through an Alertmanager config (as amtool config routes test)."
    static let positionalUsage = "LABEL=VALUE..."
    static let options: [OptionSpec] = [
        OptionSpec("alertmanager-config", value: "file", help: "The Alertmanager configuration file."),
    ]

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        guard let path = o.string("alertmanager-config") else {
            throw UsageError(message: "Missing --alertmanager-config FILE.", command: name)
        }
        var labels: [(String, String)] = []
        for p in o.positionals {
            guard let eq = p.firstIndex(of: "="), eq != p.startIndex else {
                throw UsageError(message: "The argument '\(p)' is invalid: expected LABEL=VALUE.", command: name)
            }
            labels.append((String(p[..<eq]), String(p[p.index(after: eq)...])))
        }
        guard let text = context.readConfig(path, expected: "an Alertmanager configuration") else { return .badInput }
        let config: AlertmanagerConfig
        do { config = try AlertmanagerConfig.load(path: path, text: text) } catch {
            context.console.err("Error: \(error)\n")
            return .badInput
        }
        context.console.out(config.receivers(for: Labels(labels)).joined(separator: ",") + "\n")
        return .success
    }
}
