import Foundation
import Testing
import WargameScenario
@testable import WargameCLI

/// The package root, found from this file's path, so tests do not depend on the working
/// directory they are started from.
let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
    .deletingLastPathComponent().path

func writeScenario(_ name: String, _ body: String, in dir: String) -> String {
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    let path = dir + "/" + name
    _ = FileManager.default.createFile(atPath: path, contents: Data(body.utf8))
    return path
}

@Suite struct RunCommandTests {
    let baseline = packageRoot + "/scenarios/baseline.json"

    @Test func runWritesItsSevenFilesAndPrintsTheSLOTable() throws {
        let out = scratchDirectory()
        let r = runCLI(["run", baseline, "--steps", "10", "--seed", "5", "--out", out])
        #expect(r.code == .success, "\(r.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: out).sorted()
                == ["actions.csv", "alerts.csv", "kpi_summary.json", "kpi_summary.md", "kpi_timeseries.csv", "metrics.prom",
                    "order_events.csv", "routing_decisions.csv"])
        #expect(r.out.hasPrefix("wargame run: baseline (\(baseline)), seed 5, 10 steps of 60s\n"))
        #expect(r.out.contains("  fill_rate_p50        Fill rate p50 (per step)      >= 0.8500"))
        #expect(r.out.contains("All 7 SLOs met."))
        let csv = try String(contentsOfFile: out + "/routing_decisions.csv", encoding: .utf8)
        #expect(csv.hasPrefix("time_ms,step,order_id,tenant,region,gpu_hours,decision,provider,cause,reason,attempt,"
                              + "price_per_gpu_hour,breaker_state,warmup\r\n"))
        let events = try String(contentsOfFile: out + "/order_events.csv", encoding: .utf8)
        #expect(events.hasPrefix("time_ms,step,order_id,tenant,region,gpu_hours,decision,provider,reason,attempt,"
                                 + "bridge_rtt_ms,policy_ms,price_per_gpu_hour,breaker_state,warmup\r\n"))
        let series = try String(contentsOfFile: out + "/kpi_timeseries.csv", encoding: .utf8)
        #expect(series.components(separatedBy: "\r\n").filter { !$0.isEmpty }.count == 11)
    }

    @Test func sameInputsGiveByteIdenticalFiles() throws {
        let a = scratchDirectory(), b = scratchDirectory()
        #expect(runCLI(["run", baseline, "--steps", "8", "--out", a], environment: ["SEED": "99"]).code == .success)
        #expect(runCLI(["run", baseline, "--steps", "8", "--seed", "99", "--out", b]).code == .success)
        for f in ScenarioRunner.files {
            #expect(FileManager.default.contents(atPath: a + "/" + f) == FileManager.default.contents(atPath: b + "/" + f), "\(f)")
        }
    }

    @Test func aBreachedSLOExitsWithCode1() {
        let r = runCLI(["run", packageRoot + "/scenarios/three-providers-down.json", "--steps", "30", "--out", scratchDirectory()])
        #expect(r.code == .sloBreached)
        #expect(r.out.contains("FAIL"))
    }

    @Test func goldenDigestsMatch() {
        let r = runCLI(["golden", "--root", packageRoot])
        #expect(r.code == .success, "\(r.out)\(r.err)")
        #expect(r.out == "golden digests match (3 cases)\n")
    }
}

