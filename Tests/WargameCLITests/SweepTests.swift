import Foundation
import Testing
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
        #expect(ca.keys.sorted() == ["sweep.csv", "sweep_summary.json", "sweep_summary.md"])
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
        #expect(r.code == .badInput && r.err.contains("expected shards 1/4"))
        #expect(!FileManager.default.fileExists(atPath: root + "/partial"))
    }

    @Test(arguments: [["--seeds", "9..3"], ["--seeds", "x"], ["--seeds", "1..4", "--shard", "5/4"], []])
    func badSweepArgumentsAreUsageErrors(args: [String]) {
        let r = runCLI(["sweep", baseline, "--steps", "2"] + args)
        #expect(r.code == .badInput)
    }
}
