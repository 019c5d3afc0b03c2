import Foundation
import Testing
import WargameReports
@testable import WargameCLI

/// The built `wargame` binary: beside the test bundle (swift test builds it), else the
/// package's debug build.
func wargameBinary() -> String {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("wargame").path
    return FileManager.default.isExecutableFile(atPath: beside) ? beside : packageRoot + "/.build/debug/wargame"
}

/// Runs the binary as a separate process; returns its exit status.
@discardableResult
func spawn(_ args: [String]) throws -> Int32 {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: wargameBinary())
    p.arguments = args
    p.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
    p.standardOutput = FileHandle.nullDevice
    p.standardError = FileHandle.nullDevice
    try p.run()
    p.waitUntilExit()
    return p.terminationStatus
}

func contents(_ dir: String) throws -> [String: Data] {
    var out: [String: Data] = [:]
    for f in try FileManager.default.contentsOfDirectory(atPath: dir) { out[f] = FileManager.default.contents(atPath: dir + "/" + f) }
    return out
}

@Suite struct SweepTests {
    let baseline = packageRoot + "/scenarios/baseline.json"

    @Test func outputIsIdenticalWhateverTheNumberOfJobs() throws {
        let a = scratchDirectory(), b = scratchDirectory()
        #expect(runCLI(["sweep", baseline, "--seeds", "3..9", "--steps", "8", "--jobs", "1", "--out", a]).code == .success)
        #expect(runCLI(["sweep", baseline, "--seeds", "3..9", "--steps", "8", "--jobs", "3", "--out", b]).code == .success)
        let ca = try contents(a)
        #expect(ca.keys.sorted() == ["report.html", "sweep.csv", "sweep_summary.json", "sweep_summary.md"])
        #expect(ca == (try contents(b)))
        let csv = String(decoding: ca["sweep.csv"]!, as: UTF8.self).components(separatedBy: "\r\n").filter { !$0.isEmpty }
        #expect(csv.count == 8)
        #expect(csv.dropFirst().map { $0.components(separatedBy: ",")[0] } == (3...9).map(String.init))
        _ = try JSONSerialization.jsonObject(with: ca["sweep_summary.json"]!)
    }

    /// Four shards run as separate processes, merged, give the bytes a single process writes.
    @Test func fourShardsMergeToTheSingleProcessSweep() throws {
        let root = scratchDirectory()
        let args = ["sweep", baseline, "--seeds", "1..10", "--steps", "6", "--jobs", "1"]
        #expect(try spawn(args + ["--out", root + "/single"]) == 0)
        for i in 1...4 { #expect(try spawn(args + ["--shard", "\(i)/4", "--out", root + "/shard\(i)"]) == 0) }
        #expect(try spawn(["merge"] + (1...4).map { root + "/shard\($0)" } + ["--out", root + "/merged"]) == 0)
        let single = try contents(root + "/single")
        #expect(!single.isEmpty)
        #expect(single == (try contents(root + "/merged")))
        // A missing shard is refused, with nothing written.
        let r = runCLI(["merge", root + "/shard1", root + "/shard2", root + "/shard3", "--out", root + "/partial"])
        #expect(r.code == .badInput && r.err.contains("expected all 4 shards, missing 4/4"), "\(r.err)")
        #expect(!FileManager.default.fileExists(atPath: root + "/partial"))
    }

    @Test(arguments: [["--seeds", "9..3"], ["--seeds", "x"], ["--seeds", "1..4", "--shard", "5/4"], []])
    func badSweepArgumentsAreUsageErrors(args: [String]) {
        let r = runCLI(["sweep", baseline, "--steps", "2"] + args)
        #expect(r.code == .badInput)
    }
}

@Suite struct CompareAndHuntTests {
    /// Common random numbers: the same seeds in both variants make the paired interval much
    /// narrower than an independent-seed comparison of the same number of runs — here the
    /// price spike cannot touch bridge RTT at all, so the paired difference is exactly zero.
    @Test func commonRandomNumbersNarrowTheInterval() throws {
        let a = try scenario("baseline"), b = try scenario("price-spike-cheapest")
        let seeds: [UInt64] = Array(1...10)
        let crn = try CompareCommand.compare(a, b, seeds: seeds, steps: 40, jobs: 2, independent: false)
        let ind = try CompareCommand.compare(a, b, seeds: seeds, steps: 40, jobs: 2, independent: true)
        func width(_ r: [CompareCommand.Result], _ k: KPI) -> Double { r.first { $0.kpi == k }!.difference!.width }
        #expect(width(crn, .bridgeRTTP95) == 0)
        #expect(width(ind, .bridgeRTTP95) > 1)
        #expect(width(crn, .fillRateP50) < width(ind, .fillRateP50))
    }

    @Test func huntFindsBreachesAndItsReplayReproducesThem() throws {
        let s = try scenario("relayer-outage")
        let finds = try HuntCommand.hunt(s, seeds: Array(1...8), steps: 60, slo: "fill_rate_p95", limit: 1)
        #expect(finds.count == 1)
        let f = finds[0]
        #expect(f.shortestSteps <= 60 && f.firstBreachStep != nil && f.firstBreachStep! < f.shortestSteps)
        let replay = try ScenarioRunner.execute(s, seed: f.seed, steps: f.shortestSteps).report
        #expect(replay.results.first { $0.slo.name == "fill_rate_p95" }?.verdict == .breach)
        if f.shortestSteps > 1 {
            let shorter = try ScenarioRunner.execute(s, seed: f.seed, steps: f.shortestSteps - 1).report
            #expect(shorter.results.first { $0.slo.name == "fill_rate_p95" }?.verdict == .pass)
        }
        let r = runCLI(["hunt", packageRoot + "/scenarios/baseline.json", "--seeds", "1..2", "--slo", "fil_rate_p95"])
        #expect(r.code == .badInput && r.err.contains("Did you mean 'fill_rate_p95'?"))
    }
}

@Suite struct BenchSweepTests {
    /// `bench sweep` reports, per phase, the CPU seconds it used and orders per CPU second
    /// (orders per busy core-second), consistent with each other to the printed precision.
    @Test func reportsCPUSecondsAndOrdersPerCPUSecond() throws {
        let r = runCLI(["bench", "sweep", packageRoot + "/scenarios/baseline.json", "--seeds", "1..4", "--jobs", "2", "--steps", "20"])
        #expect(r.code == .success, "\(r.err)")
        var f: [String: String] = [:]
        for line in r.out.split(separator: "\n") {
            let parts = line.split(separator: ":", maxSplits: 1).map { $0.trimmingCharacters(in: .whitespaces) }
            if parts.count == 2 { f[parts[0]] = parts[1] }
        }
        #expect(f["identical_rows"] == "yes")
        let orders = try #require(f["orders"].flatMap(Double.init))
        #expect(orders > 0)
        for phase in ["1_job", "2_jobs"] {
            let cpu = try #require(f["cpu_seconds_\(phase)"].flatMap(Double.init), "no cpu_seconds_\(phase)")
            let rate = try #require(f["orders_per_cpu_second_\(phase)"].flatMap(Double.init))
            #expect(cpu > 0)
            // cpu is printed to the millisecond: the rate must lie within what that allows.
            let low = orders / (cpu + 0.0005), high = cpu > 0.0005 ? orders / (cpu - 0.0005) : .infinity
            #expect(rate >= low.rounded(.down) && rate <= high.rounded(.up), "\(phase): \(rate) not in \(low)...\(high)")
        }
    }
}
