import Foundation
import Testing
import WargameModels
import WargameReports
@testable import WargameScenario

let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

func scenarioFile(_ name: String, _ body: String) -> (dir: String, path: String) {
    let dir = NSTemporaryDirectory() + "wargame-scenario-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    _ = FileManager.default.createFile(atPath: dir + "/" + name, contents: Data(body.utf8))
    return (dir, dir + "/" + name)
}

@Suite struct JSONParserTests {
    @Test func parsesTypesExactly() throws {
        let j = try JSONParser.parse(#"{"a": [1, 1.5, -2e3, true, false, null, "x\n\u00e9"], "b": {}}"#)
        #expect(j["a"] == .array([.number(.init(value: 1, literal: "1", isInteger: true)), .number(.init(value: 1.5, literal: "1.5", isInteger: false)),
                                  .number(.init(value: -2000, literal: "-2e3", isInteger: false)),
                                  .bool(true), .bool(false), .null, .string("x\né")]))
        #expect(j["b"] == .object([]))
    }

    @Test func integersAreExactToTwoToTheSixtyFourMinusOne() throws {
        let j = try JSONParser.parse("[18446744073709551615, 18446744073709551616, 9007199254740993, -1]")
        guard case .array(let items) = j, items.count == 4,
              case .number(let max) = items[0], case .number(let over) = items[1], case .number(let odd) = items[2], case .number(let neg) = items[3]
        else { Issue.record("\(j)"); return }
        #expect(max.uint64 == UInt64.max)
        #expect(over.uint64 == nil && JSON.number(over).described == "18446744073709551616")
        #expect(odd.int == 9_007_199_254_740_993)  // 2^53 + 1: a double would say ...992
        #expect(neg.uint64 == nil && neg.int == -1)
    }

    /// Each error carries the field being read, named as the schema names it, so a value the
    /// parser itself rejects is reported like one the schema rejects.
    @Test(arguments: [
        ("{\"a\": 1,}", 1, 9, "expected a quoted key but found '}'", ""),
        ("{\"a\": 1, \"a\": 2}", 1, 10, "duplicate key \"a\"", ""),
        ("[1 2]", 1, 4, "expected ',' or ']' but found '2'", ""),
        ("{\n  \"a\": tru }", 2, 8, "expected a value but found 't'", "a"),
        ("\"open", 1, 6, "unterminated string", ""),
        ("01", 1, 2, "unexpected '1' after the document", ""),
        ("{\"d\": {\"rate\": 1e400}}", 1, 16, "number 1e400 is beyond the range of a double (about ±1.8e308)", "d.rate"),
        ("{\"p\": [{\"id\": 1}, {\"cap\": -}]}", 1, 28, "expected digits in a number", "p[1].cap"),
        ("{\".a\": x}", 1, 8, "expected a value but found 'x'", ".a"),
    ])
    func syntaxErrorsHavePositionsAndFieldPaths(text: String, line: Int, column: Int, message: String, path: String) {
        #expect(throws: JSONSyntaxError(line: line, column: column, message: message, path: path)) { try JSONParser.parse(text) }
    }
}

@Suite struct ScenarioLoaderTests {
    @Test func everyShippedScenarioLoads() throws {
        let dir = root + "/scenarios"
        // Subfolders too (scenarios/scale/ holds the scale scenario `bench run` uses).
        let files = ((FileManager.default.enumerator(atPath: dir)?.allObjects as? [String]) ?? []).filter { $0.hasSuffix(".json") }.sorted()
        #expect(files.count >= 6)
        #expect(files.contains("scale/10k-tenants.json"))
        for f in files {
            let s = try ScenarioLoader.load(dir + "/" + f)
            #expect(s.sha256.count == 64)
            #expect(!s.description.isEmpty)
        }
    }

