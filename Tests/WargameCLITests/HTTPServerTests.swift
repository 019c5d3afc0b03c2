import Dispatch
import Foundation
import Testing
@testable import WargameCLI

@Suite struct HTTPRequestHeadTests {
    func parse(_ s: String) -> HTTPRequestHead.Parse { HTTPRequestHead.parse(Array(s.utf8)) }

    @Test func aCompleteHeadParses() {
        let text = "GET /metrics?x=1 HTTP/1.1\r\nHost: a\r\nAccept:  text/plain \r\n\r\nbody"
        guard case .complete(let head, let length) = parse(text) else { Issue.record("\(parse(text))"); return }
        #expect(head == HTTPRequestHead(method: "GET", path: "/metrics", version: "1.1",
                                        fields: [.init(name: "Host", value: "a"), .init(name: "Accept", value: "text/plain")]))
        #expect(length == text.utf8.count - 4)
        #expect(parse("GET / HTTP/1.0\n\n") != .incomplete)  // bare LF line ends are accepted
    }

    @Test(arguments: ["G", "GET", "GET /metr", "GET /metrics HTTP/1.1\r\n", "GET /metrics HTTP/1.1\r\nHost: a\r\n", "GET /m HTTP/1.1\r\nHo"])
    func aValidPrefixIsIncomplete(text: String) {
        #expect(parse(text) == .incomplete)
    }

    /// Refused as soon as the grammar breaks, without waiting for the rest.
    @Test(arguments: ["\u{16}\u{03}\u{01}", "GE(T", "\r\n", "GET metrics HTTP/1.1\r\n", "GET /a b HTTP/1.1\r\n", "GET / HTTP/2.0\r\n",
                      "GET / HTTP/1.1\r\nNo colon here\r\n", "GET / HTTP/1.1\r\nX: a\u{01}b\r\n", "GET / HTTP/1.1\r\n: empty name\r\n",
                      "GET /\u{7F} HTTP/1.1\r\n"])
    func malformedInputIsInvalidAtOnce(text: String) {
        guard case .invalid = parse(text) else { Issue.record("accepted \(text.debugDescription): \(parse(text))"); return }
    }

    @Test func limitsAreEnforced() {
        #expect(parse("GET /" + String(repeating: "a", count: 9_000)) == .invalid("request line longer than 8192 bytes"))
        let big = "GET / HTTP/1.1\r\nX: " + String(repeating: "a", count: 9_000) + "\r\n"
        #expect(parse(big) == .invalid("request head larger than 8192 bytes"))
        let many = "GET / HTTP/1.1\r\n" + String(repeating: "X: y\r\n", count: 101)
        #expect(parse(many) == .invalid("more than 100 header fields"))
    }

    @Test func randomBytesNeverTrap() {
        var rng = SplitMix(seed: 7)
        for _ in 0..<2_000 {
            let n = Int(rng.next() % 300)
            _ = HTTPRequestHead.parse((0..<n).map { _ in UInt8(truncatingIfNeeded: rng.next()) })
        }
    }
}

/// A tiny fixed-seed generator for test inputs.
struct SplitMix {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

/// The server under abuse. Counts and times are bounded: every client socket has a receive
/// timeout, and timing checks only separate "answered at once" from "waited for a deadline".
@Suite(.serialized) struct HTTPServerTests {
    func server(_ limits: HTTPServer.Limits) throws -> HTTPServer {
        try HTTPServer(bind: "127.0.0.1", port: 0, limits: limits) { path in
            path == "/healthz" ? HTTPServer.plain(200, "ok") : path == "/metrics" ? HTTPServer.plain(200, String(repeating: "m 1\n", count: 2_000)) : nil
        }
    }

    func seconds(_ body: () -> Void) -> Double {
        let start = Date()
        body()
        return Date().timeIntervalSince(start)
    }

