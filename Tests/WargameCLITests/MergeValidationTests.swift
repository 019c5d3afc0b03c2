import Foundation
import Testing
@testable import WargameCLI

/// `merge` trusts nothing it reads: every corrupted, hand-edited or mismatched shard is
/// refused with exit 2, a message naming the file and the field or the line and column,
/// and nothing written.
@Suite struct MergeValidationTests {
    let baseline = packageRoot + "/scenarios/baseline.json"

    /// Three sweep shards of seeds 1..6 (shard I holds seeds I and I + 3).
    func sweepShards() throws -> (dir: String, shards: [String]) {
        let dir = scratchDirectory()
        let shards = (1...3).map { "\(dir)/s\($0)" }
        for (i, s) in shards.enumerated() {
            let r = runCLI(["sweep", baseline, "--seeds", "1..6", "--steps", "3", "--jobs", "1", "--shard", "\(i + 1)/3", "--out", s])
            try #require(r.code == .success, "\(r.err)")
        }
        return (dir, shards)
    }

    func edit(_ file: String, _ change: (String) -> String) throws {
        let text = try String(contentsOfFile: file, encoding: .utf8)
        let changed = change(text)
        try #require(changed != text, "the edit changed nothing in \(file)")
        try changed.write(toFile: file, atomically: true, encoding: .utf8)
    }

    /// Replaces field `column` (0-based) of data row `row` (1-based) of a CSV file.
    func editCell(_ file: String, row: Int, column: Int, to value: String) throws {
        try edit(file) { text in
            var lines = text.components(separatedBy: "\r\n")
            var fields = lines[row].components(separatedBy: ",")
            fields[column] = value
            lines[row] = fields.joined(separator: ",")
            return lines.joined(separator: "\r\n")
        }
    }

    func refused(_ dirs: [String], in dir: String, saying expected: String, sourceLocation: SourceLocation = #_sourceLocation) {
        let out = dir + "/merged"
        let r = runCLI(["merge"] + dirs + ["--out", out])
        #expect(r.code == .badInput, "exit \(r.code): \(r.out)", sourceLocation: sourceLocation)
        #expect(r.err.contains(expected), "\(r.err)", sourceLocation: sourceLocation)
        #expect(r.err.hasPrefix("Error: "), sourceLocation: sourceLocation)
        #expect(!FileManager.default.fileExists(atPath: out), sourceLocation: sourceLocation)
    }

    @Test func intactShardsMerge() throws {
        let (dir, shards) = try sweepShards()
        let r = runCLI(["merge"] + shards + ["--out", dir + "/merged"])
        #expect(r.code == .success, "\(r.err)")
        #expect(FileManager.default.fileExists(atPath: dir + "/merged/sweep.csv"))
    }

    @Test func aKPICellThatIsNotANumber() throws {
        let (dir, s) = try sweepShards()
        try editCell(s[1] + "/sweep_rows.csv", row: 2, column: 1, to: "abc")
        refused(s, in: dir, saying: "s2/sweep_rows.csv: line 3, column 2 (fill_rate_p50): expected a ratio in 0…1 written with 4 decimals, or empty for n/a, found \"abc\"")
    }

    @Test(arguments: [("-5", 6, "dropped_ratio"), ("1.5000", 4, "provenance_coverage"), ("0.95", 1, "fill_rate_p50"),
                      ("inf", 3, "bridge_rtt_p95_ms"), ("2.5", 7, "failover_events_per_5m_max"), ("1e-3", 5, "policy_decision_p95_ms")])
    func aKPICellOutOfItsRangeOrFormat(value: String, column: Int, name: String) throws {
        let (dir, s) = try sweepShards()
        try editCell(s[0] + "/sweep_rows.csv", row: 1, column: column, to: value)
        refused(s, in: dir, saying: "s1/sweep_rows.csv: line 2, column \(column + 1) (\(name)): expected ")
    }

    @Test func aVerdictOutsideTheVocabulary() throws {
        let (dir, s) = try sweepShards()
        try editCell(s[2] + "/sweep_rows.csv", row: 1, column: 8, to: "maybe")
        refused(s, in: dir, saying: "s3/sweep_rows.csv: line 2, column 9 (slo_fill_rate_p50): expected a verdict, pass or breach, found \"maybe\"")
    }

    @Test func aShardCountEditedInTheMetadata() throws {
        let (dir, s) = try sweepShards()
        try edit(s[2] + "/sweep_meta.json") { $0.replacingOccurrences(of: "\"3/3\"", with: "\"3/4\"") }
        refused(s, in: dir, saying: "s3/sweep_rows.csv: line 3, column 1 (seed): expected a seed of shard 3/4's slice (every 4th from 3), found \"6\"")
    }

    @Test func aShardGivenTwiceAndOneMissing() throws {
        let (dir, s) = try sweepShards()
        refused([s[0], s[1], s[1]], in: dir, saying: "shard 2/3 is given more than once: \(s[1]), \(s[1])")
        refused([s[0], s[1]], in: dir, saying: "expected all 3 shards, missing 3/3")
    }

