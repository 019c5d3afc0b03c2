import Foundation
import Testing
@testable import WargameCLI

/// Sends raw bytes to 127.0.0.1:port and returns the whole response (the server closes).
func rawHTTP(port: UInt16, _ request: String) -> String {
    guard let c = LoopbackClient(port: port) else { return "" }
    defer { c.close() }
    return c.request(request)
}

/// A parsed exposition: every sample's value, and checks of the format along the way.
struct Exposition {
    var samples: [String: Double] = [:]   // "name{labels}" → value
    var problems: [String] = []

    init(_ text: String) {
        var typed: [String: String] = [:]
        var buckets: [String: [Double]] = [:], counts: [String: Double] = [:]
        for line in text.split(separator: "\n").map(String.init) {
            if line.hasPrefix("# TYPE ") { let p = line.split(separator: " "); typed[String(p[2])] = String(p[3]); continue }
            if line.hasPrefix("#") { continue }
            guard let space = line.lastIndex(of: " "), let value = Double(line[line.index(after: space)...].replacingOccurrences(of: "NaN", with: "nan")) else {
                problems.append("unparsable sample: \(line)"); continue
            }
            let key = String(line[..<space])
            let name = String(key.prefix { $0 != "{" })
            let family = typed[name] != nil ? name
                : ["_bucket", "_sum", "_count"].compactMap { name.hasSuffix($0) ? String(name.dropLast($0.count)) : nil }.first ?? name
            if typed[family] == nil { problems.append("no TYPE for \(name)") }
            samples[key] = value
            // A histogram series: the family and its labels other than `le`.
            let labels = key.drop { $0 != "{" }.dropFirst().dropLast().split(separator: ",").filter { !$0.hasPrefix("le=") }
            let series = family + "{" + labels.joined(separator: ",") + "}"
            if name.hasSuffix("_bucket") { buckets[series, default: []].append(value) }
            if name.hasSuffix("_count") { counts[series] = value }
        }
        for (family, series) in buckets {
            if zip(series, series.dropFirst()).contains(where: { $0 > $1 }) { problems.append("\(family) buckets not cumulative") }
            if series.last != counts[family] { problems.append("\(family) +Inf bucket ≠ _count") }
        }
    }
}

@Suite struct ServeTests {
    @Test func liveMetricsParseAndCountersNeverDecrease() throws {
        let s = try scenario("baseline")
        // 40 steps of 60 s at 1,200× take about two seconds of wall time.
        let session = try ServeSession(scenario: s, seed: 3, steps: 40, speed: 1_200, bind: "127.0.0.1", port: 0)
        defer { session.stop() }
        #expect(session.server.port != 0)
        var scrapes: [Exposition] = []
        // Scrape until six bodies came back while simulated time moved on (about two seconds
        // here; much longer under ThreadSanitizer, whose slower start once left only two
        // bodies in a fixed two-second window), within a generous bound.
        let deadline = Date().addingTimeInterval(60)
        while Date() < deadline {
            Thread.sleep(forTimeInterval: 0.35)
            let response = rawHTTP(port: session.server.port, "GET /metrics HTTP/1.1\r\nHost: test\r\n\r\n")
            #expect(response.hasPrefix("HTTP/1.1 200 OK\r\n"))
            #expect(response.contains("Content-Type: text/plain; version=0.0.4"))
            let body = response.components(separatedBy: "\r\n\r\n").dropFirst().joined(separator: "\r\n\r\n")
            if !body.isEmpty { scrapes.append(Exposition(body)) }
            let times = scrapes.compactMap { $0.samples["wargame_simulated_seconds"] }
            if scrapes.count >= 6, let first = times.first, let last = times.last, last > first { break }
        }
        #expect(scrapes.count >= 3)
        for e in scrapes { #expect(e.problems == []) }
        // Counters (and histogram counts) never go down between scrapes, and time moves on.
        for (a, b) in zip(scrapes, scrapes.dropFirst()) {
            for (key, value) in a.samples where key.contains("_total") || key.hasSuffix("_count") || key.contains("_bucket") {
                #expect((b.samples[key] ?? value) >= value, "\(key) decreased")
            }
        }
        let firstTime = scrapes.first!.samples["wargame_simulated_seconds"]!, lastTime = scrapes.last!.samples["wargame_simulated_seconds"]!
        #expect(lastTime > firstTime)
        #expect(scrapes.last!.samples.keys.contains { $0.hasPrefix("wargame_provider_breaker_state{provider=\"akash\"}") })
    }

    /// `--start scrape`: simulated time stays at zero until something scrapes /metrics (on
    /// either port); a health check does not count.
    @Test func theClockCanWaitForTheFirstScrape() throws {
        let s = try scenario("baseline")
        let session = try ServeSession(scenario: s, seed: 1, steps: 5, speed: nil, bind: "127.0.0.1", port: 0, servicePort: 0, startOnScrape: true)
        defer { session.stop() }
        #expect(rawHTTP(port: session.server.port, "GET /healthz HTTP/1.1\r\n\r\n").hasSuffix("\r\n\r\nok\n"))
        // At full speed five steps take milliseconds once started; a second shows it has not.
        Thread.sleep(forTimeInterval: 1)
        #expect(session.metrics.current.isEmpty && !session.metrics.isFinished)
        let first = rawHTTP(port: session.serviceServer!.port, "GET /metrics HTTP/1.1\r\n\r\n")
        #expect(first.hasPrefix("HTTP/1.1 200 ") && first.hasSuffix("\r\n\r\n"), "the first scrape sees time 0: nothing yet")
        let deadline = Date().addingTimeInterval(60)
        while !session.metrics.isFinished && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
        #expect(session.metrics.isFinished)
        #expect(Exposition(session.metrics.current).samples["wargame_simulated_seconds"] == 300)
    }

    @Test func otherPathsAndBadRequestsAreRefusedWithoutCrashing() throws {
        let s = try scenario("baseline")
        let session = try ServeSession(scenario: s, seed: 1, steps: 2, speed: nil, bind: "127.0.0.1", port: 0)
        defer { session.stop() }
        let p = session.server.port
        #expect(rawHTTP(port: p, "GET /healthz HTTP/1.1\r\n\r\n").hasSuffix("\r\n\r\nok\n"))
        #expect(rawHTTP(port: p, "GET /nope HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 404 "))
        #expect(rawHTTP(port: p, "nonsense\r\n\r\n").hasPrefix("HTTP/1.1 400 "))
        #expect(rawHTTP(port: p, "GET /metrics HTTP/1.1\r\nX: " + String(repeating: "a", count: 10_000) + "\r\n\r\n").hasPrefix("HTTP/1.1 400 "))
        #expect(rawHTTP(port: p, "DELETE /metrics HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 405 "))
        // Still serving after all that, concurrently.
        let group = DispatchGroup()
        let ok = LiveMetrics()
        for _ in 0..<8 {
            group.enter()
            DispatchQueue.global().async {
                if rawHTTP(port: p, "GET /healthz HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 200") { ok.update(ok.current + "x") }
                group.leave()
            }
        }
        group.wait()
        #expect(ok.current.count == 8)
    }
}
