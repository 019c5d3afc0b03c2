import Foundation
import Testing
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
        let outputs = OutputSet(directory: dir)
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
    @Test func nothingAppearsUntilCommit() throws {
        let dir = temporaryDirectory()
        let outputs = OutputSet(directory: dir + "/nested")
        let f = try outputs.open("a.txt")
        try f.write(String(repeating: "x", count: 200_000))  // crosses the flush threshold
        #expect(!FileManager.default.fileExists(atPath: dir + "/nested/a.txt"))
        let paths = try outputs.commitAll()
        #expect(paths == [dir + "/nested/a.txt"])
        let size = try FileManager.default.attributesOfItem(atPath: paths[0])[.size] as? Int
        #expect(size == 200_000)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/nested") == ["a.txt"])
    }

    @Test func abortLeavesNoFilesBehind() throws {
        let dir = temporaryDirectory()
        let outputs = OutputSet(directory: dir)
        try outputs.open("a.csv").write("partial")
        try outputs.open("b.json").write("{")
        outputs.abortAll()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    @Test func droppingAnUncommittedFileRemovesItsTemporary() throws {
        let dir = temporaryDirectory()
        do {
            let f = try OutputFile(path: dir + "/gone.txt")
            try f.write("data")
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }

    @Test func anUnwritableDirectoryIsAnOutputError() {
        #expect(throws: OutputError.self) { try OutputFile(path: "/proc/wargame-cannot-write-here/x.csv") }
    }
}

@Suite struct FormattingTests {
    @Test func fixedDecimalsAreExactAndLocaleFree() {
        #expect(NumberFormat.fixed(1.23456, 3) == "1.235")
        #expect(NumberFormat.fixed(2, 0) == "2")
        #expect(NumberFormat.fixed(-0.0001, 2) == "0.00")
        #expect(NumberFormat.fixed(-1.5, 1) == "-1.5")
        #expect(NumberFormat.fixed(.nan, 2) == "")
        #expect(NumberFormat.fixed(1e6, 1) == "1000000.0")
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