    @Test(arguments: [("scenario_sha256", "0000000000000000000000000000000000000000000000000000000000000000"), ("version", "9.9.9"),
                      ("steps", "4")])
    func metadataThatDisagreesWithTheFirstShard(key: String, value: String) throws {
        let (dir, s) = try sweepShards()
        try edit(s[1] + "/sweep_meta.json") { text in
            let pattern = try! NSRegularExpression(pattern: "\"\(key)\": (\"[^\"]*\"|[0-9]+)")
            let quoted = key == "steps" ? value : "\"\(value)\""
            return pattern.stringByReplacingMatches(in: text, range: NSRange(text.startIndex..., in: text), withTemplate: "\"\(key)\": \(quoted)")
        }
        refused(s, in: dir, saying: "s2/sweep_meta.json: \(key): expected ")
    }

    @Test func metadataWithAFieldOfTheWrongType() throws {
        let (dir, s) = try sweepShards()
        try edit(s[0] + "/sweep_meta.json") { $0.replacingOccurrences(of: "\"steps\": 3", with: "\"steps\": \"three\"") }
        refused(s, in: dir, saying: "s1/sweep_meta.json: steps: expected an integer in 1…10000000, found the string \"three\"")
    }

    @Test func metadataThatIsNotJSON() throws {
        let (dir, s) = try sweepShards()
        try edit(s[0] + "/sweep_meta.json") { String($0.dropLast(3)) }
        refused(s, in: dir, saying: "s1/sweep_meta.json: malformed JSON at line ")
    }

    @Test func aRowRepeatedWithinAShard() throws {
        let (dir, s) = try sweepShards()
        try edit(s[0] + "/sweep_rows.csv") { text in
            let lines = text.components(separatedBy: "\r\n")
            return (lines.dropLast() + [lines[1], ""]).joined(separator: "\r\n")
        }
        refused(s, in: dir, saying: "s1/sweep_rows.csv:4: seed 1 is already at ")
    }

    @Test func aRowMissing() throws {
        let (dir, s) = try sweepShards()
        try edit(s[1] + "/sweep_rows.csv") { text in
            let lines = text.components(separatedBy: "\r\n")
            return (lines.prefix(2) + [""]).joined(separator: "\r\n")
        }
        refused(s, in: dir, saying: "the shards' rows do not cover seeds 1..6: missing seed 5")
    }

    @Test func aRowWithAFieldTooFew() throws {
        let (dir, s) = try sweepShards()
        try edit(s[1] + "/sweep_rows.csv") { $0.replacingOccurrences(of: ",pass\r\n", with: "\r\n") }
        refused(s, in: dir, saying: "s2/sweep_rows.csv: line 2: expected 15 fields as in the header, found 14")
    }

    @Test func aHeaderThatIsNotTheSweepTables() throws {
        let (dir, s) = try sweepShards()
        try edit(s[1] + "/sweep_rows.csv") { $0.replacingOccurrences(of: "fill_rate_p50,", with: "fill_rate,") }
        refused(s, in: dir, saying: "s2/sweep_rows.csv: line 1: expected the header seed,fill_rate_p50,")
    }

    @Test func aMetadataFileThatIsANamedPipe() throws {
        let (dir, s) = try sweepShards()
        try FileManager.default.removeItem(atPath: s[2] + "/sweep_meta.json")
        #expect(mkfifo(s[2] + "/sweep_meta.json", 0o600) == 0)
        refused(s, in: dir, saying: "s3/sweep_meta.json: expected the metadata 'wargame sweep --shard' writes, found a named pipe")
    }

    @Test func aStudyPointWhoseLevelsDifferBetweenShards() throws {
        let dir = scratchDirectory()
        let shards = (1...2).map { "\(dir)/t\($0)" }
        for (i, s) in shards.enumerated() {
            let r = runCLI(["study", baseline, "--vary", "demand.orders_per_second=1,2", "--seeds", "1..4", "--steps", "3", "--jobs", "1",
                            "--shard", "\(i + 1)/2", "--out", s])
            try #require(r.code == .success, "\(r.err)")
        }
        #expect(runCLI(["merge"] + shards + ["--out", dir + "/ok"]).code == .success)
        try editCell(shards[1] + "/study_rows.csv", row: 1, column: 1, to: "7")
        refused(shards, in: dir, saying: "point 1: expected the levels 1 as at ")
        try editCell(shards[1] + "/study_rows.csv", row: 1, column: 0, to: "3")
        refused(shards, in: dir, saying: "t2/study_rows.csv: line 2, column 1 (point): expected a design point in 1…2, found \"3\"")
    }

    /// A directory standing where the merge writes a file: refused before anything is
    /// replaced, so the earlier merge's files are all still there.
    @Test func aDirectoryWhereTheSummaryGoesLeavesTheEarlierMergeWhole() throws {
        let (dir, s) = try sweepShards()
        let out = dir + "/merged"
        #expect(runCLI(["merge", s[0], s[1], s[2], "--out", out]).code == .success)
        try FileManager.default.removeItem(atPath: out + "/sweep_summary.json")
        try FileManager.default.createDirectory(atPath: out + "/sweep_summary.json", withIntermediateDirectories: false)
        let before = try contents(out + "")
        try editCell(s[0] + "/sweep_rows.csv", row: 1, column: 1, to: "0.0000")  // a valid change, so sweep.csv would differ
        let r = runCLI(["merge", s[0], s[1], s[2], "--out", out])
        #expect(r.code == .badInput)
        #expect(r.err == "Error: cannot write outputs to '\(out)/sweep_summary.json': expected a file, found a directory\n")
        #expect(try contents(out) == before)
    }
}
