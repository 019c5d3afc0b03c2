import Foundation
import Testing
@testable import WargameCLI
import WargameScenario

/// The runbooks' levers and commands, exercised as an operator would use them.
@Suite struct RunbookTests {
    let outage = packageRoot + "/scenarios/provider-outage-akash.json"

    func share(_ dir: String, _ providers: [String]) throws -> Double {
        let j = try jsonFile(dir + "/kpi_summary.json")
        return providers.reduce(0) { total, p in
            if case .number(let n)? = j["provider_share"]?[p] { return total + n.value }
            return total
        }
    }

    /// Aurora "Failover to Backup Provider": "Increase weight for flux/vast/aethir". Under the
    /// default strategy (score) that must move traffic to them.
    @Test func raisingRouterWeightsShiftsTrafficUnderTheDefaultStrategy() throws {
        let out = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        #expect(try ScenarioLoader.load(outage).pipeline.router.strategy == .score)
        #expect(runCLI(["run", outage, "--seed", "1", "--out", out + "/plain"]).code != .badInput)
        #expect(runCLI(["run", outage, "--seed", "1", "--out", out + "/weighted", "--set", "providers[flux].weight=6",
                        "--set", "providers[vast].weight=6", "--set", "providers[aethir].weight=6"]).code != .badInput)
        let backups = ["flux", "vast", "aethir"]
        let before = try share(out + "/plain", backups), after = try share(out + "/weighted", backups)
        #expect(after > before + 0.05, "share of flux+vast+aethir: \(before) → \(after)")
        #expect(FileManager.default.contents(atPath: out + "/plain/routing_decisions.csv")
                != FileManager.default.contents(atPath: out + "/weighted/routing_decisions.csv"))
    }
}

