import Foundation
import Testing
import WargameModels
@testable import WargameScenario

@Suite struct OverrideParsingTests {
    @Test func pathsNameKeysIndicesAndIds() throws {
        let o = try Override(parsing: "providers[akash].outages[0].duration_s=600")
        #expect(o.steps == [.key("providers"), .id("akash"), .key("outages"), .index(0), .key("duration_s")])
        #expect(o.value == .number(JSONNumber(value: 600, literal: "600", isInteger: true)))
        #expect(o.text == "providers[akash].outages[0].duration_s=600")
    }

    @Test func valuesAreJSONAndABareWordIsAString() throws {
        #expect(try Override(parsing: "router.strategy=p2c").value == .string("p2c"))
        #expect(try Override(parsing: "router.strategy=\"p2c\"").value == .string("p2c"))
        #expect(try Override(parsing: "router.strategy=p2c").text == "router.strategy=\"p2c\"")
        #expect(try Override(parsing: "regions=[\"eu\",\"us\"]").value == .array([.string("eu"), .string("us")]))
        #expect(try Override(parsing: "a.b=true").value == .bool(true))
    }

    @Test(arguments: [
        ("demand.orders_per_second", "expected PATH=VALUE"),
        ("demand..x=1", "expected a path"),
        ("providers[].capacity=1", "expected a path"),
        ("providers[akash.capacity=1", "expected a path"),
        ("=3", "expected a path"),
        ("demand.orders_per_second=", "expected a JSON value after '='"),
        ("demand.orders_per_second=[1,2", "expected a JSON value"),
        ("demand.orders_per_second=12abc", "expected a JSON value"),
    ])
    func malformedOverridesSayWhatWasExpected(text: String, message: String) {
        #expect(throws: OverrideError.self) { try Override(parsing: text) }
        do { _ = try Override(parsing: text) } catch { #expect(error.description.hasPrefix("--set \(text): " + message), "\(error)") }
    }
}

@Suite struct OverrideLoadingTests {
    static let baseline = root + "/scenarios/baseline.json"
    static let outage = root + "/scenarios/provider-outage-akash.json"

    func load(_ path: String = baseline, _ sets: String...) throws -> Scenario {
        try ScenarioLoader.load(path, overrides: sets.map { try Override(parsing: $0) })
    }

    func error(_ path: String = baseline, _ sets: String...) -> ScenarioError? {
        do {
            _ = try ScenarioLoader.load(path, overrides: try sets.map { try Override(parsing: $0) })
            return nil
        } catch let e as ScenarioError { return e } catch { return nil }
    }

