/// JUnit XML for CI systems (Jenkins, GitLab, GitHub test reporters): a `<testsuite>` per
/// scenario, a `<testcase>` per checked seed (and one for a scenario's pass-fraction
/// sweep), and a `<failure>` naming each verdict or alert that differed from what the
/// scenario declares.
///
/// No wall-clock `time` attributes: the file is a function of the scenarios and seeds
/// alone, like every other output, so two checks of the same tree write the same bytes.
public struct JUnitReport: Sendable {
    public struct Case: Sendable {
        public var name: String
        /// One line per difference, e.g. `fill_rate_p95: expected pass, got breach`.
        public var failures: [String]
        /// What was observed, for `<system-out>`.
        public var output: String

        public init(name: String, failures: [String], output: String) {
            self.name = name
            self.failures = failures
            self.output = output
        }
    }

    public struct Suite: Sendable {
        public var name: String
        public var properties: [(String, String)]
        public var cases: [Case]

        public init(name: String, properties: [(String, String)], cases: [Case]) {
            self.name = name
            self.properties = properties
            self.cases = cases
        }
    }

    public var name: String
    public var suites: [Suite]

    public init(name: String, suites: [Suite]) {
        self.name = name
        self.suites = suites
    }

    public func rendered() -> String {
        func count(_ cases: [Case]) -> (Int, Int) { (cases.count, cases.filter { !$0.failures.isEmpty }.count) }
        let (tests, failures) = count(suites.flatMap(\.cases))
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"\(Self.escape(name))\" tests=\"\(tests)\" failures=\"\(failures)\" errors=\"0\">\n"
        for s in suites {
            let (t, f) = count(s.cases)
            out += "  <testsuite name=\"\(Self.escape(s.name))\" tests=\"\(t)\" failures=\"\(f)\" errors=\"0\" skipped=\"0\">\n"
            if !s.properties.isEmpty {
                out += "    <properties>\n"
                for (k, v) in s.properties { out += "      <property name=\"\(Self.escape(k))\" value=\"\(Self.escape(v))\"/>\n" }
                out += "    </properties>\n"
            }
            for c in s.cases {
                out += "    <testcase classname=\"\(Self.escape(s.name))\" name=\"\(Self.escape(c.name))\">\n"
                if !c.failures.isEmpty {
                    let message = c.failures.count == 1 ? c.failures[0] : "\(c.failures.count) differences: " + c.failures.joined(separator: "; ")
                    out += "      <failure message=\"\(Self.escape(message))\" type=\"expectation\">"
                    out += Self.escape(c.failures.joined(separator: "\n"), attribute: false) + "</failure>\n"
                }
                out += "      <system-out>\(Self.escape(c.output, attribute: false))</system-out>\n"
                out += "    </testcase>\n"
            }
            out += "  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }

    static func escape(_ s: String, attribute: Bool = true) -> String { HTML.escape(s, attribute: attribute) }
}