    /// A layer edits what it names and leaves the rest: keyed arrays merge by id, and a new
    /// id adds an element.
    @Test func layersOverrideOnlyWhatTheyState() throws {
        let (dir, _) = scenarioFile("base.json", #"{ "version": 1, "name": "base", "demand": { "tenants": 10 }, "providers": [ { "id": "flux", "capacity": 5 } ] }"#)
        _ = FileManager.default.createFile(atPath: dir + "/child.json", contents: Data(#"""
            { "version": 1, "extends": "base.json", "name": "child",
              "demand": { "orders_per_second": 3 },
              "providers": [ { "id": "flux", "price_per_gpu_hour": 2.5 }, { "id": "newco", "regions": ["eu-west"], "capacity": 7 } ] }
            """#.utf8))
        let s = try ScenarioLoader.load(dir + "/child.json")
        #expect(s.name == "child")
        #expect(s.pipeline.demand.tenants == 10 && s.pipeline.demand.ordersPerSecond == 3)
        let flux = s.pipeline.providers.first { $0.id == "flux" }!
        #expect(flux.capacity == 5 && flux.pricePerGPUHour == 2.5)
        let newco = s.pipeline.providers.last!
        #expect(newco.id == "newco" && newco.capacity == 7 && newco.regions == [1])
        #expect(s.pipeline.providers.count == 8)
        #expect(s.files == [dir + "/base.json", dir + "/child.json"])
    }

    @Test func errorsNameTheLayerThatHasThem() {
        let (dir, _) = scenarioFile("base.json", #"{ "version": 1, "shards": [ { "name": "EARTH", "max_open_jobs": -1 } ] }"#)
        _ = FileManager.default.createFile(atPath: dir + "/child.json", contents: Data(#"{ "version": 1, "extends": "base.json" }"#.utf8))
        #expect(throws: ScenarioError(file: dir + "/base.json", path: "shards[0].max_open_jobs",
                                      message: "expected an integer in 0…10000000, found -1")) {
            try ScenarioLoader.load(dir + "/child.json")
        }
    }

    /// A p95 below its median is the mistake of the file that made it so — the base's own
    /// are the base's, not repeated for the child — and every such pair is reported at once.
    @Test func aP95BelowItsMedianNamesTheFileThatMadeIt() {
        let (dir, _) = scenarioFile("base.json", #"{ "version": 1, "provenance": { "ipfs": { "latency_p95_ms": 1 } } }"#)
        _ = FileManager.default.createFile(atPath: dir + "/child.json", contents: Data(#"""
            { "version": 1, "extends": "base.json",
              "providers": [ { "id": "akash", "ack_median_ms": 5000 } ], "demand": { "gpu_hours": { "p95": 0.01 } } }
            """#.utf8))
        do {
            _ = try ScenarioLoader.load(dir + "/child.json")
            Issue.record("loaded")
        } catch {
            #expect(error.all.map { "\($0.file): \($0.path)" } == [dir + "/base.json: provenance.ipfs.latency_p95_ms",
                                                                  dir + "/child.json: demand.gpu_hours.p95",
                                                                  dir + "/child.json: providers[akash].ack_p95_ms"])
            #expect(error.all[2].message == "expected a value ≥ ack_median_ms (5000), found 1100")
        }
    }

    @Test func expectationsAreRead() throws {
        let (_, path) = scenarioFile("e.json", #"{ "version": 1, "expect": { "seeds": [4, 5], "steps": 30, "verdicts": { "failover_events": "breach", "fill_rate_p50": "any" } } }"#)
        let s = try ScenarioLoader.load(path)
        #expect(s.expect.seeds == [4, 5] && s.expect.steps == 30)
        #expect(s.expect.expected("failover_events") == .breach && s.expect.expected("fill_rate_p50") == .any)
        #expect(s.expect.expected("bridge_rtt_p95") == .pass)
        let (_, bad) = scenarioFile("x.json", #"{ "version": 1, "expect": { "verdicts": { "fil_rate_p50": "breach" } } }"#)
        #expect(throws: ScenarioError.self) { try ScenarioLoader.load(bad) }
    }

    /// docs/scenarios.md is generated from the schema; it must be regenerated (`make docs`)
    /// whenever a field changes.
    @Test func theReferenceDocMatchesTheSchema() throws {
        let doc = try String(contentsOfFile: root + "/docs/scenarios.md", encoding: .utf8)
        #expect(doc == SchemaDocs.markdown(), "docs/scenarios.md is stale: run `make docs`")
        for field in ["providers[].capacity", "bridges[].relayers", "provenance.guard.halt_below", "slos[].threshold"] {
            #expect(doc.contains("`\(field)`"), "\(field) undocumented")
        }
    }
}