    @Test func idleConnectionsDoNotStarveScrapes() throws {
        var limits = HTTPServer.Limits()
        limits.headTimeout = .seconds(60)  // the idle ones stay for the whole test
        let s = try server(limits)
        defer { s.stop() }
        let idle = (0..<500).compactMap { _ in LoopbackClient(port: s.port) }
        defer { idle.forEach { $0.close() } }
        #expect(idle.count == 500)
        let ok = Counter()
        onThreads(20) { _ in
            for _ in 0..<10 where rawHTTP(port: s.port, "GET /metrics HTTP/1.1\r\nHost: t\r\n\r\n").hasPrefix("HTTP/1.1 200 OK\r\n") {
                ok.add()
            }
        }
        #expect(ok.value == 200)
    }

    @Test func hostileInputsGet400AtOnceAndLeaveItServing() throws {
        var limits = HTTPServer.Limits()
        limits.headTimeout = .seconds(60)  // an answer within seconds cannot be the timeout
        let s = try server(limits)
        defer { s.stop() }
        var rng = SplitMix(seed: 11)
        let tlsHello: [UInt8] = [0x16, 0x03, 0x01, 0x00, 0xA5, 0x01, 0x00, 0x00, 0xA1, 0x03, 0x03] + (0..<150).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        let random: [UInt8] = (0..<512).map { _ in UInt8(truncatingIfNeeded: rng.next()) | 0x80 }
        let hugeHeader = Array(("GET /metrics HTTP/1.1\r\nX: " + String(repeating: "a", count: 1_000_000) + "\r\n\r\n").utf8)
        for input in [tlsHello, random, hugeHeader] {
            guard let c = LoopbackClient(port: s.port) else { Issue.record("connect failed"); continue }
            var response = ""
            let took = seconds {
                c.send(input)
                response = c.receiveAll()
            }
            c.close()
            #expect(response.hasPrefix("HTTP/1.1 400 Bad Request\r\n"), "\(response.prefix(60))")
            #expect(took < 5)
        }
        #expect(rawHTTP(port: s.port, "GET /healthz HTTP/1.1\r\n\r\n").hasSuffix("\r\n\r\nok\n"))
    }

    @Test func halfSentAndTricklingRequestsAreCutOffAtTheDeadline() throws {
        var limits = HTTPServer.Limits()
        limits.headTimeout = .seconds(1)
        let s = try server(limits)
        defer { s.stop() }
        // Half a request, then silence: 408 at the deadline.
        let half = try #require(LoopbackClient(port: s.port))
        var response = ""
        let waited = seconds {
            half.send(Array("GET /metrics HTTP/1.1\r\nHost: t\r\n".utf8))
            response = half.receiveAll()
        }
        half.close()
        #expect(response.hasPrefix("HTTP/1.1 408 Request Timeout\r\n"))
        #expect(waited >= 0.9 && waited < 5)
        // A byte every 100 ms would keep a per-read timeout happy for ever; the head
        // deadline is for the whole head, so the client gets its 408 and is cut off.
        let trickler = try #require(LoopbackClient(port: s.port, timeout: 1))
        var cutOff = false
        let lasted = seconds {
            for byte in Array("GET /metrics HTTP/1.1\r\n".utf8) + Array(repeating: UInt8(ascii: "X"), count: 200) {
                if !trickler.send([byte]) { cutOff = true; break }
                Thread.sleep(forTimeInterval: 0.1)
            }
        }
        let answer = trickler.receiveAll()
        trickler.close()
        #expect(cutOff)
        #expect(lasted < 5)
        #expect(answer.hasPrefix("HTTP/1.1 408 ") || answer.isEmpty)  // the 408 may be lost to the reset of a peer that kept writing
        // An idle connection that never sends a byte is simply closed.
        let idle = try #require(LoopbackClient(port: s.port))
        #expect(idle.receiveAll() == "")
        idle.close()
        #expect(rawHTTP(port: s.port, "GET /healthz HTTP/1.1\r\n\r\n").hasSuffix("ok\n"))
    }

