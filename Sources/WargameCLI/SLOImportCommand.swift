import WargameMonitoring
import WargameReports

/// `wargame slo import FILE`: a Sloth or OpenSLO spec as the war game understood it — the
/// `monitoring.slos` fragment a scenario can carry instead of the spec, every implied choice
/// (windows, burn rates, how each query becomes an error ratio) written out to read and edit.
enum SLOImportCommand: Command {
    static let name = "slo import"
    static let abstract = "Print a Sloth or OpenSLO spec as the scenario fragment Wargame runs (monitoring.slos)."
    static let positionalUsage = "FILE"
    static let options: [OptionSpec] = [
        OptionSpec("rules", value: nil, help: "Print the Prometheus rules the SLOs compile to (recording rules and burn-rate alerts) instead."),
    ]
    static let discussion = """
        The fragment is JSON: merge its "monitoring" object into a scenario, or keep the spec and
        pass it with --slo-spec FILE (run, sweep, check, study, search, serve). Both run the same
        rules; docs/own-monitoring.md explains each field.
        """

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        try o.expectPositionals(atMost: 1)
        guard let path = o.positionals.first else { throw UsageError(message: "Missing FILE: the Sloth or OpenSLO spec to import.", command: name) }
        guard let text = context.readConfig(path, expected: "a Sloth or OpenSLO spec") else { return .badInput }
        let specs: [SLOSpec]
        do { specs = try SLOImport.load(path: path, text: text) } catch {
            context.console.err("Error: \(error)\n")
            return .badInput
        }
        if o.has("rules") {
            context.console.out(SLORules.text(specs))
            return .success
        }
        context.console.out(JSONValue.object([("monitoring", .object([("slos", .array(specs.map(\.fragment)))]))]).rendered())
        return .success
    }
}

extension CommandContext {
    /// A configuration file given on the command line, as UTF-8 text; nil after saying why
    /// it cannot be read (the caller exits 2).
    func readConfig(_ path: String, expected what: String) -> String? {
        switch InputFile.read(path, limit: 16 << 20) {
        case .failure(let p):
            console.err("Error: \(path): expected \(what), found \(p.found)\n")
            return nil
        case .success(let bytes):
            guard let text = String(bytes: bytes, encoding: .utf8) else {
                console.err("Error: \(path): expected UTF-8 YAML, found invalid UTF-8\n")
                return nil
            }
            return text
        }
    }
}
