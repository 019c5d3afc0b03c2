#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Foundation
import WargameReports

/// `wargame bench serve`: scrape latency of the live server while idle clients hold
/// connections open — the load that starved the old thread-per-connection server — and,
/// with `--hostile`, while more clients than the connection limit hold idle connections
/// and re-open them as the server closes them.
enum BenchServeCommand: Command {
    static let name = "bench serve"
    static let abstract = "Benchmark /metrics latency with idle connections held open (build with -c release)."
    static let positionalUsage = "[SCENARIO]"
    static let options: [OptionSpec] = [
        OptionSpec("idle", value: "n", help: "Idle connections held open during the scrapes.", default: "500"),
        OptionSpec("requests", value: "n", help: "GET /metrics requests.", default: "200"),
        OptionSpec("concurrency", value: "n", help: "Requests in flight at once.", default: "20"),
        OptionSpec("hostile", value: "n", help: "Clients that hold idle connections and re-open them when closed (instead of --idle).", default: "0"),
        OptionSpec("max-connections", value: "n", help: "The server's connection limit, as 'serve --max-connections'.", default: "room for --idle"),
    ]

    static func run(_ o: ParsedOptions, _ context: CommandContext) throws -> ExitCode {
        try o.expectPositionals(atMost: 1)
        guard let scenario = try RunCommand.loadScenario(o.positionals.first ?? "scenarios/baseline.json", context) else { return .badInput }
        let idle = try o.integer("idle", range: 0...10_000, default: 500)
        let requests = try o.integer("requests", range: 1...1_000_000, default: 200)
        let concurrency = try o.integer("concurrency", range: 1...1_000, default: 20)
        let hostile = try o.integer("hostile", range: 0...10_000, default: 0)
        if hostile > 0 && o.string("idle") != nil {
            throw UsageError(message: "'--hostile' and '--idle' both set the clients that hold connections; give one.", command: name)
        }
        signal(SIGPIPE, SIG_IGN)
        var limits = HTTPServer.Limits()
        // Closed connections count until the loop reads their end, so leave room for a burst.
        limits.maxConnections = try o.integer("max-connections", range: 1...100_000,
                                              default: hostile > 0 ? HTTPServer.Limits().maxConnections : idle + 2 * concurrency + 64)
        limits.headTimeout = .seconds(600)  // the idle clients must outlast the measurement
        let session = try ServeSession(scenario: scenario, seed: 1, steps: scenario.run.steps, speed: nil, bind: "127.0.0.1", port: 0, limits: limits)
        defer { session.stop() }
        session.waitForSimulation()  // scrape the final exposition, a realistic body
        let port = session.server.port
        let held = hostile > 0 ? [] : (0..<idle).compactMap { _ in LoopbackClient(port: port) }
        defer { held.forEach { $0.close() } }
        let attackers = hostile > 0 ? HostileClients(count: hostile, port: port) : nil
        defer { attackers?.stop() }
        if attackers != nil { Thread.sleep(forTimeInterval: 1) }  // let them fill the server and start churning

        let latencies = Latencies(count: requests)
        let clock = ContinuousClock()
        let start = clock.now
        onThreads(concurrency) { worker in
            for i in stride(from: worker, to: requests, by: concurrency) {
                let t0 = clock.now
                let status = LoopbackClient(port: port).map { s -> String in
                    defer { s.close() }
                    let r = s.request("GET /metrics HTTP/1.1\r\nHost: bench\r\n\r\n")
                    return r.isEmpty ? "no response" : r.components(separatedBy: "\r\n")[0]  // "\r\n" is one Character
                } ?? "connect failed"
                latencies.set(i, status == "HTTP/1.1 200 OK" ? Progress.seconds(clock.now - t0) : nil, status)
            }
        }
        let wall = Progress.seconds(clock.now - start)
        let sorted = latencies.values.compactMap { $0 }.sorted()
        func quantile(_ q: Double) -> String {
            sorted.isEmpty ? "n/a" : NumberFormat.fixed(sorted[min(sorted.count - 1, Int((q * Double(sorted.count)).rounded(.up)) - 1)] * 1_000, 2)
        }
        context.console.out(figures([
            ("build", buildConfiguration), ("idle_connections", String(held.count)), ("hostile_clients", String(hostile)),
            ("max_connections", String(session.server.limits.maxConnections)), ("hostile_reconnects", String(attackers?.reconnects ?? 0)),
            ("requests", String(requests)),
            ("concurrency", String(concurrency)), ("ok", String(sorted.count)),
            ("failed", latencies.failures.isEmpty ? "0" : latencies.failures.joined(separator: "; ")),
            ("p50_ms", quantile(0.50)), ("p99_ms", quantile(0.99)), ("max_ms", quantile(1.0)),
            ("requests_per_second", NumberFormat.fixed(Double(requests) / wall, 0)),
        ]))
        if hostile > 0 {
            // The bar for connection exhaustion: at least 95 % answered, p99 under 50 ms.
            context.console.out("ok_fraction: " + NumberFormat.fixed(Double(sorted.count) / Double(requests), 3) + "\n")
            return Double(sorted.count) >= 0.95 * Double(requests) ? .success : .internalError
        }
        return sorted.count == requests ? .success : .internalError
    }

    /// Per-request results, written by the workers into their own slots.
    final class Latencies: @unchecked Sendable {
        private let lock = NSLock()
        private var slots: [Double?]
        private var statuses: [String]
        init(count: Int) {
            slots = Array(repeating: nil, count: count)
            statuses = Array(repeating: "", count: count)
        }
        func set(_ i: Int, _ v: Double?, _ status: String) { lock.lock(); slots[i] = v; statuses[i] = status; lock.unlock() }
        var values: [Double?] { lock.lock(); defer { lock.unlock() }; return slots }
        /// "count × status" for each status other than 200, in first-seen order.
        var failures: [String] {
            lock.lock(); defer { lock.unlock() }
            var seen: [String] = []
            for s in statuses where s != "HTTP/1.1 200 OK" && !seen.contains(s) { seen.append(s) }
            return seen.map { s in "\(statuses.filter { $0 == s }.count) × \(s)" }
        }
    }
}

/// Runs `body(0..<n)` on `n` threads at once and waits for all. (`concurrentPerform`
/// runs only as many as there are cores, which is not concurrency `n` for a client.)
func onThreads(_ n: Int, _ body: @escaping @Sendable (Int) -> Void) {
    let group = DispatchGroup()
    for k in 0..<n {
        group.enter()
        Thread { body(k); group.leave() }.start()
    }
    group.wait()
}

