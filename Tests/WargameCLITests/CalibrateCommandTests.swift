import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing
@testable import WargameCLI
import WargameReports
import WargameScenario

/// The parameters of `calibration.json`, by path.
func calibration(_ dir: String) throws -> [String: JSON] {
    let json = try JSONParser.parse(try String(contentsOfFile: dir + "/calibration.json", encoding: .utf8))
    guard case .array(let items)? = json["parameters"] else { return [:] }
    var out: [String: JSON] = [:]
    for item in items { if case .string(let p)? = item["path"] { out[p] = item } }
    return out
}

func number(_ j: JSON?) -> Double? { if case .number(let n)? = j { return n.value }; return nil }

/// (estimate − truth) / se, the standard error read back from the 95 % interval (on the log
/// scale for lognormal fits, whose intervals are exp of a normal interval).
func zScore(_ p: JSON, truth: Double) -> Double? {
    guard let est = number(p["estimate"]), case .array(let ci)? = p["ci95"], ci.count == 2,
          let lo = number(ci[0]), let hi = number(ci[1]) else { return nil }
    let log = { () -> Bool in if case .string("lognormal")? = p["distribution"] { return true }; return false }()
    let se = (log ? Foundation.log(hi / lo) : hi - lo) / (2 * 1.959963984540054)
    return (log ? Foundation.log(est / truth) : est - truth) / se
}

@Suite struct CalibrateCommandTests {
    /// Eight hours of the drill (the diurnal shape needs 20): every changed value the data
    /// can identify is recovered within 4 standard errors (a 6·10⁻⁵ chance per check).
    @Test func recoversTheDrillFromARunDirectoryAndWritesAValidScenario() throws {
        let dir = scratchDirectory()
        let run = runCLI(["run", packageRoot + "/scenarios/calibration-drill.json", "--steps", "480", "--logs", "none", "--out", dir + "/run"])
        #expect(run.code == .success || run.code == .sloBreached, "\(run.err)")
        let r = runCLI(["calibrate", packageRoot + "/scenarios/baseline.json", "--from", dir + "/run", "--moments-seeds", "none", "--out", dir + "/cal"])
        #expect(r.code == .success, "\(r.err)")
        #expect(r.out.hasPrefix("wargame calibrate: baseline, "))
        let params = try calibration(dir + "/cal")
        let truths: [(String, Double)] = [("demand.orders_per_second", 1.3 * (1 + 0.25 * Self.meanCosine(hours: 8, peak: 15))),
                                          ("providers[akash].ack_median_ms", 450), ("providers[akash].ack_p95_ms", 1600),
                                          ("providers[akash].failure_probability", 0.008), ("demand.gpu_hours.median", 0.09),
                                          ("provenance.tsa.latency_median_ms", 320), ("providers[vast].ack_median_ms", 250)]
        for (path, truth) in truths {
            let p = try #require(params[path], "\(path) missing")
            #expect(p["status"] == .string("fitted"))
            let z = try #require(zScore(p, truth: truth))
            #expect(abs(z) < 4, "\(path): z = \(z)")
        }
        // Eight hours cannot place a 24-hour cycle: the shape is kept, and says why.
        let amplitude = try #require(params["demand.diurnal_amplitude"])
        #expect(amplitude["status"] == .string("kept"))
        #expect(amplitude["notes"].map { "\($0)" }?.contains("needs at least 20 h") == true)
        // The calibrated scenario extends the base, is valid, and the same inputs give the same bytes.
        #expect(runCLI(["validate", dir + "/cal/calibrated.json"]).code == .success)
        let text = try String(contentsOfFile: dir + "/cal/calibrated.json", encoding: .utf8)
        #expect(text.contains("\"extends\": \"") && text.contains("scenarios/baseline.json\""))
        #expect(runCLI(["calibrate", packageRoot + "/scenarios/baseline.json", "--from", dir + "/run", "--moments-seeds", "none", "--out", dir + "/cal2"]).code == .success)
        for f in ["calibrated.json", "calibration.json", "calibration.md"] {
            #expect(FileManager.default.contents(atPath: dir + "/cal/" + f) == FileManager.default.contents(atPath: dir + "/cal2/" + f), "\(f) differs")
        }
    }