    @Test func overridesChangeExactlyTheNamedField() throws {
        let base = try load()
        let s = try load(Self.baseline, "demand.orders_per_second=2", "providers[akash].capacity=40", "bridges[axelar].relayers=2",
                         "router.strategy=p2c", "providers[2].price_per_gpu_hour=9.5")
        #expect(s.pipeline.demand.ordersPerSecond == 2)
        #expect(s.pipeline.providers[0].capacity == 40 && s.pipeline.providers[0].id == "akash")
        #expect(s.pipeline.bridges.first { $0.name == "axelar" }!.relayers == 2)
        #expect(s.pipeline.router.strategy == .p2c)
        #expect(s.pipeline.providers[2].pricePerGPUHour == 9.5)
        // Everything else is as the file says.
        #expect(s.pipeline.providers[1].capacity == base.pipeline.providers[1].capacity)
        #expect(s.pipeline.providers[0].ackMedian == base.pipeline.providers[0].ackMedian)
        #expect(s.pipeline.providers.count == base.pipeline.providers.count)
        #expect(s.overrides.map(\.text) == ["demand.orders_per_second=2", "providers[akash].capacity=40", "bridges[axelar].relayers=2",
                                             "router.strategy=\"p2c\"", "providers[2].price_per_gpu_hour=9.5"])
    }

    @Test func theDigestIsOfTheEffectiveConfiguration() throws {
        let base = try load(), a = try load(Self.baseline, "demand.orders_per_second=2"), b = try load(Self.baseline, "demand.orders_per_second=3")
        #expect(base.sha256 != a.sha256 && a.sha256 != b.sha256)
        #expect(try load(Self.baseline, "demand.orders_per_second=2").sha256 == a.sha256)
        #expect(base.sha256 == (try ScenarioLoader.load(Self.baseline)).sha256)
    }

    @Test func listsThatReplaceAreEditedElementByElement() throws {
        let base = try load(Self.outage)
        let s = try load(Self.outage, "incidents[0].duration_s=600")
        #expect(s.pipeline.incidents.count == base.pipeline.incidents.count)
        #expect(s.pipeline.incidents[0].duration == .seconds(600))
        #expect(base.pipeline.incidents[0].duration != .seconds(600))
        // Other fields of the element are kept.
        #expect(s.pipeline.incidents[0].start == base.pipeline.incidents[0].start)
        // Expectations of the top file survive an override.
        #expect(s.expect == base.expect)
    }

    @Test func aBadFieldIsRefusedWithDidYouMean() throws {
        let e = try #require(error(Self.baseline, "demand.order_per_second=2"))
        #expect(e.file == "--set demand.order_per_second=2")
        #expect(e.path == "demand.order_per_second")
        #expect(e.message.hasPrefix("unknown field (did you mean \"orders_per_second\"?)"))
    }

    @Test func aBadValueNamesThePathAsWritten() throws {
        let e = try #require(error(Self.baseline, "providers[akash].capacity=-1"))
        #expect(e.description == "--set providers[akash].capacity=-1: providers[akash].capacity: expected an integer in 0…10000000, found -1")
        let strategy = try #require(error(Self.baseline, "router.strategy=p2cc"))
        #expect(strategy.message.contains("(did you mean \"p2c\"?)"))
    }

    /// A median and its p95 can be raised (or lowered) together in either order: the order
    /// is checked after the last override, naming the overrides that set either field.
    /// Checked per layer, raising a median first was refused (and calibrate, whose fitted
    /// medians came first, stopped with an internal error).
    @Test func aMedianAndItsP95AreCheckedAfterTheLastOverride() throws {
        for sets in [["providers[akash].ack_median_ms=2000", "providers[akash].ack_p95_ms=5000"],
                     ["policy.check_median_ms=[20,2,2,2,2]", "policy.check_p95_ms=[50,5,5,5,5]"],
                     ["provenance.tsa.latency_median_ms=4000", "provenance.tsa.latency_p95_ms=9000"],
                     ["bridges[axelar].relay_median_ms=900", "bridges[axelar].relay_p95_ms=3000"]] {
            #expect(error(Self.baseline, sets[0], sets[1]) == nil, "\(sets)")
            #expect(error(Self.baseline, sets[1], sets[0]) == nil, "\(sets)")
        }
        let e = try #require(error(Self.baseline, "demand.tenants=3", "providers[akash].ack_median_ms=2000"))
        #expect(e.description == "--set providers[akash].ack_median_ms=2000: providers[akash].ack_p95_ms: expected a value ≥ ack_median_ms (2000), found 1100")
        // The TSAs' and IPFS's latencies are held to it too (a p95 below its median once
        // reached the model and trapped).
        let tsa = try #require(error(Self.baseline, "provenance.backup_tsa.latency_p95_ms=3"))
        #expect(tsa.path == "provenance.backup_tsa.latency_p95_ms" && tsa.message == "expected a value ≥ latency_median_ms (450), found 3")
        #expect(error(Self.baseline, "provenance.ipfs.latency_p95_ms=0.01")?.path == "provenance.ipfs.latency_p95_ms")
    }

    /// Whole-scenario checks after the overrides name the overrides, not the file (which
    /// passed them alone), and hold incidents' and actions' tenants to the final count.
    @Test func wholeScenarioProblemsNameTheOverridesThatCausedThem() throws {
        let gpu = try #require(error(Self.baseline, "demand.tenants=5", "demand.gpu_hours.median=1000"))
        #expect(gpu.description == "--set demand.gpu_hours.median=1000: demand.gpu_hours.p95: expected a value ≥ the median (1000), found 0.5")
        let drill = root + "/scenarios/alert-drill.json"
        let flood = try #require(error(drill, "demand.tenants=3"))
        #expect(flood.description == "--set demand.tenants=3: incidents[4].tenant: expected a tenant below 3, found 7")
        let quota = try #require(error(root + "/scenarios/budget-exhaustion.json", "incidents=[]", "demand.tenants=1"))
        #expect(quota.description == "--set incidents=[], --set demand.tenants=1: playbook[0].actions[0].tenant: expected a tenant below 1, found 3")
        let bridges = try #require(error(Self.baseline, "demand.tenants=4", "bridges[axelar].weight=0", "bridges[ibc].weight=0"))
        #expect(bridges.file == "--set bridges[axelar].weight=0, --set bridges[ibc].weight=0" && bridges.path == "bridges")
        // A list merged by id cannot be emptied by [] (it would silently change nothing).
        #expect(error(Self.baseline, "providers=[]")?.message.hasPrefix("expected a non-empty list: providers merge element by element by id") == true)
        #expect(error(Self.baseline, "shards=[]")?.path == "shards")
    }

    @Test func unknownIdsAndIndicesAreRefusedNotAdded() throws {
        let id = try #require(error(Self.baseline, "providers[akashh].capacity=40"))
        #expect(id.path == "providers[akashh]" && id.message.contains("(did you mean \"akash\"?)"))
        let index = try #require(error(Self.baseline, "providers[7].capacity=40"))
        #expect(index.message.hasPrefix("expected an index below 7"))
        let none = try #require(error(Self.baseline, "incidents[0].duration_s=600"))
        #expect(none.path == "incidents" && none.message.contains("set the whole list"))
        let beyond = try #require(error(Self.outage, "incidents[5].duration_s=600"))
        #expect(beyond.path == "incidents[5]")
        #expect(error(Self.baseline, "extends=\"x.json\"")?.path == "extends")
    }

    @Test func aWholeElementOrListCanBeSet() throws {
        let base = try load()
        let s = try load(Self.baseline, "providers[akash]={\"capacity\":40,\"weight\":2}", "demand.surges=[{\"start_s\":0,\"duration_s\":60,\"multiplier\":2}]")
        #expect(s.pipeline.providers[0].capacity == 40 && s.pipeline.providers[0].weight == 2)
        #expect(s.pipeline.providers[0].pricePerGPUHour == base.pipeline.providers[0].pricePerGPUHour)
        #expect(s.pipeline.demand.surges.count == 1 && s.pipeline.demand.surges[0].multiplier == 2)
        #expect(error(Self.baseline, "providers[akash]=3")?.message == "expected an object for a whole element, found 3")
    }

    @Test func wholeScenarioChecksStillApply() throws {
        let e = try #require(error(Self.baseline, "demand.gpu_hours.p95=0.000001"))
        #expect(e.path == "demand.gpu_hours.p95")
    }

    @Test func warmupMustBeAWholeNumberOfSteps() throws {
        #expect(try load(Self.baseline, "run.warmup_s=600").run.warmupSteps == 10)
        let e = try #require(error(Self.baseline, "run.warmup_s=90"))
        #expect(e.path == "run.warmup_s" && e.message.hasPrefix("expected a multiple of step_s (60 s)"))
    }
}
