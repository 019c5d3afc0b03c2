import Foundation
import Testing
import WargameModels
import WargameReports
import WargameScenario
@testable import WargameCLI

/// One spelling per identifier across every output, so files join on the same text: tenants
/// are `tenant-N` everywhere, seeds are exact JSON numbers everywhere, counts agree with
/// their nouns.
@Suite struct IdentifierTests {
    let flood = packageRoot + "/scenarios/abusive-tenant-limited.json"

    /// The decision logs spell a tenant as the service metrics' `tenant_id` label does.
    @Test func tenantsAreSpelledAsTheMetricsSpellThem() throws {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        // The flood (tenant 7) starts at minute 10.
        let r = runCLI(["run", flood, "--steps", "12", "--out", dir])
        #expect(r.code != .badInput && r.code != .internalError, "\(r.err)")
        var flooded = 0
        for file in ["order_events.csv", "routing_decisions.csv"] {
            let rows = try #require(CSVReader.parse(String(decoding: FileManager.default.contents(atPath: dir + "/" + file)!, as: UTF8.self)))
            let column = try #require(rows.first?.firstIndex(of: "tenant"))
            for row in rows.dropFirst() where !row[column].isEmpty {
                let index = try #require(TenantID.index(row[column]), "\(file): \(row[column])")
                #expect((0..<50).contains(index) && TenantID.name(index) == row[column])
                if index == 7 { flooded += 1 }
            }
        }
        #expect(flooded > 1_000)
        // The live service's label is pinned by RunbookTests (`tenant_id="tenant-0"`).
    }

    @Test func aScenarioTakesATenantByIndexOrById() throws {
        let base = packageRoot + "/scenarios/baseline.json"
        func load(_ tenant: String) throws -> Scenario {
            let dir = scratchDirectory()
            let path = writeScenario("t.json", """
                { "version": 1, "extends": "\(base)", "incidents": [ { "name": "flood", "kind": "demand_surge",
                  "multiplier": 40, "tenant": \(tenant), "start_s": 60, "duration_s": 60 } ] }
                """, in: dir)
            defer { try? FileManager.default.removeItem(atPath: dir) }
            return try ScenarioLoader.load(path)
        }
        #expect(try load("7").pipeline == load(#""tenant-7""#).pipeline)
        #expect(try load("7").pipeline != load(#""tenant-8""#).pipeline)
        for bad in [#""tenant-50""#, #""tenant-07""#, #""tenant--1""#, #""7""#, #""Tenant-7""#, "50", "-1", "7.5"] {
            do {
                _ = try load(bad)
                Issue.record("\(bad) was accepted")
            } catch let e as ScenarioError {
                #expect(e.path == "incidents[0].tenant")
                #expect(e.message.hasPrefix(#"expected a tenant, an index in 0…49 or an id "tenant-0"…"tenant-49", found "#), "\(e.message)")
            }
        }
    }

    /// `seed` is a number in `kpi_summary.json` as in `sweep.csv` and `check`'s golden file,
    /// exact to the last digit of the largest seed.
    @Test func theSeedIsAnExactNumberInTheSummary() throws {
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = runCLI(["run", packageRoot + "/scenarios/baseline.json", "--seed", "18446744073709551615", "--steps", "2", "--logs", "none", "--out", dir])
        #expect(r.code == .success, "\(r.err)")
        let json = try JSONParser.parse(String(decoding: FileManager.default.contents(atPath: dir + "/kpi_summary.json")!, as: UTF8.self))
        guard case .number(let seed)? = json["run"]?["seed"] else { Issue.record("seed is not a number: \(String(describing: json["run"]?["seed"]))"); return }
        #expect(seed.uint64 == UInt64.max && seed.literal == "18446744073709551615")
        #expect(r.out.hasPrefix("wargame run: baseline (\(packageRoot)/scenarios/baseline.json), seed 18446744073709551615, 2 steps of 60s\n"))
    }

    @Test func countsAgreeWithTheirNouns() throws {
        #expect(NumberFormat.counted(1, "job") == "1 job")
        #expect(NumberFormat.counted(0, "job") == "0 jobs")
        #expect(NumberFormat.counted(2, "step") == "2 steps")
        #expect(NumberFormat.counted(1, "query", plural: "queries") == "1 query")
        #expect(NumberFormat.counted(3, "query", plural: "queries") == "3 queries")
        #expect([1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112, 1_003].map(NumberFormat.ordinal)
                == ["1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd", "101st", "111th", "112th", "1003rd"])
        let dir = scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let r = runCLI(["sweep", packageRoot + "/scenarios/baseline.json", "--seeds", "4..4", "--steps", "1", "--jobs", "1", "--out", dir])
        #expect(r.code != .badInput && r.code != .internalError, "\(r.err)")
        #expect(r.out.hasPrefix("wargame sweep: baseline, seeds 4..4, 1 step, 1 job\n  SLO pass fractions over 1 seed:\n"), "\(r.out)")
    }
}
