#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Foundation

/// A small HTTP/1.1 server on the platform's sockets, for `/metrics` and `/healthz`.
///
/// Deliberately minimal and defensive: one request per connection (`Connection: close`),
/// request heads capped at 8 KiB, 5-second socket timeouts so a slow client cannot hold a
/// worker, `GET`/`HEAD` only. Malformed or oversized requests get 400 and the connection is
/// closed; unknown paths get 404. Connections are served concurrently on a Dispatch queue.
final class HTTPServer: @unchecked Sendable {
    struct Response: Sendable {
        var status: Int
        var contentType: String
        var body: String
    }

    typealias Handler = @Sendable (_ path: String) -> Response?

    let handler: Handler
    private let listenFD: Int32
    /// The bound port (the kernel's choice when asked for port 0).
    let port: UInt16
    private let lock = NSLock()
    private var running = true
    private let connections = DispatchQueue(label: "wargame.http.connections", attributes: .concurrent)
    private let acceptor = DispatchQueue(label: "wargame.http.accept")
    private let stopped = DispatchSemaphore(value: 0)

    static let maxHead = 8_192

    /// A peer that hangs up must not kill the process with SIGPIPE.
    #if canImport(Glibc)
    static let sendFlags = Int32(MSG_NOSIGNAL)
    #else
    static let sendFlags: Int32 = 0  // Darwin: `serve` ignores SIGPIPE process-wide instead
    #endif

    struct StartError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    init(bind address: String, port requested: UInt16, handler: @escaping Handler) throws {
        self.handler = handler
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw StartError(message: "cannot create a socket (\(String(cString: strerror(errno))))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = requested.bigEndian
        guard inet_pton(AF_INET, address, &addr.sin_addr) == 1 else {
            close(fd)
            throw StartError(message: "'\(address)' is not an IPv4 address")
        }
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 64) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw StartError(message: "cannot listen on \(address):\(requested) (\(reason))")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        listenFD = fd
        port = UInt16(bigEndian: actual.sin_port)
        acceptor.async { self.acceptLoop() }
    }

    private var isRunning: Bool {
        lock.lock(); defer { lock.unlock() }
        return running
    }

    private func acceptLoop() {
        while isRunning {
            let client = accept(listenFD, nil, nil)
            if client < 0 {
                if errno == EINTR { continue }
                if !isRunning { break }
                continue
            }
            connections.async { self.serve(client) }
        }
        stopped.signal()
    }

    /// Stops accepting and waits for the accept loop to end.
    func stop() {
        lock.lock()
        let wasRunning = running
        running = false
        lock.unlock()
        guard wasRunning else { return }
        shutdown(listenFD, Int32(SHUT_RDWR))
        close(listenFD)
        stopped.wait()
        connections.sync(flags: .barrier) {}
    }

    private func serve(_ fd: Int32) {
        defer { close(fd) }
        var timeout = timeval(tv_sec: 5, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))
        var head: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 2_048)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { return }  // closed, or timed out (a slow client): drop it
            head.append(contentsOf: chunk[0..<n])
            if head.count > Self.maxHead { return respond(fd, Response(status: 400, contentType: "text/plain", body: "request too large\n"), head: false) }
            if Self.endOfHead(head) { break }
        }
        guard let line = String(bytes: head.prefix { $0 != 13 && $0 != 10 }, encoding: .utf8) else {
            return respond(fd, Response(status: 400, contentType: "text/plain", body: "malformed request\n"), head: false)
        }
        let parts = line.split(separator: " ", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[2].hasPrefix("HTTP/1."), parts[1].hasPrefix("/") else {
            return respond(fd, Response(status: 400, contentType: "text/plain", body: "malformed request\n"), head: false)
        }
        let method = parts[0]
        guard method == "GET" || method == "HEAD" else {
            return respond(fd, Response(status: 405, contentType: "text/plain", body: "only GET and HEAD\n"), head: false)
        }
        let path = String(parts[1].split(separator: "?", maxSplits: 1, omittingEmptySubsequences: false)[0])
        let response = handler(path) ?? Response(status: 404, contentType: "text/plain", body: "not found\n")
        respond(fd, response, head: method == "HEAD")
    }

    static func endOfHead(_ bytes: [UInt8]) -> Bool {
        guard bytes.count >= 4 else { return false }
        for i in 0...(bytes.count - 4) where bytes[i] == 13 && bytes[i + 1] == 10 && bytes[i + 2] == 13 && bytes[i + 3] == 10 {
            return true
        }
        return false
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        default: "Error"
        }
    }

    private func respond(_ fd: Int32, _ r: Response, head: Bool) {
        let body = Array(r.body.utf8)
        var out = Array("HTTP/1.1 \(r.status) \(Self.reason(r.status))\r\nContent-Type: \(r.contentType)\r\nContent-Length: \(body.count)\r\nConnection: close\r\n\r\n".utf8)
        if !head { out += body }
        var sent = 0
        while sent < out.count {
            let n = out[sent...].withUnsafeBytes { send(fd, $0.baseAddress, $0.count, HTTPServer.sendFlags) }
            if n <= 0 { return }
            sent += n
        }
    }
}
