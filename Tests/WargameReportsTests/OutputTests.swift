import Foundation
import Testing
import SimKernel
@testable import WargameReports

func temporaryDirectory() -> String {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("wargame-tests-\(UUID().uuidString)").path
    try? FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

@Suite struct CSVWriterTests {
    @Test func fieldsAreQuotedOnlyWhenRFC4180RequiresIt() {
        #expect(CSVWriter.escape("plain") == "plain")
        #expect(CSVWriter.escape("a,b") == "\"a,b\"")
        #expect(CSVWriter.escape("say \"hi\"") == "\"say \"\"hi\"\"\"")
        #expect(CSVWriter.escape("two\nlines") == "\"two\nlines\"")
        #expect(CSVWriter.escape("cr\r") == "\"cr\r\"")
        #expect(CSVWriter.escape("") == "")
        #expect(CSVWriter.line(["a", "b,c", ""]) == "a,\"b,c\",\r\n")
    }

    @Test func writesHeaderAndRowsWithCRLF() throws {
        let dir = temporaryDirectory()
        let outputs = try OutputSet(directory: dir)
        var csv = try CSVWriter(file: try outputs.open("t.csv"), header: ["x", "note"])
        try csv.writeRow(["1", "ok"])
        try csv.writeRow(["2", "has,comma"])
        try outputs.commitAll()
        let text = try String(contentsOfFile: dir + "/t.csv", encoding: .utf8)
        #expect(text == "x,note\r\n1,ok\r\n2,\"has,comma\"\r\n")
        #expect(csv.rowsWritten == 2)
    }
}

@Suite struct OutputFileTests {
    func listing(_ dir: String) throws -> [String] { try FileManager.default.contentsOfDirectory(atPath: dir).sorted() }

    @Test func nothingAppearsUntilCommit() throws {
        let dir = temporaryDirectory()
        let outputs = try OutputSet(directory: dir + "/nested")
        let f = try outputs.open("a.txt")
        try f.write(String(repeating: "x", count: 2_000_000))  // crosses the flush threshold
        let during = try listing(dir + "/nested")
        #expect(during.count == 1 && during[0].hasPrefix(".a.txt.") && during[0].hasSuffix(".partial"), "\(during)")
        let paths = try outputs.commitAll()
        #expect(paths == [dir + "/nested/a.txt"])
        let size = try FileManager.default.attributesOfItem(atPath: paths[0])[.size] as? Int
        #expect(size == 2_000_000)
        #expect(try listing(dir + "/nested") == ["a.txt"])
    }

    @Test func abortLeavesTheDirectoryAsItWas() throws {
        let dir = temporaryDirectory()
        #expect(FileManager.default.createFile(atPath: dir + "/a.csv", contents: Data("old".utf8)))
        let outputs = try OutputSet(directory: dir)
        try outputs.open("a.csv").write("partial")
        try outputs.open("b.json").write("{")
        outputs.abortAll()
        #expect(try listing(dir) == ["a.csv"])
        #expect(FileManager.default.contents(atPath: dir + "/a.csv") == Data("old".utf8))
    }

    @Test func directoriesASetCreatedAreRemovedWhenItIsAbandoned() throws {
        let dir = temporaryDirectory()
        do {
            let outputs = try OutputSet(directory: dir + "/new/deeper")
            try outputs.open("x.csv").write("data")
            #expect(FileManager.default.fileExists(atPath: dir + "/new/deeper"))
        }
        #expect(try listing(dir).isEmpty)
    }

    /// A set committed inside a directory another, abandoned set created (what `check
    /// --rules-test` does per run) goes with it: the location is left as it was.
    @Test func nestedCommitsGoWithTheAbandonedParent() throws {
        let dir = temporaryDirectory()
        #expect(FileManager.default.createFile(atPath: dir + "/outside", contents: Data("keep".utf8)))
        do {
            let parent = try OutputSet(directory: dir + "/runs")
            let child = try OutputSet(directory: parent.directory + "/a/seed-1")
            try child.open("metrics.prom").write("x 1\n")
            try child.commitAll()
            #expect(FileManager.default.fileExists(atPath: dir + "/runs/a/seed-1/metrics.prom"))
            try FileManager.default.createSymbolicLink(atPath: dir + "/runs/link", withDestinationPath: dir + "/outside")
            try FileManager.default.createSymbolicLink(atPath: dir + "/runs/dirlink", withDestinationPath: dir)
        }
        #expect(try listing(dir) == ["outside"])
        #expect(FileManager.default.contents(atPath: dir + "/outside") == Data("keep".utf8))
    }

    @Test func committedFilesAndDirectoriesLeaveTheRegistry() throws {
        let dir = temporaryDirectory()
        let outputs = try OutputSet(directory: dir + "/made")
        try outputs.open("x.csv").write("data")
        #expect(TemporaryOutputs.shared.pending.files.contains { $0.hasPrefix(dir) })
        #expect(TemporaryOutputs.shared.pending.directories.contains(dir + "/made"))
        try outputs.commitAll()
        #expect(!TemporaryOutputs.shared.pending.files.contains { $0.hasPrefix(dir) })
        #expect(!TemporaryOutputs.shared.pending.directories.contains { $0.hasPrefix(dir) })
    }

    /// Each unusable location is refused up front, before any work, as a location error
    /// naming it — and nothing is created on the way.
    @Test(arguments: ["", "FILE", "FILE/sub", "/proc/wargame-cannot-write-here", "/proc/self", "/dev/full"])
    func unusableLocationsAreRefused(location: String) throws {
        let dir = temporaryDirectory()
        #expect(FileManager.default.createFile(atPath: dir + "/FILE", contents: Data("x".utf8)))
        let path = location.hasPrefix("FILE") ? dir + "/" + location : location
        do {
            _ = try OutputSet(directory: path)
            Issue.record("accepted \(path)")
        } catch {
            #expect(error.kind == .location)
            #expect(error.path == path)
        }
        #expect(try listing(dir) == ["FILE"])
    }

    @Test func theMessageSaysWhatIsInTheWay() throws {
        let dir = temporaryDirectory()
        #expect(FileManager.default.createFile(atPath: dir + "/FILE", contents: nil))
        #expect(throws: OutputError(path: dir + "/FILE/sub",
                                    reason: "expected a directory, found a path through '\(dir)/FILE', which is a regular file",
                                    kind: .location)) { try OutputSet(directory: dir + "/FILE/sub") }
        #expect(throws: OutputError(path: "", reason: "expected a directory path, found an empty string", kind: .location)) {
            try OutputSet(directory: "")
        }
    }
}

