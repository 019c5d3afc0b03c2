import Foundation
import Testing
@testable import WargameCLI

/// Options or fields of which one would silently override the other are usage errors
/// naming both, before any work; nothing is written.
@Suite struct ContradictionTests {
    static let baseline = packageRoot + "/scenarios/baseline.json"

    @Test(arguments: [
        (["search", baseline, "--param", "demand.orders_per_second", "--range", "0.5..4", "--slo", "fill_rate_p95", "--seeds", "1..2",
          "--set", "demand.orders_per_second=2"],
         "'--set demand.orders_per_second=2' and '--param demand.orders_per_second' both set demand.orders_per_second"),
        (["search", baseline, "--param", "run.warmup_s", "--range", "0..600", "--slo", "fill_rate_p95", "--seeds", "1..2", "--warmup", "60"],
         "'--warmup 60' and '--param run.warmup_s' both set run.warmup_s"),
        (["study", baseline, "--vary", "providers[akash].capacity=10,20", "--seeds", "1..2", "--set", "providers[akash].capacity=30"],
         "'--set providers[akash].capacity=30' and '--vary providers[akash].capacity' both set providers[akash].capacity"),
        (["study", baseline, "--vary", "providers[akash]={\"capacity\":1}", "--vary", "providers[akash].capacity=10,20", "--seeds", "1..2"],
         "'--vary providers[akash]' and '--vary providers[akash].capacity' both set providers[akash]"),
        (["study", baseline, "--vary", "demand.orders_per_second=1,1.0", "--seeds", "1..2"],
         "--vary demand.orders_per_second=1,1.0: expected distinct values, found 1 and 1.0, which are the same value."),
        (["study", baseline, "--vary", "router.strategy=score,score", "--seeds", "1..2"],
         "expected distinct values, found \"score\" twice"),
        (["run", baseline, "--set", "demand.tenants=10", "--set", "demand.tenants=20"],
         "'--set demand.tenants=10' and '--set demand.tenants=20' both set demand.tenants"),
        (["run", baseline, "--set", "demand.tenants=10", "--set", "demand={\"tenants\":3}"],
         "'--set demand.tenants=10' and '--set demand={\"tenants\":3}' both set demand"),
        (["run", baseline, "--warmup", "60", "--set", "run.warmup_s=120"],
         "'--set run.warmup_s=120' and '--warmup 60' both set run.warmup_s"),
        (["run", baseline, "--steps", "3", "--steps", "4"], "Option '--steps' is given twice ('3', then '4'); give it once."),
        (["sweep", baseline, "--seeds", "1..2", "--seeds=3..4"], "Option '--seeds' is given twice ('1..2', then '3..4'); give it once."),
        (["sensitivity", baseline, "--seeds", "1..2", "--params", "demand.orders_per_second,demand.orders_per_second"],
         "'--params demand.orders_per_second' and '--params demand.orders_per_second' both set demand.orders_per_second"),
        (["bench", "serve", "--idle", "5", "--hostile", "5"], "'--hostile' and '--idle' both set the clients that hold connections; give one."),
    ])
    func contradictoryOptionsAreUsageErrors(args: [String], message: String) {
        let out = scratchDirectory()
        let r = runCLI(args + (args[0] == "bench" ? [] : ["--out", out]))
        #expect(r.code == .badInput)
        #expect(r.err.hasPrefix("Error: ") && r.err.contains(message), "\(r.err)")
        #expect(r.out.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    /// Repeatable options may repeat, and flags given twice mean what they say once.
    @Test func repeatableOptionsAndRepeatedFlagsAreFine() {
        let r = runCLI(["run", Self.baseline, "--steps", "2", "--out", scratchDirectory(), "--set", "demand.tenants=10",
                        "--set", "demand.orders_per_second=1", "--report", "--report"])
        #expect(r.code == .success, "\(r.err)")
    }

    @Test(arguments: [
        (#"{ "playbook": [{ "name": "both", "at_s": 60, "when": { "signal": "fill_rate", "op": "<", "threshold": 0.5 }, "actions": [{ "do": "pause_system" }] }] }"#,
         #"playbook[0]: expected "at_s" or "when", found both (a rule runs at a time or when a condition holds, not both)"#),
        (#"{ "gateway": { "tenant_limit": { "kind": "token_bucket", "rate_per_s": 2, "window_s": 10 } } }"#,
         "gateway.tenant_limit.window_s: expected only the fields of kind token_bucket (rate_per_s, burst), found window_s, which token_bucket would ignore"),
        (#"{ "gateway": { "global_limit": { "kind": "sliding_window_log", "limit": 100, "burst": 5 } } }"#,
         "gateway.global_limit.burst: expected only the fields of kind sliding_window_log (limit, window_s), found burst"),
        (#"{ "gateway": { "global_limit": { "kind": "unlimited", "limit": 100 } } }"#,
         "gateway.global_limit.limit: expected only the fields of kind unlimited (none), found limit"),
    ])
    func contradictoryFieldsAreRefused(body: String, message: String) {
        let dir = scratchDirectory()
        let json = "{ \"version\": 1, \"extends\": \"\(Self.baseline)\", " + body.dropFirst(2)
        let file = writeScenario("c.json", json, in: dir)
        let r = runCLI(["validate", file])
        #expect(r.code == .badInput)
        #expect(r.err.contains("\(file): \(message)"), "\(r.err)")
    }
}
