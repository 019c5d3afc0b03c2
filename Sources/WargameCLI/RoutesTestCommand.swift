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
        let config: AlertmanagerConfig
        switch InputFile.read(path, limit: 16 << 20) {
        case .failure(let p):
            context.console.err("Error: \(path): expected an Alertmanager configuration, found \(p.found)\n")
            return .badInput
        case .success(let bytes):
            do { config = try AlertmanagerConfig.load(path: path, text: String(decoding: bytes, as: UTF8.self)) } catch {
                context.console.err("Error: \(error)\n")
                return .badInput
            }
        }
        context.console.out(config.receivers(for: Labels(labels)).joined(separator: ",") + "\n")
        return .success
    }
}
