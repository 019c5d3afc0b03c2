#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Foundation
import WargameReports
import WargameScenario

/// The exposition text scrapes read; replaced whole after every simulated step.
final class LiveMetrics: @unchecked Sendable {
    private let lock = NSLock()
    private var text = ""
    private var serviceText = ""
    private var finished = false
    private var scraped = false
    private let firstScrape = DispatchSemaphore(value: 0)

    /// Called on every `GET /metrics`; the first one releases `waitForFirstScrape`.
    func noteScrape() {
        lock.lock(); let first = !scraped; scraped = true; lock.unlock()
        if first { firstScrape.signal() }
    }
    func waitForFirstScrape() { firstScrape.wait() }

    func update(_ t: String, service: String = "") { lock.lock(); text = t; serviceText = service; lock.unlock() }
    func finish() { lock.lock(); finished = true; lock.unlock() }
    var current: String { lock.lock(); defer { lock.unlock() }; return text }
    /// The simulated service's own metrics (port 9109).
    var service: String { lock.lock(); defer { lock.unlock() }; return serviceText }
    var isFinished: Bool { lock.lock(); defer { lock.unlock() }; return finished }
}

/// A running `serve`: the HTTP servers plus the simulation feeding them — the simulator's
/// metrics on one port (9110), the simulated service's on another (9109) when asked.
final class ServeSession: @unchecked Sendable {
    let server: HTTPServer
    let serviceServer: HTTPServer?
    let metrics = LiveMetrics()
    private let done = DispatchSemaphore(value: 0)

    /// Starts serving at once and runs the simulation on a background queue. `speed` is
    /// simulated seconds per wall-clock second; `nil` runs as fast as possible.
    ///
    /// `startOnScrape` holds simulated time at zero until the first `GET /metrics` on either
    /// port. Prometheus scrapes a new target only seconds after it starts (its discovery
    /// hands targets over in 5-second batches); at `--speed 60` that is five simulated
    /// minutes it never sees, and an alert whose condition held from the start fires late.
    init(scenario: Scenario, seed: UInt64, steps: Int, speed: Double?, bind: String, port: UInt16, servicePort: UInt16? = nil,
         limits: HTTPServer.Limits = HTTPServer.Limits(), startOnScrape: Bool = false) throws {
        let metrics = self.metrics
        func handler(_ body: @escaping @Sendable () -> String) -> HTTPServer.Handler {
            { path in
                switch path {
                case "/metrics":
                    metrics.noteScrape()
                    return HTTPServer.Response(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: body())
                case "/healthz": return HTTPServer.Response(status: 200, contentType: "text/plain", body: "ok\n")
                default: return nil
                }
            }
        }
        server = try HTTPServer(bind: bind, port: port, limits: limits, handler: handler { metrics.current })
        do {
            serviceServer = try servicePort.map { p in try HTTPServer(bind: bind, port: p, limits: limits, handler: handler { metrics.service }) }
        } catch {
            server.stop()
            throw error
        }
        let done = self.done
        DispatchQueue.global().async {
            if startOnScrape { metrics.waitForFirstScrape() }
            let clock = ContinuousClock()
            let start = clock.now
            _ = try? ScenarioRunner.execute(scenario, seed: seed, steps: steps, onSnapshot: { snapshot in
                metrics.update(PrometheusText.render(snapshot), service: ServiceMetrics.render(snapshot))
                guard let speed else { return }
                let due = start + .milliseconds(Int64(snapshot.simulatedSeconds / speed * 1_000))
                let now = clock.now
                if due > now { Thread.sleep(forTimeInterval: Progress.seconds(due - now)) }  // pace: real time, outside the simulation
            })
            metrics.finish()
            done.signal()
        }
    }

    /// Blocks until the simulation has finished (the server keeps serving its final state).
    func waitForSimulation() { done.wait() }

    func stop() {
        server.stop()
        serviceServer?.stop()
    }
}

