import SimExamples
import SimKernel
import WargameReports

/// `wargame mmc`: the job `make sim-run` runs until the operations models land — the M/M/c
/// example for STEPS steps, streamed to a per-step CSV plus a JSON summary, and a short
/// human summary against Erlang C on stdout.
enum MMcCommand: Command {
    static let name = "mmc"
    static let abstract = "Run the M/M/c example model for STEPS steps and write its outputs."
    static let options: [OptionSpec] = [
        OptionSpec("seed", value: "n", help: "Run seed; the SEED environment variable if unset.", default: "1"),
        OptionSpec("steps", value: "n", help: "Simulated steps; the STEPS environment variable if unset.", default: "60"),
        OptionSpec("step-seconds", value: "s", help: "Length of one step in simulated seconds.", default: "60"),
    ] + QueueOptions.specs + [
        OptionSpec("out", value: "dir", help: "Output directory.", default: "out/mmc"),
    ]
    static let discussion = """
        Writes mmc_steps.csv (one row per step) and summary.json to the output directory,
        atomically: on any error no file is left behind. Same seed and steps, same bytes.
        """

    static let stepHeader = ["step", "start_s", "end_s", "arrivals", "served", "mean_wait_ms",
                             "p95_wait_ms", "mean_queue_length", "utilisation"]

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        try o.expectPositionals(atMost: 0)
        let env = context.environment
        let seed = try o.seed("seed", env: "SEED", environment: env, default: 1)
        let steps = try o.integer("steps", env: "STEPS", environment: env, range: 1...10_000_000, default: 60)
        let stepSeconds = try o.integer("step-seconds", range: 1...86_400, default: 60)
        let parameters = try QueueOptions.parameters(o, seconds: Double(steps) * Double(stepSeconds))
        let dir = o.string("out") ?? "out/mmc"

        let outputs = try OutputSet(directory: dir)  // discards its files and directories if not committed
        var progress = Progress(label: "mmc steps", total: steps, console: context.console)
        defer { progress.finish() }
        var csv = try CSVWriter(file: try outputs.open("mmc_steps.csv"), header: stepHeader)
        let result = try MMc.runSteps(parameters, seed: seed, steps: steps,
                                      stepLength: .seconds(Int64(stepSeconds))) { step in
            try csv.writeRow(row(step))
            progress.update(step.index + 1)
        }
        try outputs.open("summary.json").write(summary(result, seed: seed, steps: steps, stepSeconds: stepSeconds).rendered())
        let paths = try outputs.commitAll()
        context.console.out(humanSummary(result, seed: seed, steps: steps, stepSeconds: stepSeconds, paths: paths))
        return .success
    }

    static func row(_ s: MMc.Step) -> [String] {
        [String(s.index), NumberFormat.fixed(s.start.seconds, 3), NumberFormat.fixed(s.end.seconds, 3),
         String(s.arrivals), String(s.served),
         NumberFormat.fixed(s.waits.count > 0 ? s.waits.mean * 1000 : 0, 3),
         NumberFormat.fixed((s.waitQuantiles.quantile(0.95) ?? 0) * 1000, 3),
         NumberFormat.fixed(s.meanQueueLength, 4), NumberFormat.fixed(s.utilisation, 4)]
    }

    static func summary(_ r: MMcResult, seed: UInt64, steps: Int, stepSeconds: Int) -> JSONValue {
        let p = r.parameters, theory = p.theory, st = r.statistics
        let d = r.detail!
        return .object([
            ("model", .string("M/M/c")),
            ("version", .string(Wargame.version)),
            ("seed", .uint(seed)),
            ("steps", .int(Int64(steps))),
            ("step_s", .int(Int64(stepSeconds))),
            ("parameters", .object([
                ("servers", .int(Int64(p.servers))),
                ("arrival_rate_per_s", .number(p.arrivalRate, decimals: 6)),
                ("service_rate_per_s", .number(p.serviceRate, decimals: 6)),
            ])),
            ("events", .int(Int64(r.events))),
            ("arrivals", .int(Int64(st.arrivals))),
            ("served", .int(Int64(st.served))),
            ("wq_s", .object([
                ("simulated", .number(st.meanWait, decimals: 6)),
                ("standard_error", .number(d.waitBatches.standardError, decimals: 6)),
                ("erlang_c", .number(theory.meanWaitInQueue, decimals: 6)),
                ("p50", .number(d.waitQuantiles.quantile(0.50) ?? 0, decimals: 6)),
                ("p95", .number(d.waitQuantiles.quantile(0.95) ?? 0, decimals: 6)),
                ("p99", .number(d.waitQuantiles.quantile(0.99) ?? 0, decimals: 6)),
            ])),
            ("p_wait", .object([
                ("simulated", .number(st.waitFraction, decimals: 6)),
                ("erlang_c", .number(theory.waitProbability, decimals: 6)),
            ])),
            ("utilisation", .object([
                ("simulated", .number(r.utilisation, decimals: 6)),
                ("theory", .number(theory.utilisation, decimals: 6)),
            ])),
            ("mean_number_in_system", .object([
                ("simulated", .number(r.meanNumberInSystem, decimals: 6)),
                ("erlang_c", .number(theory.meanNumberInSystem, decimals: 6)),
            ])),
        ])
    }

    static func humanSummary(_ r: MMcResult, seed: UInt64, steps: Int, stepSeconds: Int, paths: [String]) -> String {
        let p = r.parameters, t = p.theory, st = r.statistics
        func f(_ x: Double, _ d: Int = 4) -> String { NumberFormat.fixed(x, d) }
        func line(_ label: String, _ sim: String, _ theory: String) -> String {
            label.padding(to: 22) + sim.padding(to: 14) + theory + "\n"
        }
        var out = "wargame mmc: M/M/c example, seed \(seed), \(NumberFormat.counted(steps, "step")) of \(stepSeconds)s (\(r.endTime))\n"
        out += "  c=\(p.servers) λ=\(f(p.arrivalRate, 3))/s μ=\(f(p.serviceRate, 3))/s ρ=\(f(t.utilisation))\n"
        out += "  \(st.arrivals) arrivals, \(st.served) served, \(r.events) events\n\n"
        out += line("", "simulated", "Erlang C")
        out += line("  Wq (s)", f(st.meanWait), f(t.meanWaitInQueue))
        out += line("  P(wait)", f(st.waitFraction), f(t.waitProbability))
        out += line("  utilisation", f(r.utilisation), f(t.utilisation))
        out += line("  L (in system)", f(r.meanNumberInSystem), f(t.meanNumberInSystem))
        out += "\nwrote " + paths.joined(separator: ", ") + "\n"
        return out
    }
}