    /// At the limit, a new connection evicts the oldest one that sent no request (which
    /// gets a 503), so idle connections cannot lock a scraper out; the evicted one is the
    /// oldest, not the newest.
    @Test func atTheLimitTheOldestIdleConnectionMakesRoom() throws {
        var limits = HTTPServer.Limits()
        limits.maxConnections = 10
        limits.headTimeout = .seconds(60)
        let s = try server(limits)
        defer { s.stop() }
        let held = (0..<10).compactMap { _ in LoopbackClient(port: s.port, timeout: 2) }
        defer { held.forEach { $0.close() } }
        Thread.sleep(forTimeInterval: 0.2)  // let the loop accept them
        #expect(rawHTTP(port: s.port, "GET /healthz HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 200 OK\r\n"))
        #expect(held[0].receiveAll().hasPrefix("HTTP/1.1 503 Service Unavailable\r\n"))
        // The others still hold their places, and can still ask.
        #expect(held[9].request("GET /healthz HTTP/1.1\r\n\r\n").hasPrefix("HTTP/1.1 200 OK\r\n"))
    }

    /// More attackers than the limit, each re-opening its idle connection the moment the
    /// server closes it: every scrape that sends its request is answered. A scraper that
    /// is descheduled between `connect` and `send` for as long as `maxConnections`
    /// attackers take to cycle is itself the oldest idle connection and is evicted before
    /// its request exists (the server reads it first, so a request that had arrived would
    /// be answered); like Prometheus at its next interval, it tries again. What must never
    /// happen is any other answer — `too many connections`, a reset, silence — or a scrape
    /// that cannot get through in three tries (the old design answered 1 scrape in 56).
    @Test func scrapesGetThroughConnectionExhaustion() throws {
        var limits = HTTPServer.Limits()
        limits.maxConnections = 20
        let s = try server(limits)
        defer { s.stop() }
        let attackers = HostileClients(count: 40, port: s.port)
        defer { attackers.stop() }
        Thread.sleep(forTimeInterval: 0.3)
        var answered = 0, retried = 0, unexpected: [String] = []
        for _ in 0..<30 {
            for attempt in 1...3 {
                let r = rawHTTP(port: s.port, "GET /metrics HTTP/1.1\r\n\r\n")
                if r.hasPrefix("HTTP/1.1 200 OK\r\n") { answered += 1; break }
                if r.hasPrefix("HTTP/1.1 503 ") && r.hasSuffix("this connection sent no request\n") && attempt < 3 { retried += 1; continue }
                unexpected.append(String(r.prefix(80)))
                break
            }
        }
        #expect(answered == 30, "answered \(answered) of 30 after \(retried) retries; other answers: \(unexpected)")
        #expect(unexpected.isEmpty)
        #expect(attackers.reconnects > 20, "the attack never ran: \(attackers.reconnects) reconnects")
    }

    @Test func headRequestsGetHeadersOnly() throws {
        let s = try server(HTTPServer.Limits())
        defer { s.stop() }
        let r = rawHTTP(port: s.port, "HEAD /metrics HTTP/1.1\r\n\r\n")
        #expect(r.hasPrefix("HTTP/1.1 200 OK\r\n") && r.contains("Content-Length: 8001\r\n") && r.hasSuffix("\r\n\r\n"))
    }

    @Test func badAddressesAndBusyPortsAreUsageErrors() throws {
        #expect(runCLI(["serve", "--bind", "999.1.1.1"]).code == .badInput)
        let s = try server(HTTPServer.Limits())
        defer { s.stop() }
        let r = runCLI(["serve", "--port", String(s.port)])
        #expect(r.code == .badInput)
        #expect(r.err.hasPrefix("Error: Cannot serve: cannot listen on 127.0.0.1:\(s.port) (Address already in use)."))
    }
}

final class Counter: @unchecked Sendable {
    private let lock = NSLock()
    private var n = 0
    func add() { lock.lock(); n += 1; lock.unlock() }
    var value: Int { lock.lock(); defer { lock.unlock() }; return n }
}