/// `wargame serve`: live metrics for dashboards and alert rehearsal.
enum ServeCommand: Command {
    static let name = "serve"
    static let abstract = "Run a scenario paced against the clock and serve live Prometheus metrics."
    static let positionalUsage = "[SCENARIO]"
    static let options: [OptionSpec] = [
        .alertRules,
        .sloSpec,
        .alertmanagerConfig,
        OptionSpec("speed", value: "x|max", help: "Simulated seconds per real second, or max.", default: "60"),
        OptionSpec("start", value: "now|scrape", help: "Start the simulated clock at once, or at the first GET /metrics (so Prometheus sees the war game from time 0).", default: "now"),
        OptionSpec("port", value: "n", help: "TCP port of the simulator's metrics (0 = any free port).", default: "9110"),
        OptionSpec("service-port", value: "n|off", help: "TCP port of the simulated service's metrics, the runbook's names (0 = any free port).",
                   default: "9109"),
        OptionSpec("bind", value: "address", help: "IPv4 address to listen on.", default: "127.0.0.1"),
        OptionSpec("max-connections", value: "n", help: "Open connections served at once; more get 503.", default: "1024"),
        OptionSpec("seed", value: "n", help: "Run seed; SEED if unset.", default: "scenario"),
        OptionSpec("steps", value: "n", help: "Steps to simulate; STEPS if unset.", default: "scenario"),
        .set,
        .warmup,
    ]
    static let discussion = """
        Serves GET /metrics (Prometheus text format, the metric names of metrics.prom and
        'wargame alert-rules') and GET /healthz on --port, and the simulated Aurora service's
        own metrics under the runbook's names (fill_rate, provider_active{provider_id},
        tenant_quota_*{tenant_id}, provenance_coverage, bridge_rtt_ms_p95, shard usage) on
        --service-port ('off' to leave it out). Binds to loopback unless --bind says otherwise.
        After the last step it keeps serving the final state until interrupted (SIGINT or
        SIGTERM: exit 130 / 143). One event-driven thread serves every connection: a request
        head must arrive within 5 s of connecting (else 408, or a silent close if nothing
        came), malformed requests get 400 at once, and connections beyond --max-connections
        get 503. See docs/live.md.
        """

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        try o.expectPositionals(atMost: 1)
        guard let scenario = try RunCommand.loadScenario(o.positionals.first ?? "scenarios/baseline.json", context, overrides: try o.overrides()) else { return .badInput }
        let seed = try o.seed("seed", env: "SEED", environment: context.environment, default: scenario.run.seed)
        let steps = try o.integer("steps", env: "STEPS", environment: context.environment, range: 1...10_000_000, default: scenario.run.steps)
        let port = try o.integer("port", range: 0...65_535, default: 9110)
        let servicePort: Int? = o.string("service-port") == "off" ? nil : try o.integer("service-port", range: 0...65_535, default: 9109)
        let bind = o.string("bind") ?? "127.0.0.1"
        var limits = HTTPServer.Limits()
        limits.maxConnections = try o.integer("max-connections", range: 1...100_000, default: limits.maxConnections)
        var speed: Double? = 60
        if let s = o.string("speed") {
            if s == "max" { speed = nil } else {
                guard let x = Double(s), x > 0, x.isFinite else {
                    throw UsageError(message: "The value '\(s)' is invalid for '--speed': expected a number > 0 or max.", command: name)
                }
                speed = x
            }
        }
        let start = o.string("start") ?? "now"
        guard start == "now" || start == "scrape" else {
            throw UsageError(message: "The value '\(start)' is invalid for '--start': expected now or scrape.", command: name)
        }
        signal(SIGPIPE, SIG_IGN)
        let session: ServeSession
        do {
            session = try ServeSession(scenario: scenario, seed: seed, steps: steps, speed: speed, bind: bind, port: UInt16(port),
                                       servicePort: servicePort.map { UInt16($0) }, limits: limits, startOnScrape: start == "scrape")
        } catch let e as HTTPServer.StartError {
            throw UsageError(message: "Cannot serve: \(e.message).", command: name)
        }
        let scope = bind.hasPrefix("127.") ? " (loopback only; --bind 0.0.0.0 to expose it)" : ""
        context.console.out("wargame serve: \(scenario.name), seed \(seed), \(NumberFormat.counted(steps, "step")) at "
            + (speed.map { NumberFormat.fixed($0, 0) + "x" } ?? "max speed") + "\n")
        context.console.out("serving http://\(bind):\(session.server.port)/metrics and /healthz\(scope)\n")
        if let s = session.serviceServer {
            context.console.out("serving the simulated service's metrics (the runbook's names) at http://\(bind):\(s.port)/metrics\n")
        }
        if start == "scrape" { context.console.out("simulated time starts at the first GET /metrics\n") }
        session.waitForSimulation()
        context.console.out("simulation finished; serving the final state until interrupted\n")
        while true { sleep(3_600) }
    }
}
