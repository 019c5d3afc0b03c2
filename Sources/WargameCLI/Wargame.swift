import SimKernel
import WargameReports
import WargameScenario

/// The `wargame` command line: dispatch, help, and the mapping from errors to exit codes.
public enum Wargame {
    public static let version = "0.1.0"

    static var commands: [any Command.Type] {
        [RunCommand.self, ValidateCommand.self, CheckCommand.self, SweepCommand.self, MergeCommand.self, StudyCommand.self, SearchCommand.self, SensitivityCommand.self, CalibrateCommand.self, ValidateModelCommand.self, WarmupCommand.self, CompareCommand.self, HuntCommand.self, ServeCommand.self, ReportCommand.self,
         AlertRulesCommand.self, SLOImportCommand.self, RoutesTestCommand.self, GoldenCommand.self, SchemaCommand.self,
         MMcCommand.self, RulesDifferentialCommand.self, BenchMMcCommand.self, BenchRunCommand.self, BenchSweepCommand.self, BenchStudyCommand.self, BenchServeCommand.self, BenchCalibrateCommand.self]
    }

    static var overview: String {
        var out = """
            OVERVIEW: Deterministic discrete-event war games for a decentralised compute marketplace.

            USAGE: wargame <subcommand> [options]

            SUBCOMMANDS:

            """
        for c in commands { out += ("  " + c.name).padding(to: 28) + c.abstract + "\n" }
        out += """

              See 'wargame help <subcommand>' for detailed help.
              Exit codes: 0 success, 1 SLO breached, 2 bad usage or input, 3 internal error,
              128+n stopped by signal n: SIGHUP/INT/QUIT/USR1/USR2/TERM (temporary outputs removed).

            """
        return out
    }

    /// Runs the command line `arguments` (without the program name) and returns the exit code.
    public static func main(arguments: [String], context: CommandContext) -> ExitCode {
        do {
            return try dispatch(arguments, context)
        } catch let error as UsageError {
            var text = "Error: \(error.message)\n"
            if let c = command(named: error.command) {
                text += "Usage: \(c.usageLine)\n  See 'wargame \(c.name) --help' for more information.\n"
            } else {
                text += "Usage: wargame <subcommand> [options]\n  See 'wargame --help' for more information.\n"
            }
            context.console.err(text)
            return .badInput
        } catch let error as InputError {
            context.console.err("Error: \(error.message)\n")
            return .badInput
        } catch let error as OutputError {
            switch error.kind {
            case .location:
                context.console.err("Error: cannot write outputs to \(error)\n")
                return .badInput
            case .write:
                context.console.err("Error: writing \(error)\n")
                return .internalError
            }
        } catch {
            context.console.err("Error: internal error: \(error)\n")
            return .internalError
        }
    }

    static func command(named name: String) -> (any Command.Type)? { commands.first { $0.name == name } }

    static func dispatch(_ args: [String], _ context: CommandContext) throws -> ExitCode {
        guard let first = args.first else {
            context.console.out(overview)
            return .success
        }
        switch first {
        case "--help", "-h":
            context.console.out(overview)
            return .success
        case "--version":
            context.console.out(version + "\n")
            return .success
        case "help":
            let name = args.dropFirst().joined(separator: " ")
            if name.isEmpty { context.console.out(overview); return .success }
            guard let c = command(named: name) else { throw unknownCommand(name) }
            context.console.out(c.help)
            return .success
        default:
            break
        }
        // Longest match first, so `bench mmc` wins over a hypothetical `bench`.
        for words in stride(from: min(2, args.count), through: 1, by: -1) {
            let name = args.prefix(words).joined(separator: " ")
            guard let c = command(named: name) else { continue }
            let rest = Array(args.dropFirst(words))
            if rest.contains("--help") || rest.contains("-h") {
                context.console.out(c.help)
                return .success
            }
            let options = try ParsedOptions(rest, specs: c.options, command: c.name)
            var context = context
            context.alertRules = options.strings("alert-rules")
            context.sloSpecs = options.strings("slo-spec")
            context.alertmanagerConfig = options.string("alertmanager-config")
            return try c.run(options, context)
        }
        throw unknownCommand(args[0])
    }

    static func unknownCommand(_ name: String) -> UsageError {
        var message = "Unknown subcommand '\(name)'."
        let names = commands.map { $0.name }
        if let guess = names.first(where: { $0.hasPrefix(name + " ") }) ?? closest(to: name, in: names) {
            message += " Did you mean '\(guess)'?"
        }
        return UsageError(message: message, command: "")
    }
}