@Suite struct FormattingTests {
    /// Significant digits for estimates of any magnitude; never a trap (1e-5 once asked
    /// `fixed` for 10 decimals and crashed validate-model).
    @Test func significantDigitsAtEveryMagnitude() {
        #expect(NumberFormat.significant(0.300123456) == "0.300123")
        #expect(NumberFormat.significant(1250) == "1250")
        #expect(NumberFormat.significant(0.000183) == "0.000183")
        #expect(NumberFormat.significant(1e-5) == "0.00001")
        #expect(NumberFormat.significant(1.23456789e-7) == "0.000000123")
        #expect(NumberFormat.significant(3.5e-10) == "3.50000e-10")
        #expect(NumberFormat.significant(123456789) == "123456789")
        #expect(NumberFormat.significant(-2.5) == "-2.5")
        #expect(NumberFormat.significant(1000, 3) == "1000")
        #expect(NumberFormat.significant(0.1, 3) == "0.1")
        #expect(NumberFormat.significant(.infinity) == "" && NumberFormat.significant(0) == "0")
        for e in -12...16 { _ = NumberFormat.significant(1.234567 * pow(10, Double(e))) }
    }

    @Test func fixedDecimalsAreExactAndLocaleFree() {
        #expect(NumberFormat.fixed(1.23456, 3) == "1.235")
        #expect(NumberFormat.fixed(2, 0) == "2")
        #expect(NumberFormat.fixed(-0.0001, 2) == "0.00")
        #expect(NumberFormat.fixed(-1.5, 1) == "-1.5")
        #expect(NumberFormat.fixed(.nan, 2) == "")
        #expect(NumberFormat.fixed(1e6, 1) == "1000000.0")
        // The largest double in full: RowWriter.maxNumberBytes holds it (it once trapped).
        let largest = NumberFormat.fixed(-.greatestFiniteMagnitude, 9)
        #expect(largest.utf8.count == RowWriter.maxNumberBytes && largest.hasPrefix("-17976931348623157") && largest.hasSuffix(".000000000"))
    }

    /// `fixedValue` replaces parsing `fixed`'s text (the alert signals' exported values):
    /// bit for bit the same, on ties, signs, zeros, every decimals the signals use, huge
    /// and non-finite values, and 200,000 random values over 24 orders of magnitude.
    @Test func fixedValueIsTheParsedText() {
        func same(_ x: Double, _ d: Int) -> Bool {
            let parsed = Double(NumberFormat.fixed(x, d)) ?? .nan
            let value = NumberFormat.fixedValue(x, d)
            return parsed.bitPattern == value.bitPattern || (parsed.isNaN && value.isNaN)
        }
        let edges: [Double] = [0, -0.0, 0.5, -0.5, 1.5, 2.5, 0.79995, 0.80005, -0.00004, 0.00005, 0.123456789,
                               9.0e18, 1e19, -1e300, .infinity, -.infinity, .nan, .ulpOfOne, .leastNonzeroMagnitude]
        for x in edges { for d in 0...9 { #expect(same(x, d), "\(x) at \(d) decimals") } }
        var rng = Xoshiro256StarStar(seed: 5)
        var mismatches = 0
        for i in 0..<200_000 {
            let x = (rng.nextDouble() < 0.5 ? -1 : 1) * exp(rng.nextDouble() * 55 - 27.6)
            // Half the draws exactly on a tie of the last decimal.
            let d = [0, 3, 4, 6][i % 4]
            let tie = (x * Double(RowWriter.powersOf10[d])).rounded(.down) + 0.5
            let v = i % 2 == 0 ? x : tie / Double(RowWriter.powersOf10[d])
            if !same(v, d) { mismatches += 1 }
        }
        #expect(mismatches == 0)
    }

    @Test func jsonRendersInKeyOrderAndParses() throws {
        let doc = JSONValue.object([
            ("name", .string("quote \" backslash \\ newline \n tab \t bell \u{07}")),
            ("n", .int(-3)), ("x", .number(0.1, decimals: 4)), ("missing", .number(.infinity, decimals: 2)),
            ("flags", .array([.bool(true), .bool(false), .null])), ("empty", .object([])),
        ])
        let text = doc.rendered()
        #expect(text.hasPrefix("{\n  \"name\": "))
        #expect(text.contains("\"x\": 0.1000,\n  \"missing\": null"))
        #expect(text.contains("\\u0007"))
        let parsed = try JSONSerialization.jsonObject(with: Data(text.utf8)) as? [String: Any]
        #expect(parsed?["name"] as? String == "quote \" backslash \\ newline \n tab \t bell \u{07}")
        #expect(parsed?["n"] as? Int == -3)
    }
}