/// Every kind of bad input: one clear message naming the file, the JSON path and what was
/// expected; exit code 2; and no output directory left behind.
@Suite struct BadInputTests {
    static let cases: [(name: String, json: String, message: String)] = [
        ("malformed", "{ \"version\": 1,\n  \"name\": \"x\" \"demand\": {} }",
         "malformed JSON at line 2, column 15: expected ',' or '}' but found '\"'"),
        ("unknown", #"{ "version": 1, "demand": { "orders_per_secnd": 2 } }"#,
         "demand.orders_per_secnd: unknown field (did you mean \"orders_per_second\"?)"),
        ("type", #"{ "version": 1, "providers": [ { "id": "akash", "capacity": "lots" } ] }"#,
         "providers[0].capacity: expected an integer in 0…10000000, found the string \"lots\""),
        ("negative", #"{ "version": 1, "demand": { "orders_per_second": -3 } }"#,
         "demand.orders_per_second: expected a number in 0…100000, found -3"),
        ("probability", #"{ "version": 1, "bridges": [ { "name": "ibc", "loss_probability": 1.5 } ] }"#,
         "bridges[0].loss_probability: expected a number in 0…1, found 1.5"),
        ("zero", #"{ "version": 1, "providers": [ {"id":"akash","capacity":0}, {"id":"flux","capacity":0}, {"id":"vast","capacity":0}, {"id":"aethir","capacity":0}, {"id":"ionet","capacity":0}, {"id":"render","capacity":0}, {"id":"golem","capacity":0} ] }"#,
         "providers: expected at least one provider with capacity ≥ 1, found zero capacity everywhere"),
        ("reference", #"{ "version": 1, "router": { "strategy": "ordered", "order": ["akash", "fluxx"] } }"#,
         "router.order[1]: expected a provider id (akash, flux, vast, aethir, ionet, render, golem), found the string \"fluxx\" (did you mean \"flux\"?)"),
        ("region", #"{ "version": 1, "providers": [ { "id": "vast", "regions": ["us-eats"] } ] }"#,
         "providers[0].regions[0]: expected one of the regions \"us-east\", \"eu-west\", \"ap-south\", \"cn-north\", found \"us-eats\" (did you mean \"us-east\"?)"),
        ("strategy", #"{ "version": 1, "router": { "strategy": "cheap" } }"#,
         "router.strategy: expected one of \"weighted\", \"score\", \"p2c\", \"cheapest\", \"ordered\" (did you mean \"cheapest\"?), found the string \"cheap\""),
        ("noversion", #"{ "name": "x" }"#, "version: expected the schema version 1, found nothing"),
        ("huge", #"{ "version": 1, "demand": { "orders_per_second": 1e400 } }"#,
         "demand.orders_per_second: malformed JSON at line 1, column 50: number 1e400 is beyond the range of a double (about ±1.8e308)"),
    ]

    @Test(arguments: cases.map(\.name))
    func badScenarioIsRejectedWithPathAndNothingWritten(name: String) {
        let c = Self.cases.first { $0.name == name }!
        let dir = scratchDirectory()
        let file = writeScenario(name + ".json", c.json, in: dir)
        let out = dir + "/out"
        let r = runCLI(["run", file, "--out", out])
        #expect(r.code == .badInput)
        #expect(r.err.hasPrefix("Error: \(file): \(c.message)"), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: out))
        #expect(runCLI(["validate", file]).code == .badInput)
    }

    @Test func aMissingBaseScenarioNamesTheExtendingFile() {
        let dir = scratchDirectory()
        let file = writeScenario("child.json", #"{ "version": 1, "extends": "nowhere.json" }"#, in: dir)
        let r = runCLI(["run", file, "--out", dir + "/out"])
        #expect(r.code == .badInput)
        #expect(r.err == "Error: \(file): extends: expected a base scenario file at \(dir)/nowhere.json, found nothing at this path\n")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out"))
    }

    @Test func aCycleOfExtendsIsRefused() {
        let dir = scratchDirectory()
        let a = writeScenario("a.json", #"{ "version": 1, "extends": "b.json" }"#, in: dir)
        _ = writeScenario("b.json", #"{ "version": 1, "extends": "a.json" }"#, in: dir)
        #expect(runCLI(["validate", a]).err.contains("found a cycle"))
    }

    @Test(arguments: [["SEED": "abc"], ["STEPS": "-4"], ["STEPS": "1e3"]])
    func nonNumericSeedOrStepsIsBadUsage(env: [String: String]) {
        let out = scratchDirectory()
        let r = runCLI(["run", packageRoot + "/scenarios/baseline.json", "--out", out], environment: env)
        #expect(r.code == .badInput)
        #expect(r.err.contains("environment variable \(env.keys.first!)"))
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func aFileThatIsNotUTF8IsBadInput() {
        let dir = scratchDirectory()
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: dir + "/bin.json", contents: Data([0x7B, 0xFF, 0xFE, 0x7D]))
        let r = runCLI(["validate", dir + "/bin.json"])
        #expect(r.code == .badInput)
        #expect(r.err == "Error: \(dir)/bin.json: expected UTF-8 JSON, found invalid UTF-8\n")
    }

    @Test func aMissingScenarioFileIsBadInput() {
        let r = runCLI(["run", "/nonexistent/x.json"])
        #expect(r.code == .badInput)
        #expect(r.err == "Error: /nonexistent/x.json: expected a scenario file, found nothing at this path\n")
    }

    /// Directories and special files get a message saying what is there, not "missing";
    /// nothing but a regular file is read, so a pipe or device can never block a command.
    @Test func directoriesAndSpecialFilesAreNamedForWhatTheyAre() {
        let dir = scratchDirectory()
        try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let special = " (only regular files are read: a pipe or device could block or never end)\n"
        #expect(runCLI(["validate", dir]).err == "Error: \(dir): expected a scenario file, found a directory\n")
        #expect(runCLI(["validate", "/dev/null"]).err == "Error: /dev/null: expected a scenario file, found a character device" + special)
        #expect(runCLI(["validate", "/dev/zero"]).err == "Error: /dev/zero: expected a scenario file, found a character device" + special)
        let child = writeScenario("child.json", #"{ "version": 1, "extends": "sub" }"#, in: dir)
        try? FileManager.default.createDirectory(atPath: dir + "/sub", withIntermediateDirectories: true)
        #expect(runCLI(["validate", child]).err == "Error: \(child): extends: expected a base scenario file at \(dir)/sub, found a directory\n")
        let empty = writeScenario("empty.json", "  \n", in: dir)
        #expect(runCLI(["validate", empty]).err == "Error: \(empty): expected a JSON scenario, found an empty file\n")
    }

    /// A named pipe with no writer, as the scenario or as a base two levels down: refused
    /// at once (a plain open would block for ever), for every command that loads one.
    @Test(arguments: [["validate"], ["run", "--steps", "1"], ["sweep", "--seeds", "1..2"], ["check"], ["alert-rules"]])
    func namedPipesAreRefusedAtEveryLevel(command: [String]) throws {
        let dir = scratchDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        #expect(mkfifo(dir + "/pipe.json", 0o600) == 0)
        let middle = writeScenario("middle.json", #"{ "version": 1, "extends": "pipe.json" }"#, in: dir)
        let top = writeScenario("top.json", #"{ "version": 1, "extends": "middle.json" }"#, in: dir)
        for (file, message) in [(dir + "/pipe.json", "\(dir)/pipe.json: expected a scenario file, found a named pipe"),
                                (top, "\(middle): extends: expected a base scenario file at \(dir)/pipe.json, found a named pipe")] {
            var args = command
            args.insert(file, at: 1)
            let r = runCLI(args + ["--out", dir + "/out"].filter { _ in command[0] == "run" || command[0] == "sweep" })
            #expect(r.code == .badInput)
            #expect(r.err.hasPrefix("Error: " + message), "\(r.err)")
        }
        #expect(!FileManager.default.fileExists(atPath: dir + "/out"))
    }

    @Test func aSocketIsNotAScenario() throws {
        let dir = "/tmp/wg-\(UUID().uuidString.prefix(8))"  // a socket path must stay short
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let fd = socket(AF_UNIX, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        let path = dir + "/s.json"
        withUnsafeMutableBytes(of: &address.sun_path) { raw in for (i, b) in path.utf8.enumerated() { raw[i] = b } }
        let bound = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) } }
        try #require(bound == 0)
        let r = runCLI(["validate", path])
        #expect(r.code == .badInput)
        #expect(r.err.hasPrefix("Error: \(path): expected a scenario file, found a socket"), "\(r.err)")
    }

    /// A configuration that would in effect never finish is refused before any work.
    @Test func aRunBeyondTheWorkLimitIsRefused() {
        let out = scratchDirectory()
        let baseline = packageRoot + "/scenarios/baseline.json"
        let r = runCLI(["run", baseline, "--steps", "1440", "--out", out,
                        "--set", #"demand.surges=[{"start_s":0,"duration_s":86400,"multiplier":1000000}]"#])
        #expect(r.code == .badInput)
        #expect(r.err.hasPrefix("Error: baseline: 1440 steps would draw up to 1.04e11 arrivals"), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: out))
        let sweep = runCLI(["sweep", baseline, "--seeds", "1..2", "--steps", "10000000", "--out", out,
                            "--set", "bridges[axelar].background_messages_per_s=1000000"])
        #expect(sweep.code == .badInput)
        #expect(sweep.err.contains("the limit is 1.00e11"), "\(sweep.err)")
    }

    @Test func aGuardThatWouldResumeBelowItsHaltLevelIsRefused() {
        let file = writeScenario("guard.json", #"{ "version": 1, "provenance": { "guard": { "halt_below": 0.95 } } }"#, in: scratchDirectory())
        #expect(runCLI(["validate", file]).err
                == "Error: \(file): provenance.guard.halt_below: expected a value ≤ resume_at_or_above (0.9), found 0.95\n")
    }

    /// One seed range everywhere: files, --seed and SEED all take 0…2^64 − 1, exactly.
    @Test func seedsInFilesTakeTheFullRangeExactly() throws {
        let dir = scratchDirectory()
        let ok = writeScenario("max.json", #"{ "version": 1, "extends": "\#(packageRoot)/scenarios/baseline.json", "run": { "seed": 18446744073709551615 }, "expect": { "seeds": [0, 18446744073709551615] } }"#, in: dir)
        let r = runCLI(["run", ok, "--steps", "2", "--out", dir + "/out"])
        #expect(r.out.hasPrefix("wargame run: baseline (\(ok)), seed 18446744073709551615, 2 steps"))
        #expect(try String(contentsOfFile: dir + "/out/kpi_summary.json", encoding: .utf8).contains("\"seed\": 18446744073709551615,"))
        let over = writeScenario("over.json", #"{ "version": 1, "run": { "seed": 18446744073709551616 } }"#, in: dir)
        #expect(runCLI(["validate", over]).err == "Error: \(over): run.seed: expected a seed, an integer in 0…18446744073709551615, found 18446744073709551616\n")
        let negative = writeScenario("neg.json", #"{ "version": 1, "expect": { "seeds": [1, -1] } }"#, in: dir)
        #expect(runCLI(["validate", negative]).err.contains("expect.seeds[1]: expected a seed, an integer in 0…18446744073709551615, found -1"))
    }

    /// However the scenario path is spelled, the summary records the same file.
    @Test func summariesRecordTheScenarioByItsCanonicalPath() throws {
        let link = scratchDirectory()
        try FileManager.default.createDirectory(atPath: link, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: link + "/b.json", withDestinationPath: packageRoot + "/scenarios/baseline.json")
        let spellings = [packageRoot + "/scenarios/baseline.json", packageRoot + "//scenarios/./baseline.json",
                         packageRoot + "/scenarios/../scenarios/baseline.json", link + "/b.json"]
        var summaries: Set<Data> = []
        for path in spellings {
            let out = scratchDirectory()
            #expect(runCLI(["run", path, "--steps", "2", "--out", out]).code == .success)
            summaries.insert(try Data(contentsOf: URL(fileURLWithPath: out + "/kpi_summary.json")))
        }
        #expect(summaries.count == 1)
        #expect(ScenarioLoader.canonical(packageRoot + "/scenarios/./baseline.json", relativeTo: packageRoot) == "scenarios/baseline.json")
        #expect(ScenarioLoader.canonical("/etc//hosts", relativeTo: packageRoot) == "/etc/hosts")
    }
}

@Suite struct OutputFormatTests {
    /// metrics.prom follows the text exposition format: every sample's family has HELP and
    /// TYPE first; histogram buckets are cumulative, end in +Inf, and +Inf equals _count.
    @Test func metricsAreValidPrometheusText() throws {
        let out = scratchDirectory()
        #expect(runCLI(["run", packageRoot + "/scenarios/provider-outage-akash.json", "--steps", "30", "--out", out]).code == .sloBreached)
        let text = try String(contentsOfFile: out + "/metrics.prom", encoding: .utf8)
        var typed: [String: String] = [:], helped: Set<String> = []
        var buckets: [String: [(String, Double)]] = [:], counts: [String: Double] = [:]
        for line in text.split(separator: "\n").map(String.init) {
            if line.hasPrefix("# HELP ") { helped.insert(String(line.split(separator: " ")[2])); continue }
            if line.hasPrefix("# TYPE ") {
                let p = line.split(separator: " ")
                typed[String(p[2])] = String(p[3])
                continue
            }
            let name = String(line.prefix { $0 != "{" && $0 != " " })
            let value = try #require(Double(line.split(separator: " ").last!.replacingOccurrences(of: "NaN", with: "nan")))
            let family = typed[name] != nil ? name
                : ["_bucket", "_sum", "_count"].compactMap { name.hasSuffix($0) ? String(name.dropLast($0.count)) : nil }.first ?? name
            #expect(typed[family] != nil && helped.contains(family), "sample \(name) without HELP/TYPE")
            if typed[family] == "counter" { #expect(family.hasSuffix("_total")) }
            // A histogram series is its family and its labels other than `le`.
            let labels = line.drop { $0 != "{" }.prefix { $0 != "}" }.dropFirst().split(separator: ",").map(String.init)
            let series = family + "{" + labels.filter { !$0.hasPrefix("le=") }.joined(separator: ",") + "}"
            if name.hasSuffix("_bucket") {
                let le = try #require(labels.last.map { String($0.split(separator: "\"")[1]) })
                buckets[series, default: []].append((le, value))
            }
            if name.hasSuffix("_count") { counts[series] = value }
        }
        // The KPI histograms, and one per latency the model draws (`InputTelemetry`).
        #expect(Set(buckets.keys.map { String($0.prefix { $0 != "{" }) }).sorted() == [
            "wargame_bridge_relay_seconds", "wargame_bridge_round_trip_seconds", "wargame_bridge_rtt_seconds", "wargame_ipfs_pin_seconds", "wargame_order_gpu_seconds",
            "wargame_policy_check_seconds", "wargame_policy_decision_seconds", "wargame_provider_ack_seconds", "wargame_tsa_request_seconds"])
        #expect(buckets.keys.filter { $0.hasPrefix("wargame_provider_ack_seconds{") }.count == 7)
        for (series, points) in buckets {
            #expect(points.last?.0 == "+Inf")
            #expect(zip(points, points.dropFirst()).allSatisfy { $0.1 <= $1.1 }, "\(series) not cumulative")
            #expect(points.last?.1 == counts[series], "\(series): +Inf bucket is not _count")
        }
        #expect(text.contains("wargame_slo_met{slo=\"failover_events\"} 0\n"))
        #expect(text.contains("\nwargame_fill_rate_p50 0."))
        #expect(!text.contains("quantile="))  // a quantile label belongs to summaries only
        #expect(text.contains("wargame_policy_decision_seconds_bucket{le=\"0.025\"} "))
    }

    @Test func summaryJSONParsesAndCarriesTheRunIdentity() throws {
        let out = scratchDirectory()
        #expect(runCLI(["run", packageRoot + "/scenarios/baseline.json", "--steps", "5", "--seed", "12", "--out", out]).code == .success)
        let json = try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: out + "/kpi_summary.json"))) as! [String: Any]
        let run = json["run"] as! [String: Any]
        #expect(run["seed"] as? Int == 12 && run["steps"] as? Int == 5 && run["scenario"] as? String == "baseline")
        #expect((run["scenario_sha256"] as? String)?.count == 64)
        #expect((json["slos"] as? [[String: Any]])?.count == 7)
        #expect(json["all_slos_met"] as? Bool == true)
    }
}

/// A file with several mistakes reports them all at once, each with its path, like a compiler.
@Suite struct ManyErrorsTests {
    @Test func everyMistakeIsReportedInOneRun() {
        let dir = scratchDirectory()
        let file = writeScenario("many.json", """
            { "version": 1, "extends": "\(packageRoot)/scenarios/baseline.json",
              "run": { "steps": -1, "sed": 3 },
              "providers": [ { "id": "akash", "capacity": -2 }, 7 ],
              "incidents": [ { "name": "x", "kind": "provider_outag" } ],
              "playbook": [ { "name": "p", "at_s": -5, "actions": [ { "action": "system_paus" } ] } ],
              "colour": "blue" }
            """, in: dir)
        let r = runCLI(["run", file, "--out", dir + "/out"])
        #expect(r.code == .badInput)
        let lines = r.err.split(separator: "\n").map(String.init)
        let paths = lines.dropLast().map { $0.components(separatedBy: ": ")[2] }
        #expect(paths == ["run.steps", "run.sed", "providers[0].capacity", "providers[1]", "incidents[0].kind",
                          "playbook[0].at_s", "playbook[0].actions[0].action", "colour"])
        #expect(lines.allSatisfy { $0.hasPrefix("Error: \(file): ") || $0 == "8 errors; nothing was run." })
        #expect(lines.last == "8 errors; nothing was run.")
        #expect(!FileManager.default.fileExists(atPath: dir + "/out"))
    }

    @Test func errorsInEveryLayerAreReportedWithTheirOwnFile() {
        let dir = scratchDirectory()
        let base = writeScenario("base.json", #"{ "version": 1, "demand": { "tenants": 0 } }"#, in: dir)
        let child = writeScenario("child.json", #"{ "version": 1, "extends": "base.json", "policy": { "workers": -1 } }"#, in: dir)
        let r = runCLI(["validate", child])
        #expect(r.err == "Error: \(base): demand.tenants: expected an integer in 1…10000, found 0\n"
                + "Error: \(child): policy.workers: expected an integer in 1…10000, found -1\n2 errors; nothing was run.\n")
    }

    @Test func reportingStopsAtTwentyErrors() {
        let fields = (0..<30).map { "\"unknown_\($0)\": 1" }.joined(separator: ", ")
        let file = writeScenario("flood.json", "{ \"version\": 1, \(fields) }", in: scratchDirectory())
        let r = runCLI(["validate", file])
        let lines = r.err.split(separator: "\n")
        #expect(lines.count == 21)
        #expect(lines.last == "Stopped after 20 errors; fix these and check again.")
    }
}
