import Foundation
import Testing
import WargameReports
@testable import WargameCLI

/// Output locations and scenario names from hostile or careless input: refused with exit 2
/// before any work, and nothing written anywhere.
@Suite struct SafeOutputTests {
    let baseline = packageRoot + "/scenarios/baseline.json"

    @Test(arguments: [["run"], ["sweep", "--seeds", "1..2"], ["mmc"]])
    func anEmptyOutIsBadUsage(command: [String]) {
        var args = command
        if command[0] != "mmc" { args.insert(baseline, at: 1) }
        let r = runCLI(args + ["--steps", "2", "--out", ""])
        #expect(r.code == .badInput)
        #expect(r.err == "Error: cannot write outputs to '': expected a directory path, found an empty string\n")
        #expect(r.out.isEmpty)
    }

    @Test func anOutThatIsAFileIsBadUsageAndTheFileIsUntouched() throws {
        let dir = scratchDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        #expect(FileManager.default.createFile(atPath: dir + "/taken", contents: Data("keep".utf8)))
        for out in [dir + "/taken", dir + "/taken/below"] {
            let r = runCLI(["run", baseline, "--steps", "2", "--out", out])
            #expect(r.code == .badInput, "\(r.err)")
            #expect(r.err.hasPrefix("Error: cannot write outputs to '\(out)': expected a directory, found "))
        }
        #expect(FileManager.default.contents(atPath: dir + "/taken") == Data("keep".utf8))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["taken"])
    }

    /// Names that would escape `out/`, truncate at a NUL, or flood the terminal.
    @Test(arguments: ["../../ESCAPE/x", "a\\u0000b", "..", ".", "", String(repeating: "n", count: 101), "a/b", "tab\\there"])
    func hostileScenarioNamesAreRefused(name: String) throws {
        let dir = scratchDirectory()
        let escape = dir + "/escaped"
        let json = #"{ "version": 1, "extends": "\#(baseline)", "name": "\#(name.replacingOccurrences(of: "ESCAPE", with: escape))" }"#
        let file = writeScenario("evil.json", json, in: dir)
        let r = runCLI(["run", file, "--steps", "2"])
        #expect(r.code == .badInput)
        #expect(r.err.hasPrefix("Error: \(file): name: expected "), "\(r.err)")
        #expect(r.err.count < 400)
        #expect(!r.err.contains("\u{0}"))
        #expect(!FileManager.default.fileExists(atPath: escape))
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["evil.json"])
    }

    @Test func aMergedShardNamingAnEscapingScenarioIsRefused() throws {
        let dir = scratchDirectory()
        let shard = dir + "/shard"
        #expect(runCLI(["sweep", baseline, "--seeds", "1..2", "--steps", "2", "--shard", "1/1", "--out", shard]).code == .success)
        let meta = try String(contentsOfFile: shard + "/sweep_meta.json", encoding: .utf8)
        try meta.replacingOccurrences(of: "\"baseline\"", with: "\"../../evil\"").write(toFile: shard + "/sweep_meta.json", atomically: true, encoding: .utf8)
        let r = runCLI(["merge", shard])
        #expect(r.code == .badInput)
        #expect(r.err.contains("sweep_meta.json: scenario: expected "))
    }

    @Test func theSummaryListsExactlyTheFilesWritten() throws {
        let out = scratchDirectory()
        let r = runCLI(["run", baseline, "--steps", "2", "--out", out])
        #expect(r.code == .success)
        let listed = r.out.components(separatedBy: "Wrote \(out)/: ").last!.trimmingCharacters(in: .newlines)
        #expect(listed.components(separatedBy: ", ").sorted() == (try FileManager.default.contentsOfDirectory(atPath: out)).sorted())
    }
}
