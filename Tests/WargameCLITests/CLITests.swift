import Foundation
import Testing
@testable import WargameCLI

/// Runs the CLI in-process and captures what it prints.
final class Captured: @unchecked Sendable {
    var out = "", err = ""
}

func runCLI(_ args: [String], environment: [String: String] = [:],
            terminal: Bool = false) -> (code: ExitCode, out: String, err: String) {
    let c = Captured()
    let console = Console(out: { c.out += $0 }, err: { c.err += $0 }, stderrIsTerminal: terminal)
    let code = Wargame.main(arguments: args, context: CommandContext(environment: environment, console: console))
    return (code, c.out, c.err)
}

func scratchDirectory() -> String {
    FileManager.default.temporaryDirectory.appendingPathComponent("wargame-cli-\(UUID().uuidString)").path
}

@Suite struct HelpAndErrorTests {
    @Test func topLevelHelpListsSubcommandsAndExitCodes() {
        let r = runCLI(["--help"])
        #expect(r.code == .success)
        #expect(r.out == """
            OVERVIEW: Deterministic discrete-event war games for a decentralised compute marketplace.

            USAGE: wargame <subcommand> [options]

            SUBCOMMANDS:
              run                       Run a scenario, write decision logs and KPI summaries, check its SLOs.
              validate                  Check scenario files against the schema without running them.
              check                     Run scenarios on their fixed seeds and assert their expected SLO verdicts.
              sweep                     Run a scenario on a range of seeds in parallel; summarise KPIs and SLO pass fractions.
              merge                     Combine 'sweep --shard' or 'study --shard' outputs into one sweep or study.
              study                     Run a factorial design of variants on common random numbers; KPIs, pass fractions, main effects.
              search                    Find where an SLO's pass fraction crosses a target as one parameter moves.
              sensitivity               Rank parameters by their paired effect on each KPI (one at a time, ±δ).
              calibrate                 Fit a scenario's parameters to observed telemetry (maximum likelihood, with intervals and goodness of fit).
              validate-model            Check that a scenario reproduces observed KPIs (prediction intervals over seeds, Holm–Bonferroni at 5 %).
              warmup                    Suggest a warm-up from the time series by MSER-5 over the seeds.
              compare                   Compare two scenarios on the same seeds (common random numbers): paired KPI differences.
              hunt                      Find seeds that breach an SLO, with the first breaching step and the shortest replay.
              serve                     Run a scenario paced against the clock and serve live Prometheus metrics.
              report                    Write report.html (inline SVG charts, readable offline) from a run, sweep, study, search or sensitivity directory.
              alert-rules               Print the scenario's alert rules as Prometheus alerting-rules YAML.
              slo import                Print a Sloth or OpenSLO spec as the scenario fragment Wargame runs (monitoring.slos).
              routes-test               Print the receivers an alert's labels reach through an Alertmanager config (as amtool config routes test).
              golden                    Verify (or --record) the SHA-256 digests of outputs for fixed scenario × seed pairs.
              schema                    Print the scenario file reference (docs/scenarios.md) generated from the schema.
              mmc                       Run the M/M/c example model for STEPS steps and write its outputs.
              rules-differential        Write generated alert rules and the promtool test of what our PromQL engine fires for them.
              bench mmc                 Benchmark the kernel on the M/M/c queue (build with -c release).
              bench run                 Benchmark a full scenario run with all outputs written (build with -c release).
              bench sweep               Benchmark a seed sweep with 1 job and with N jobs (build with -c release).
              bench study               Benchmark a 3 × 3 study (demand × router strategy) over a simulated day (build with -c release).
              bench serve               Benchmark /metrics latency with idle connections held open (build with -c release).
              bench calibrate           Benchmark fitting raw latency samples and histogram buckets (build with -c release).

              See 'wargame help <subcommand>' for detailed help.
              Exit codes: 0 success, 1 SLO breached, 2 bad usage or input, 3 internal error,
              128+n stopped by signal n: SIGHUP/INT/QUIT/USR1/USR2/TERM (temporary outputs removed).

            """)
        #expect(runCLI([]).out == r.out)
    }

    @Test func subcommandHelpIsGeneratedFromItsOptions() {
        let r = runCLI(["help", "bench", "mmc"])
        #expect(r.code == .success)
        #expect(r.out.hasPrefix("OVERVIEW: Benchmark the kernel on the M/M/c queue (build with -c release).\n\nUSAGE: wargame bench mmc [--servers <c>]"))
        #expect(r.out.contains("  --customers <n>           Customers to serve. (default: 1000000)\n"))
        #expect(runCLI(["bench", "mmc", "--help"]).out == r.out)
    }

    @Test func unknownOptionGetsASuggestionAndExitCode2() {
        let r = runCLI(["mmc", "--sed", "4"])
        #expect(r.code == .badInput)
        #expect(r.out.isEmpty)
        #expect(r.err == """
            Error: Unknown option '--sed'. Did you mean '--seed'?
            Usage: wargame mmc [--seed <n>] [--steps <n>] [--step-seconds <s>] [--servers <c>] [--arrival-rate <λ>] [--service-rate <μ>] [--out <dir>]
              See 'wargame mmc --help' for more information.

            """)
    }

    @Test func unknownSubcommandGetsASuggestion() {
        #expect(runCLI(["mcm"]).err.hasPrefix("Error: Unknown subcommand 'mcm'. Did you mean 'mmc'?"))
        #expect(runCLI(["bench"]).err.hasPrefix("Error: Unknown subcommand 'bench'. Did you mean 'bench mmc'?"))
        #expect(runCLI(["bench"]).code == .badInput)
    }

    @Test(arguments: [
        (["mmc", "--seed", "abc"], "The value 'abc' is invalid for '--seed': expected an integer in 0...18446744073709551615."),
        (["mmc", "--steps", "0"], "The value '0' is invalid for '--steps': expected an integer in 1...10000000."),
        (["mmc", "--steps"], "Missing value for '--steps <n>'."),
        (["mmc", "--arrival-rate", "-1"], "The value '-1' is invalid for '--arrival-rate': expected a number in 1e-09...1000000000.0."),
        (["mmc", "extra"], "Unexpected argument 'extra'."),
        (["bench", "mmc", "--handler", "actor"], "The value 'actor' is invalid for '--handler': expected enum or closure."),
        // An unstable queue grows for ever; it is refused instead of run.
        (["mmc", "--servers", "2", "--arrival-rate", "10"], "The queue is unstable: arrival rate λ = 10.0 is not below servers × service rate c·μ = 2.0"),
        (["mmc", "--servers", "6", "--arrival-rate", "6"], "The queue is unstable: arrival rate λ = 6.0 is not below servers × service rate c·μ = 6.0"),
        (["bench", "mmc", "--servers", "1", "--arrival-rate", "1.5"], "The queue is unstable"),
        (["mmc", "--arrival-rate", "1e9", "--servers", "100000", "--service-rate", "1e5", "--steps", "10000"],
         "The run would handle about 1.20e15 events (2 λ per simulated second); the limit is 1.00e11."),
    ])
    func badValuesAreRejectedBeforeAnyWork(args: [String], message: String) {
        let r = runCLI(args)
        #expect(r.code == .badInput)
        #expect(r.err.hasPrefix("Error: \(message)"), "\(r.err)")
        #expect(r.err.contains("Usage: wargame \(args[0] == "bench" ? "bench mmc" : "mmc")"))
    }

    @Test func badEnvironmentValuesNameTheVariable() {
        let r = runCLI(["mmc"], environment: ["STEPS": "ten"])
        #expect(r.code == .badInput)
        #expect(r.err.hasPrefix("Error: The value 'ten' is invalid for environment variable STEPS: expected an integer"))
    }

    @Test func versionPrints() {
        #expect(runCLI(["--version"]).out == Wargame.version + "\n")
    }
}

@Suite struct MMcCommandTests {
    func files(in dir: String) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: dir).sorted() {
            out[name] = try Data(contentsOf: URL(fileURLWithPath: dir + "/" + name))
        }
        return out
    }

    @Test func sameSeedWritesByteIdenticalFilesAndADifferentSeedDoesNot() throws {
        let a = scratchDirectory(), b = scratchDirectory(), c = scratchDirectory()
        #expect(runCLI(["mmc", "--seed", "7", "--steps", "12", "--out", a]).code == .success)
        #expect(runCLI(["mmc", "--out", b], environment: ["SEED": "7", "STEPS": "12"]).code == .success)
        #expect(runCLI(["mmc", "--seed", "8", "--steps", "12", "--out", c]).code == .success)
        let fa = try files(in: a), fb = try files(in: b), fc = try files(in: c)
        #expect(fa.keys.sorted() == ["mmc_steps.csv", "summary.json"])
        #expect(fa == fb)
        #expect(fa["mmc_steps.csv"] != fc["mmc_steps.csv"])
        #expect(fa["summary.json"] != fc["summary.json"])
    }

    @Test func flagsWinOverTheEnvironment() throws {
        let dir = scratchDirectory()
        let r = runCLI(["mmc", "--steps", "3", "--out", dir], environment: ["STEPS": "9", "SEED": "4"])
        #expect(r.code == .success)
        #expect(r.out.hasPrefix("wargame mmc: M/M/c example, seed 4, 3 steps of 60s"))
        let csv = try String(contentsOfFile: dir + "/mmc_steps.csv", encoding: .utf8)
        #expect(csv.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 4)
    }

    @Test func outputsFollowTheirFormats() throws {
        let dir = scratchDirectory()
        #expect(runCLI(["mmc", "--steps", "5", "--out", dir]).code == .success)
        let csv = try String(contentsOfFile: dir + "/mmc_steps.csv", encoding: .utf8)
        let lines = csv.components(separatedBy: "\r\n")
        #expect(lines[0] == "step,start_s,end_s,arrivals,served,mean_wait_ms,p95_wait_ms,mean_queue_length,utilisation")
        #expect(lines.last == "")  // every record CRLF-terminated
        #expect(lines.dropFirst().dropLast().allSatisfy { $0.split(separator: ",", omittingEmptySubsequences: false).count == 9 })
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: dir + "/summary.json"))) as? [String: Any]
        #expect(json?["steps"] as? Int == 5)
        #expect((json?["wq_s"] as? [String: Any])?["erlang_c"] as? Double == 0.613830)  // Erlang C, c=7 λ=6 μ=1, to 6 places
    }

    @Test func progressGoesToStderrOnlyOnATerminal() {
        let quiet = runCLI(["mmc", "--steps", "4", "--out", scratchDirectory()])
        #expect(quiet.code == .success && quiet.err.isEmpty)
        let tty = runCLI(["mmc", "--steps", "4", "--out", scratchDirectory()], terminal: true)
        #expect(tty.code == .success)
        #expect(tty.err.contains("\rmmc steps: 4/4 (100%)"))
        // Results on stdout are the same either way (only the output paths differ).
        #expect(tty.out.components(separatedBy: "\nwrote ")[0] == quiet.out.components(separatedBy: "\nwrote ")[0])
        #expect(!tty.out.contains("\r"))
    }

    @Test func badInputWritesNothing() {
        let dir = scratchDirectory()
        #expect(runCLI(["mmc", "--servers", "0", "--out", dir]).code == .badInput)
        #expect(!FileManager.default.fileExists(atPath: dir))
    }

    @Test func benchPrintsEveryFigureAsNameValueLines() {
        let r = runCLI(["bench", "mmc", "--customers", "2000", "--seed", "3"])
        #expect(r.code == .success)
        let names = r.out.split(separator: "\n").map { String($0.split(separator: ":")[0]) }
        for required in ["customers", "events", "loop_seconds", "events_per_second", "wq_simulated", "wq_erlang_c",
                         "p_wait_simulated", "p_wait_erlang_c", "peak_rss_mb"] {
            #expect(names.contains(required), "missing \(required)")
        }
        #expect(r.out.contains("customers: 2000\n") && r.out.contains("events: 4000\n"))
    }
}
