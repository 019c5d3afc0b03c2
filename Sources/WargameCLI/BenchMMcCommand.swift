#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import SimExamples
import SimKernel
import WargameReports

/// `wargame bench mmc`: the kernel's speed on the M/M/c queue, in the same terms as the
/// bare reference loop `Benchmarks/mmc_bare.swift` (events = arrivals + service
/// completions), which `make bench` runs beside it.
///
/// Prints one `name: value` line per figure so scripts can read it. Wall-clock time is
/// read here, around the run, never inside it.
enum BenchMMcCommand: Command {
    static let name = "bench mmc"
    static let abstract = "Benchmark the kernel on the M/M/c queue (build with -c release)."
    static let options: [OptionSpec] = QueueOptions.specs + [
        OptionSpec("customers", value: "n", help: "Customers to serve.", default: "1000000"),
        OptionSpec("seed", value: "n", help: "Run seed.", default: "1"),
        OptionSpec("handler", value: "enum|closure", help: "Event representation to time.", default: "enum"),
        OptionSpec("repeat", value: "n", help: "Timed repetitions; the median is reported.", default: "1"),
    ]

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        try o.expectPositionals(atMost: 0)
        let parameters = try QueueOptions.parameters(
            o, customers: try o.integer("customers", range: 1...1_000_000_000, default: 1_000_000))
        let seed = try o.seed("seed", default: 1)
        let repeats = try o.integer("repeat", range: 1...100, default: 1)
        let handler = o.string("handler") ?? "enum"
        guard handler == "enum" || handler == "closure" else {
            throw UsageError(message: "The value '\(handler)' is invalid for '--handler': expected enum or closure.",
                             command: name)
        }

        var timings: [Double] = []
        var result: MMcResult?
        for _ in 0..<repeats {
            let clock = ContinuousClock()
            let start = clock.now
            let r = handler == "enum"
                ? MMc.runToCompletion(parameters, seed: seed)
                : MMcClosureStyle.runToCompletion(parameters, seed: seed)
            let elapsed = clock.now - start
            timings.append(Progress.seconds(elapsed))
            result = r
        }
        let r = result!
        let seconds = median(timings)
        let theory = parameters.theory
        let lines: [(String, String)] = [
            ("handler", handler),
            ("build", buildConfiguration),
            ("customers", String(r.statistics.served)),
            ("events", String(r.events)),
            ("loop_seconds", NumberFormat.fixed(seconds, 4)),
            ("events_per_second", NumberFormat.fixed(Double(r.events) / seconds, 0)),
            ("ns_per_event", NumberFormat.fixed(seconds / Double(r.events) * 1e9, 2)),
            ("wq_simulated", NumberFormat.fixed(r.statistics.meanWait, 5)),
            ("wq_erlang_c", NumberFormat.fixed(theory.meanWaitInQueue, 5)),
            ("p_wait_simulated", NumberFormat.fixed(r.statistics.waitFraction, 5)),
            ("p_wait_erlang_c", NumberFormat.fixed(theory.waitProbability, 5)),
            ("peak_rss_mb", NumberFormat.fixed(peakResidentMegabytes(), 1)),
        ]
        context.console.out(figures(lines))
        return .success
    }
}

/// How this binary was built: benchmark figures from a debug build are not comparable.
#if DEBUG
let buildConfiguration = "debug"
#else
let buildConfiguration = "release"
#endif

/// Benchmark output: one `name: value` line per figure, so scripts can read it.
func figures(_ lines: [(String, String)]) -> String { lines.map { "\($0.0): \($0.1)\n" }.joined() }

/// The middle value (the upper one of an even count): benchmarks on a shared machine report
/// it, as one run can be slowed by whatever else the machine does.
func median(_ values: [Double]) -> Double {
    precondition(!values.isEmpty, "median of nothing")
    return values.sorted()[values.count / 2]
}

/// CPU time consumed, in seconds: by the calling thread (a run simulates on it), or by the
/// whole process (every thread, user and system).
enum CPUTime {
    static func thread() -> Double { clock(CLOCK_THREAD_CPUTIME_ID) }
    static func process() -> Double { clock(CLOCK_PROCESS_CPUTIME_ID) }

    private static func clock(_ id: clockid_t) -> Double {
        var t = timespec()
        guard clock_gettime(id, &t) == 0 else { return .nan }
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}

/// The process's peak resident set size in MiB (getrusage: KiB on Linux, bytes on macOS).
func peakResidentMegabytes() -> Double {
    var usage = rusage()
    #if canImport(Glibc)
    guard getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage) == 0 else { return .nan }
    #else
    guard getrusage(RUSAGE_SELF, &usage) == 0 else { return .nan }
    #endif
    #if canImport(Darwin)
    return Double(usage.ru_maxrss) / 1_048_576
    #else
    return Double(usage.ru_maxrss) / 1024
    #endif
}
