import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import WargameCLI
@testable import WargameReports

/// Collects the elements of an XML document, failing on malformed input.
final class Elements: NSObject, XMLParserDelegate {
    var found: [(name: String, attributes: [String: String])] = []
    var text: [String: String] = [:]
    private var current = ""

    static func parse(_ data: Data) -> Elements? {
        let e = Elements()
        let p = XMLParser(data: data)
        p.delegate = e
        return p.parse() ? e : nil
    }

    func parser(_ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        found.append((name, attributes))
        current = name
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) { text[current, default: ""] += string }
    func named(_ n: String) -> [[String: String]] { found.filter { $0.name == n }.map(\.attributes) }
}

@Suite struct JUnitTests {
    @Test func eachDifferenceIsNamedInAFailure() throws {
        let dir = scratchDirectory()
        let file = writeScenario("wrong.json", """
            { "version": 1, "extends": "\(packageRoot)/scenarios/provider-outage-akash.json", "name": "wrong-expectations",
              "expect": { "seeds": [1], "alerts": ["FailoversHigh", "CoverageLow", "CircuitBreakerOpen"] } }
            """, in: dir)
        let report = dir + "/reports/wargame.xml"
        let r = runCLI(["check", file, packageRoot + "/scenarios/price-spike-cheapest.json", "--junit", report])
        #expect(r.code == .sloBreached)
        #expect(r.out.contains("Wrote \(report)\n"))
        let xml = try #require(Elements.parse(try Data(contentsOf: URL(fileURLWithPath: report))))
        #expect(xml.named("testsuites").first?["tests"] == "3" && xml.named("testsuites").first?["failures"] == "1")
        #expect(xml.named("testsuite").map { $0["name"] } == ["wrong-expectations", "price-spike-cheapest"])
        #expect(xml.named("testcase").map { $0["name"] } == ["seed 1", "seed 1", "seed 2"])
        let failures = xml.named("failure")
        #expect(failures.count == 1)
        #expect(failures.first?["message"] == "3 differences: failover_events: expected pass, got breach; "
                + "alert expected but not fired: CoverageLow; alert fired but not expected: FailoversCritical")
        #expect(xml.named("property").contains { $0["name"] == "scenario_sha256" && $0["value"]?.count == 64 })
    }

    @Test func theSameCheckWritesTheSameBytes() throws {
        let a = scratchDirectory() + "/a.xml", b = scratchDirectory() + "/b.xml"
        #expect(runCLI(["check", packageRoot + "/scenarios/baseline.json", "--junit", a]).code == .success)
        #expect(runCLI(["check", packageRoot + "/scenarios/baseline.json", "--junit", b]).code == .success)
        #expect(FileManager.default.contents(atPath: a) == FileManager.default.contents(atPath: b))
    }

    @Test func markupAndControlCharactersAreEscaped() throws {
        let report = JUnitReport(name: "x", suites: [.init(name: "a<b>&\"c'", properties: [("k", "line\nbreak")],
                                                            cases: [.init(name: "n", failures: ["bad \u{01} byte"], output: "1 < 2")])])
        let text = report.rendered()
        #expect(text.contains("name=\"a&lt;b&gt;&amp;&quot;c&#39;\""))
        #expect(text.contains("value=\"line&#10;break\""))
        #expect(text.contains("bad \u{FFFD} byte"))
        #expect(Elements.parse(Data(text.utf8)) != nil)
    }

    /// Refused before any run: a path ending in '/', or naming an existing directory.
    @Test func aDirectoryIsNotAJUnitFile() throws {
        let dir = scratchDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        for path in [dir + "/", dir] {
            let r = runCLI(["check", packageRoot + "/scenarios/baseline.json", "--junit", path])
            #expect(r.code == .badInput)
            #expect(r.err.hasPrefix("Error: cannot write outputs to '\(path)': expected a file"), "\(r.err)")
            #expect(r.out.isEmpty)
        }
    }

    /// A JUnit file that cannot be written fails the check (exit 3) and says so, even when
    /// every verdict held; a device is written, never replaced.
    @Test func aJUnitFileThatCannotBeWrittenFailsTheCheck() {
        let r = runCLI(["check", packageRoot + "/scenarios/baseline.json", "--junit", "/dev/full"])
        #expect(r.code == .internalError)
        #expect(r.err == "Error: writing '/dev/full': write failed (No space left on device)\n")
        let null = runCLI(["check", packageRoot + "/scenarios/baseline.json", "--junit", "/dev/null"])
        #expect(null.code == .success)
        var st = stat()
        #expect(stat("/dev/null", &st) == 0 && st.st_mode & S_IFMT == S_IFCHR)
    }
}