/// The Aurora runbook's `curl … | grep` lines, run as written against a live `serve` (the
/// ports swapped for free ones): each must find what it looks for.
@Suite struct RunbookCommandTests {
    static let lines: [(command: String, mustFind: [String])] = [
        (#"curl -s localhost:9109/metrics | grep fill_rate"#, ["fill_rate "]),
        (#"curl -s localhost:9109/metrics | grep tenant_id"#, [#"tenant_quota_used_gpu_hours{tenant_id="tenant-0"}"#, #"tenant_quota_remaining_gpu_hours{tenant_id="tenant-49"}"#]),
        (#"curl -s localhost:9109/metrics | grep provenance_coverage"#, ["provenance_coverage "]),
        (#"curl -s localhost:9109/metrics | grep -E "(fill_rate|rtt_ms|provenance)""#, ["fill_rate ", "bridge_rtt_ms_p95 ", "provenance_coverage "]),
        (#"curl -s localhost:9110/metrics | grep provider_capacity"#, [#"wargame_provider_capacity{provider="akash"}"#]),
        (#"curl -s localhost:9109/metrics | grep 'provider_active{provider_id="akash"}'"#, [#"provider_active{provider_id="akash"} 1"#]),
        (#"curl -s localhost:9109/metrics | grep shard_open_jobs"#, [#"shard_open_jobs{shard="EARTH"}"#]),
    ]

    @Test(.enabled(if: FileManager.default.isExecutableFile(atPath: "/usr/bin/curl"),
                   "SKIPPED: needs curl to run the runbook's lines as written (apt-get install curl)"))
    func everyRunbookCurlLineFindsItsMetric() throws {
        let s = try ScenarioLoader.load(packageRoot + "/scenarios/baseline.json")
        let session = try ServeSession(scenario: s, seed: 1, steps: 10, speed: nil, bind: "127.0.0.1", port: 0, servicePort: 0)
        defer { session.stop() }
        session.waitForSimulation()
        let service = try #require(session.serviceServer)
        #expect(Exposition(rawHTTP(port: service.port, "GET /metrics HTTP/1.1\r\n\r\n").components(separatedBy: "\r\n\r\n").dropFirst().joined()).problems == [])
        for line in Self.lines {
            let command = line.command.replacingOccurrences(of: "localhost:9109", with: "127.0.0.1:\(service.port)")
                .replacingOccurrences(of: "localhost:9110", with: "127.0.0.1:\(session.server.port)")
            let out = try shell(command)
            for wanted in line.mustFind { #expect(out.contains(wanted), "\(line.command) printed:\n\(out.prefix(400))") }
        }
    }

    func shell(_ command: String) throws -> String {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", command]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }
}

/// Each new runbook action changes the outcome of its war game on the same seed.
@Suite struct RunbookActionTests {
    func totals(_ args: [String]) throws -> JSON {
        let out = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        let r = runCLI(["run"] + args + ["--seed", "1", "--out", out])
        #expect(r.code != .badInput && r.code != .internalError, "\(r.err)")
        return try jsonFile(out + "/kpi_summary.json")
    }

    /// A final state's count (`totals.final_states`), a milestone's (`totals.milestones`) or another total.
    func count(_ j: JSON, _ key: String) -> Int {
        if case .number(let n)? = j["totals"]?["final_states"]?[key] ?? j["totals"]?["milestones"]?[key] ?? j["totals"]?[key] { return n.int ?? -1 }
        return -1
    }

    @Test func rollbackRestoresTheValuesFromBeforeTheChange() throws {
        let rolled = try totals([packageRoot + "/scenarios/bad-change-rollback.json"])
        let kept = try totals([packageRoot + "/scenarios/bad-change-no-rollback.json"])
        #expect(count(rolled, "dropped") < count(kept, "dropped"))
        #expect(count(rolled, "filled") > count(kept, "filled"))
        guard case .array(let actions)? = rolled["actions"] else { Issue.record("no actions"); return }
        #expect(actions.map { $0["action"] } == [.string("set"), .string("rollback")])
        #expect(actions.first?["parameters"] == .string("providers[akash].capacity=30 providers[flux].capacity=30 providers[vast].capacity=30"))
    }

    @Test func aManualBreakerResetSendsTrafficBackToTheProvider() throws {
        let scenario = packageRoot + "/scenarios/breaker-stuck-open.json"
        let reset = try totals([scenario]), stuck = try totals([scenario, "--set", "playbook=[]"])
        func akash(_ j: JSON) -> Double { if case .number(let n)? = j["provider_share"]?["akash"] { return n.value } else { return -1 } }
        #expect(akash(reset) > akash(stuck) + 0.02, "akash share: \(akash(stuck)) stuck vs \(akash(reset)) reset")
    }

    @Test func raisingATooTightRateLimitEndsThe429s() throws {
        let scenario = packageRoot + "/scenarios/rate-limit-too-tight.json"
        let fixed = try totals([scenario])
        let unfixed = try totals([scenario, "--set", "playbook[1].when.threshold=2"])  // a trigger that never holds
        #expect(count(fixed, "rejected") < count(unfixed, "rejected"))
    }

    func share(_ j: JSON, _ provider: String) -> Double {
        if case .number(let n)? = j["provider_share"]?[provider] { return n.value } else { return -1 }
    }

    func metric(_ args: [String], _ line: String) throws -> Int {
        let out = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        _ = runCLI(["run"] + args + ["--seed", "1", "--out", out])
        let prom = try String(contentsOfFile: out + "/metrics.prom", encoding: .utf8)
        return prom.components(separatedBy: "\n").first { $0.hasPrefix(line + " ") }.flatMap { Int($0.split(separator: " ").last!) } ?? 0
    }

    @Test func rotatingKeysTurnsStaleReplaysIntoBadSignatures() throws {
        // Only replays copying an order signed before the rotation turn stale: about one per
        // tenant (50), until each tenant signs a fresh order that later replays copy.
        let badSignatures = #"wargame_orders_final_total{decision="rejected",reason="bad_signature"}"#
        let rotated = try metric([packageRoot + "/scenarios/replay-attack-rotate-keys.json"], badSignatures)
        let purged = try metric([packageRoot + "/scenarios/replay-attack-purge.json"], badSignatures)
        #expect(rotated > purged + 20, "bad_signature rejections: \(purged) purge only vs \(rotated) with rotation")
    }

    @Test func aStagedHalfOpenRecoveryClosesTheBreakerEarly() throws {
        let scenario = packageRoot + "/scenarios/breaker-staged-recovery.json"
        let staged = try totals([scenario]), stuck = try totals([scenario, "--set", "playbook=[]"])
        #expect(share(staged, "akash") > share(stuck, "akash") + 0.02)
    }

    /// Fills of `provider` between `from` and `to` seconds, from routing_decisions.csv.
    func fills(_ args: [String], _ provider: String, from: Double, to: Double) throws -> Int {
        let out = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        _ = runCLI(["run"] + args + ["--seed", "1", "--out", out])
        return try csvRows(out + "/routing_decisions.csv").dropFirst().filter { r in
            r[6] == "filled" && r[7] == provider && (from * 1_000..<to * 1_000).contains(Double(r[0]) ?? -1)
        }.count
    }

    @Test func pausingOneExecutorMovesItsTrafficElsewhere() throws {
        let scenario = packageRoot + "/scenarios/executor-pause-golem.json"
        #expect(try fills([scenario], "golem", from: 720, to: 2400) == 0)
        #expect(try fills([scenario, "--set", "playbook=[]"], "golem", from: 720, to: 2400) > 20)
        let paused = try totals([scenario]), running = try totals([scenario, "--set", "playbook=[]"])
        #expect(count(paused, "failover_events") < count(running, "failover_events"))
    }

    @Test func reroutingAroundAPriceSpikeTakesTrafficOffTheSpikedProvider() throws {
        let scenario = packageRoot + "/scenarios/price-spike-reroute.json"
        let rerouted = try fills([scenario], "akash", from: 720, to: 2520)
        let kept = try fills([scenario, "--set", "playbook=[]"], "akash", from: 720, to: 2520)
        #expect(rerouted * 2 < kept, "akash fills during the spike: \(kept) kept vs \(rerouted) rerouted")
    }

    @Test func aSetActionOutsideTheLiveFieldsIsRefused() throws {
        let dir = scratchDirectory()
        let file = writeScenario("x.json", """
            { "version": 1, "extends": "\(packageRoot)/scenarios/baseline.json", "name": "x",
              "playbook": [ { "name": "p", "at_s": 60, "actions": [ { "action": "set", "fields": { "demand.tenants": 9 } } ] } ] }
            """, in: dir)
        let r = runCLI(["validate", file])
        #expect(r.code == .badInput && r.err.contains("playbook[0].actions[0].fields: expected fields a running system can change"))
        let typo = writeScenario("y.json", """
            { "version": 1, "extends": "\(packageRoot)/scenarios/baseline.json", "name": "y",
              "playbook": [ { "name": "p", "at_s": 60, "actions": [ { "action": "set", "fields": { "providers[akashh].weight": 9 } } ] } ] }
            """, in: dir)
        let t = runCLI(["validate", typo])
        #expect(t.code == .badInput && t.err.contains("(did you mean \"akash\"?)"), "\(t.err)")
    }
}

/// Every shipped war game's playbook matters: on its first seed, the run with the playbook
/// and the same run with `--set playbook=[]` differ, and the actions it took are recorded.
@Suite struct PlaybookWarGameTests {
    static let withPlaybooks: [String] = ((try? FileManager.default.contentsOfDirectory(atPath: packageRoot + "/scenarios")) ?? [])
        .filter { $0.hasSuffix(".json") }.sorted().filter { name in
            guard let s = try? ScenarioLoader.load(packageRoot + "/scenarios/" + name) else { return false }
            return !s.playbook.isEmpty
        }

    @Test func thereAreManyPlaybookWarGames() { #expect(Self.withPlaybooks.count >= 20) }

    @Test(arguments: withPlaybooks)
    func thePlaybookChangesTheOutcome(file: String) throws {
        let path = packageRoot + "/scenarios/" + file
        let seed = String(try ScenarioLoader.load(path).expect.seeds[0])
        let out = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: out) }
        _ = runCLI(["run", path, "--seed", seed, "--out", out + "/with"])
        _ = runCLI(["run", path, "--seed", seed, "--out", out + "/without", "--set", "playbook=[]"])
        #expect(try csvRows(out + "/with/actions.csv").count > 1, "no action taken")
        #expect(try csvRows(out + "/without/actions.csv").count == 1)
        #expect(FileManager.default.contents(atPath: out + "/with/order_events.csv")
                != FileManager.default.contents(atPath: out + "/without/order_events.csv"))
    }
}
