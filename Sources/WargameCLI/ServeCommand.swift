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
    private var finished = false

    func update(_ t: String) { lock.lock(); text = t; lock.unlock() }
    func finish() { lock.lock(); finished = true; lock.unlock() }
    var current: String { lock.lock(); defer { lock.unlock() }; return text }
    var isFinished: Bool { lock.lock(); defer { lock.unlock() }; return finished }
}

/// A running `serve`: the HTTP server plus the simulation feeding it.
final class ServeSession: @unchecked Sendable {
    let server: HTTPServer
    let metrics = LiveMetrics()
    private let done = DispatchSemaphore(value: 0)

    /// Starts serving at once and runs the simulation on a background queue. `speed` is
    /// simulated seconds per wall-clock second; `nil` runs as fast as possible.
    init(scenario: Scenario, seed: UInt64, steps: Int, speed: Double?, bind: String, port: UInt16,
         limits: HTTPServer.Limits = HTTPServer.Limits()) throws {
        let metrics = self.metrics
        server = try HTTPServer(bind: bind, port: port, limits: limits) { path in
            switch path {
            case "/metrics": HTTPServer.Response(status: 200, contentType: "text/plain; version=0.0.4; charset=utf-8", body: metrics.current)
            case "/healthz": HTTPServer.Response(status: 200, contentType: "text/plain", body: "ok\n")
            default: nil
            }
        }
        let done = self.done
        DispatchQueue.global().async {
            let clock = ContinuousClock()
            let start = clock.now
            _ = try? ScenarioRunner.execute(scenario, seed: seed, steps: steps, onSnapshot: { snapshot in
                metrics.update(PrometheusText.render(snapshot))
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

    func stop() { server.stop() }
}

/// `wargame serve`: live metrics for dashboards and alert rehearsal.
enum ServeCommand: Command {
    static let name = "serve"
    static let abstract = "Run a scenario paced against the clock and serve live Prometheus metrics."
    static let positionalUsage = "[SCENARIO]"
    static let options: [OptionSpec] = [
        OptionSpec("speed", value: "x|max", help: "Simulated seconds per real second, or max.", default: "60"),
        OptionSpec("port", value: "n", help: "TCP port (0 = any free port).", default: "9110"),
        OptionSpec("bind", value: "address", help: "IPv4 address to listen on.", default: "127.0.0.1"),
        OptionSpec("max-connections", value: "n", help: "Open connections served at once; more get 503.", default: "1024"),
        OptionSpec("seed", value: "n", help: "Run seed; SEED if unset.", default: "scenario"),
        OptionSpec("steps", value: "n", help: "Steps to simulate; STEPS if unset.", default: "scenario"),
        .set,
        .warmup,
    ]
    static let discussion = """
        Serves GET /metrics (Prometheus text format, the metric names of metrics.prom and
        'wargame alert-rules') and GET /healthz. Binds to loopback unless --bind says otherwise.
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
        signal(SIGPIPE, SIG_IGN)
        let session: ServeSession
        do {
            session = try ServeSession(scenario: scenario, seed: seed, steps: steps, speed: speed, bind: bind, port: UInt16(port), limits: limits)
        } catch let e as HTTPServer.StartError {
            throw UsageError(message: "Cannot serve: \(e.message).", command: name)
        }
        let scope = bind.hasPrefix("127.") ? " (loopback only; --bind 0.0.0.0 to expose it)" : ""
        context.console.out("wargame serve: \(scenario.name), seed \(seed), \(steps) steps at "
            + (speed.map { NumberFormat.fixed($0, 0) + "x" } ?? "max speed") + "\n")
        context.console.out("serving http://\(bind):\(session.server.port)/metrics and /healthz\(scope)\n")
        session.waitForSimulation()
        context.console.out("simulation finished; serving the final state until interrupted\n")
        while true { sleep(3_600) }
    }
}