    /// A bridge's background load, seen only through its round trips, by simulated moments:
    /// an hour of the drill (axelar's relayers carry 18 other messages/s, not the base's 14).
    @Test func backgroundLoadBySimulatedMoments() throws {
        let dir = scratchDirectory()
        #expect([.success, .sloBreached].contains(runCLI(["run", packageRoot + "/scenarios/calibration-drill.json", "--steps", "60", "--logs", "none",
                                                          "--out", dir + "/run"]).code))
        let r = runCLI(["calibrate", packageRoot + "/scenarios/baseline.json", "--from", dir + "/run", "--moments-seeds", "1..4", "--jobs", "2",
                        "--out", dir + "/cal"])
        #expect(r.code == .success, "\(r.err)")
        let p = try #require(try calibration(dir + "/cal")["bridges[axelar].background_messages_per_s"])
        #expect(p["method"] == .string("simulated_moments") && p["status"] == .string("fitted"))
        guard case .array(let ci)? = p["ci95"], let lo = number(ci[0]), let hi = number(ci[1]), let est = number(p["estimate"]) else {
            Issue.record("no interval"); return
        }
        #expect(lo <= est && est <= hi && lo < 18 && 18 < hi, "\(lo) … \(est) … \(hi)")
        #expect(hi < 56, "the interval must be found, not the search range's end")
        // The relayer count is not fitted, but checked against the round trips' tail.
        let relayers = try #require(try calibration(dir + "/cal")["bridges[axelar].relayers"])
        #expect(relayers["status"] == .string("kept") && number(relayers["estimate"]) == 2)
        guard case .array(let notes)? = relayers["notes"], case .string(let note)? = notes.first else { Issue.record("no note"); return }
        #expect(note.contains("the base 2 relayers are consistent with the round trips' p95 at the fitted load"), "\(note)")
        // A healthy hour never reaches capacity: kept, and why.
        let capacity = try #require(try calibration(dir + "/cal")["providers[akash].capacity"])
        #expect(capacity["status"] == .string("kept") && "\(capacity["notes"]!)".contains("the load never reached capacity"))
        let skipped = runCLI(["calibrate", packageRoot + "/scenarios/baseline.json", "--from", dir + "/run", "--moments-seeds", "none", "--out", dir + "/cal2"])
        #expect(skipped.code == .success)
        #expect(try calibration(dir + "/cal2")["bridges[axelar].background_messages_per_s"]?["status"] == .string("kept"))
    }

    /// Capacity, seen only through the fill rate once the load reaches it: an hour of the drill
    /// with every provider at half its capacity (akash 110 of 220) gives a scale near 0.5.
    @Test func capacityFromTheFillRateUnderLoad() throws {
        let dir = scratchDirectory()
        let half = [("akash", 110), ("flux", 65), ("vast", 80), ("aethir", 75), ("ionet", 60), ("render", 55), ("golem", 45)]
            .flatMap { ["--set", "providers[\($0.0)].capacity=\($0.1)"] }
        #expect([.success, .sloBreached].contains(runCLI(["run", packageRoot + "/scenarios/calibration-drill.json", "--steps", "60", "--logs", "none",
                                                          "--out", dir + "/run"] + half).code))
        let r = runCLI(["calibrate", packageRoot + "/scenarios/baseline.json", "--from", dir + "/run", "--moments-seeds", "1..4", "--jobs", "2",
                        "--out", dir + "/cal"])
        #expect(r.code == .success, "\(r.err)")
        let p = try #require(try calibration(dir + "/cal")["providers[akash].capacity"])
        #expect(p["method"] == .string("simulated_moments") && p["status"] == .string("fitted"), "\(p)")
        guard case .array(let ci)? = p["ci95"], let lo = number(ci[0]), let hi = number(ci[1]) else { Issue.record("no interval"); return }
        #expect(lo <= 110 && 110 <= hi && hi < 220, "\(lo) … \(hi)")
        #expect(runCLI(["validate", dir + "/cal/calibrated.json"]).code == .success)
    }

    /// The drill's rate is 1.3 × (1 + 0.25 cos(2π(h − 15)/24)): under the base's flat shape,
    /// calibrate estimates its mean over the window, 1.3 × (1 + 0.25 × this).
    static func meanCosine(hours: Double, peak: Double) -> Double {
        let n = 10_000
        var sum = 0.0
        for i in 0..<n {
            let h: Double = (Double(i) + 0.5) * hours / Double(n)
            sum += cos(2 * Double.pi * (h - peak) / 24)
        }
        return sum / Double(n)
    }

    /// Raw samples in the documented CSV layout are fitted raw (Anderson–Darling), and a
    /// saved query_range response's histogram by its buckets (chi-square).
    @Test func readsSampleCSVsAndSavedQueryRangeResponses() throws {
        let dir = scratchDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        // 400 values at the lognormal's own quantiles: median 0.2 s, σ 0.5.
        var csv = "metric,labels,value\n"
        for i in 0..<400 { csv += "wargame_provider_ack_seconds,provider=akash;instance=a,\(0.2 * exp(0.5 * Self.probit((Double(i) + 0.5) / 400)))\n" }
        // Two modes a decade apart behind one name: no lognormal fits them.
        for i in 0..<400 { csv += "wargame_provider_ack_seconds,provider=golem,\((i % 2 == 0 ? 0.1 : 1.0) * exp(0.2 * Self.probit((Double(i / 2) + 0.5) / 200)))\n" }
        try csv.write(toFile: dir + "/acks.csv", atomically: true, encoding: .utf8)
        let bounds = [0.1, 0.2, 0.3, 0.5, 1, 2]
        let counts = [30, 170, 160, 90, 40, 8]
        var series: [String] = []
        var cumulative = 0
        for (b, c) in zip(bounds, counts) {
            cumulative += c
            series.append(#"{"metric":{"__name__":"wargame_provider_ack_seconds_bucket","provider":"flux","le":"\#(NumberFormat.roundTrip(b))"},"values":[[1767225600,"0"],[1767229200,"\#(cumulative)"]]}"#)
        }
        series.append(#"{"metric":{"__name__":"wargame_provider_ack_seconds_bucket","provider":"flux","le":"+Inf"},"values":[[1767225600,"0"],[1767229200,"\#(cumulative + 2)"]]}"#)
        series.append(#"{"metric":{"__name__":"wargame_provider_ack_seconds_count","provider":"flux"},"values":[[1767225600,"0"],[1767229200,"\#(cumulative + 2)"]]}"#)
        try (#"{"status":"success","data":{"resultType":"matrix","result":["# + series.joined(separator: ",") + "]}}")
            .write(toFile: dir + "/flux.json", atomically: true, encoding: .utf8)
        let r = runCLI(["calibrate", packageRoot + "/scenarios/baseline.json", "--from", dir + "/acks.csv", "--from", dir + "/flux.json", "--out", dir + "/cal"])
        #expect(r.code == .success, "\(r.err)")
        let params = try calibration(dir + "/cal")
        let akash = try #require(params["providers[akash].ack_median_ms"])
        #expect(abs(try #require(number(akash["estimate"])) - 200) < 0.5)
        #expect(akash["gof"]?["test"] == .string("anderson_darling"))
        #expect(try #require(number(akash["gof"]?["p_value"])) > 0.5)  // values at the quantiles fit as well as any sample can
        let flux = try #require(params["providers[flux].ack_median_ms"])
        #expect(flux["status"] == .string("fitted") && number(flux["n"]) == 500)
        #expect(flux["gof"]?["test"] == .string("chi_square"))
        // The bimodal series is fitted (the model has no other family) and called a poor fit.
        let golem = try #require(params["providers[golem].ack_median_ms"])
        #expect(golem["status"] == .string("fitted"))
        #expect(golem["notes"].map { "\($0)" }?.contains("poor fit: Anderson–Darling p ≤ 0.005") == true, "\(String(describing: golem["notes"]))")
        #expect(akash["notes"].map { "\($0)" }?.contains("poor fit") == false)
        // report.html is well-formed XHTML with a CDF and a Q–Q figure per fitted latency.
        let html = try #require(FileManager.default.contents(atPath: dir + "/cal/report.html"))
        #expect(XMLParser(data: html).parse())
        let page = String(decoding: html, as: UTF8.self)
        #expect(page.components(separatedBy: "<figure>").count - 1 == 2 * 3)  // akash, flux, golem
        // Notes are numbered in the table and written out under it, not a squeezing column.
        #expect(page.contains("<td>providers[golem].ack_median_ms</td>") && page.contains("<p>Notes:</p>"))
        #expect(page.contains("<li><code>providers[golem].ack_median_ms</code>: ") && page.contains("poor fit: Anderson–Darling"))
        #expect(!page.contains("<th>Notes</th>") && page.contains("<td>[1]</td>"))
        // Series the data lack keep their base values, saying so.
        let vast = try #require(params["providers[vast].ack_median_ms"])
        #expect(vast["status"] == .string("kept") && number(vast["estimate"]) == 250)
    }

    /// A production whose names differ: a mapping file points a parameter at its own series,
    /// label and unit; a unit that contradicts the series' name is refused for that series.
    @Test func aMappingFileReadsAProductionsOwnNames() throws {
        let dir = scratchDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        var csv = "metric,labels,value\n"
        for i in 0..<300 {
            let v = 250 * exp(0.6 * Self.probit((Double(i) + 0.5) / 300))
            csv += "aurora_provider_ack_milliseconds,svc=vast,\(v)\n" + "aurora_relay_seconds,bridge=ibc,\(v)\n"
        }
        try csv.write(toFile: dir + "/prod.csv", atomically: true, encoding: .utf8)
        let mapping = #"{"version": 1, "series": {"provider_ack": {"metric": "aurora_provider_ack_milliseconds", "label": "svc", "unit": "milliseconds"},"#
            + #" "bridge_relay": {"metric": "aurora_relay_seconds", "unit": "milliseconds"}}}"#
        try mapping.write(toFile: dir + "/mapping.json", atomically: true, encoding: .utf8)
        let r = runCLI(["calibrate", packageRoot + "/scenarios/baseline.json", "--from", dir + "/prod.csv", "--mapping", dir + "/mapping.json",
                        "--out", dir + "/cal"])
        #expect(r.code == .success, "\(r.err)")
        let params = try calibration(dir + "/cal")
        #expect(abs(try #require(number(params["providers[vast].ack_median_ms"]?["estimate"])) - 250) < 1)
        let relay = try #require(params["bridges[ibc].relay_median_ms"])
        #expect(relay["status"] == .string("kept"))
        #expect("\(relay["notes"]!)".contains("mismatched units: aurora_relay_seconds is named in seconds but the mapping reads it as milliseconds"))
        // Mistakes in the mapping file name its path.
        for (text, message) in [(#"{"version": 1, "series": {"provider_ack": {"unit": "s"}}}"#, "series.provider_ack.unit: expected one of seconds, milliseconds, gpu_seconds, gpu_hours, found \"s\""),
                                (#"{"version": 1, "series": {"provider_acks": {"unit": "seconds"}}}"#, "series.provider_acks.unit: expected no unit"),
                                (#"{"version": 1, "series": {"ack": {}}}"#, "series.ack: expected one of provider_ack,"),
                                (#"{"series": {}}"#, "version: expected \"version\": 1, found none")] {
            try text.write(toFile: dir + "/bad.json", atomically: true, encoding: .utf8)
            let e = runCLI(["calibrate", packageRoot + "/scenarios/baseline.json", "--from", dir + "/prod.csv", "--mapping", dir + "/bad.json", "--out", dir + "/x"])
            #expect(e.code == .badInput && e.err.contains(dir + "/bad.json: " + message), "\(e.err)")
        }
    }

    /// Φ⁻¹ by bisection on erfc (tests only).
    static func probit(_ p: Double) -> Double {
        var lo = -10.0, hi = 10.0
        for _ in 0..<100 { let mid = (lo + hi) / 2; if 0.5 * erfc(-mid / 2.0.squareRoot()) < p { lo = mid } else { hi = mid } }
        return (lo + hi) / 2
    }

    @Test func badInputIsNamedAndLeavesNothing() throws {
        let dir = scratchDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let base = packageRoot + "/scenarios/baseline.json"
        func fails(_ args: [String], _ message: String) {
            let r = runCLI(["calibrate", base] + args + ["--out", dir + "/out"])
            #expect(r.code == .badInput, "\(args): \(r.err)")
            #expect(r.err.contains(message), "\(args): \(r.err)")
            #expect(!FileManager.default.fileExists(atPath: dir + "/out"))
        }
        fails(["--from", dir + "/missing"], dir + "/missing: expected a run's output directory, a .json query_range response or a .csv of samples, found nothing at this path")
        try "metric,labels,value\nwargame_provider_ack_seconds,provider=akash,0.3\nwargame_provider_ack_seconds,provider=akash,abc\n"
            .write(toFile: dir + "/bad.csv", atomically: true, encoding: .utf8)
        fails(["--from", dir + "/bad.csv"], dir + "/bad.csv: line 3, column value: expected a finite number, found \"abc\"")
        try #"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected end of input"}"#.write(toFile: dir + "/err.json", atomically: true, encoding: .utf8)
        fails(["--from", dir + "/err.json"], "err.json: error: the API answered \"status\": \"error\" (bad_data): 1:5: parse error: unexpected end of input")
        try #"{"status":"success","data":{"resultType":"vector","result":[]}}"#.write(toFile: dir + "/vector.json", atomically: true, encoding: .utf8)
        fails(["--from", dir + "/vector.json"], "vector.json: data.resultType: expected \"matrix\" (a query_range response), found the string \"vector\"")
        fails([], "Missing the observed data")
        fails(["--prometheus", "https://prom.example:9090", "--start", "0", "--end", "60"], "https is not supported")
        fails(["--prometheus", "http://127.0.0.1:9090"], "'--prometheus' needs the window: give --start and --end.")
        fails(["--start", "0"], "'--start' belongs to '--prometheus'")
        fails(["--prometheus", "http://127.0.0.1:1", "--start", "100", "--end", "60"], "The window is empty")
        fails(["--prometheus", "http://127.0.0.1:1", "--start", "0", "--end", "3600", "--timeout", "2s"], "cannot query Prometheus at http://127.0.0.1:1/api/v1/series?match%5B%5D=wargame_provider_ack_seconds_bucket&")
    }

    /// A message shows a short URL whole and cuts a long query (a series lookup's two dozen matchers).
    @Test func longURLsAreCutInMessages() {
        #expect(PrometheusSource.shown("http://p:9090/api/v1/query?query=up&time=60") == "http://p:9090/api/v1/query?query=up&time=60")
        let long = "http://p:9090/api/v1/series?" + (1...30).map { "match%5B%5D=metric_number_\($0)" }.joined(separator: "&")
        #expect(PrometheusSource.shown(long) == "http://p:9090/api/v1/series?" + long.dropFirst(28).prefix(80) + "… (30 parameters)")
    }

    /// `--prometheus` end to end against a stand-in server (the real one is `make
    /// calibrate-test`): the series list, one query_range, and an API error's message.
    @Test func readsThePrometheusHTTPAPI() throws {
        let queryRange = #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"wargame_provider_acks_total","provider":"akash","outcome":"accepted"},"values":[[60,"0"],[3600,"990"]]},{"metric":{"__name__":"wargame_provider_acks_total","provider":"akash","outcome":"refused"},"values":[[60,"0"],[3600,"10"]]}]}}"#
        let server = try HTTPServer(bind: "127.0.0.1", port: 0) { path in
            switch path {
            case "/api/v1/series": HTTPServer.Response(status: 200, contentType: "application/json",
                                                       body: #"{"status":"success","data":[{"__name__":"wargame_provider_acks_total","provider":"akash"}]}"#)
            case "/api/v1/query_range": HTTPServer.Response(status: 200, contentType: "application/json", body: queryRange)
            default: nil
            }
        }
        defer { server.stop() }
        let dir = scratchDirectory()
        let r = runCLI(["calibrate", packageRoot + "/scenarios/baseline.json", "--prometheus", "http://127.0.0.1:\(server.port)",
                        "--start", "1970-01-01T00:01:00Z", "--end", "3600", "--out", dir])
        #expect(r.code == .success, "\(r.err)")
        let p = try #require(try calibration(dir)["providers[akash].failure_probability"])
        #expect(number(p["estimate"]) == 0.01 && number(p["n"]) == 1_000)

        let failing = try HTTPServer(bind: "127.0.0.1", port: 0) { _ in
            HTTPServer.Response(status: 400, contentType: "application/json", body: #"{"status":"error","errorType":"bad_data","error":"invalid parameter \"start\""}"#)
        }
        defer { failing.stop() }
        let e = runCLI(["calibrate", packageRoot + "/scenarios/baseline.json", "--prometheus", "http://127.0.0.1:\(failing.port)",
                        "--start", "0", "--end", "3600", "--out", dir + "-2"])
        #expect(e.code == .badInput)
        #expect(e.err.contains("the API answered HTTP 400: invalid parameter \"start\""), "\(e.err)")
    }

    @Test func httpClientDechunksAndTimesOut() throws {
        let body = try HTTPClient.dechunk(Array("4\r\nWiki\r\n6;x=y\r\npedia \r\n0\r\n\r\n".utf8), url: "u")
        #expect(String(decoding: body, as: UTF8.self) == "Wikipedia ")
        #expect(throws: HTTPClient.Failure.self) { try HTTPClient.dechunk(Array("zz\r\n".utf8), url: "u") }
        // A server that accepts the connection (the kernel's backlog) and never answers.
        let listener = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        defer { close(listener) }
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        var len = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(listener, $0, len) } }
        listen(listener, 4)
        _ = withUnsafeMutablePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(listener, $0, &len) } }
        let started = Date()
        do {
            _ = try HTTPClient(timeout: 0.5).get("http://127.0.0.1:\(UInt16(bigEndian: addr.sin_port))/api/v1/series")
            Issue.record("a silent server answered")
        } catch {
            #expect(error.message.contains("(timeout)"), "\(error)")
        }
        #expect(Date().timeIntervalSince(started) < 5)
    }
}
