#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import WargameReports

/// A minimal HTTP/1.1 client for `GET` over plain TCP: enough for the Prometheus HTTP API,
/// without a package. One request per connection (`Connection: close`), no compression;
/// bodies by `Content-Length`, chunked transfer coding or the connection's end. Every
/// wait is bounded by one deadline for the whole exchange, so an unresponsive server is an
/// error after `timeout`, never a hang. `https` is refused (no TLS here): use a saved
/// response file, or a local proxy.
struct HTTPClient {
    struct Failure: Error, CustomStringConvertible {
        let url: String
        let message: String
        var description: String { "\(url): \(message)" }
    }

    struct Response {
        let status: Int
        let body: [UInt8]
        var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// `http://host[:port][/base]`, split.
    struct Endpoint {
        let host: String
        let port: UInt16
        let basePath: String

        init(_ url: String) throws(Failure) {
            guard url.hasPrefix("http://") else {
                throw Failure(url: url, message: url.hasPrefix("https://")
                    ? "https is not supported (no TLS in this build): give an http:// address, such as a local proxy, or --from a saved response"
                    : "expected an http:// URL such as http://127.0.0.1:9090")
            }
            var rest = url.dropFirst(7)
            let slash = rest.firstIndex(of: "/") ?? rest.endIndex
            let authority = rest[..<slash]
            basePath = String(rest[slash...]).hasSuffix("/") ? String(rest[slash...].dropLast()) : String(rest[slash...])
            rest = authority
            if let colon = rest.lastIndex(of: ":"), !rest.hasSuffix("]") {
                guard let p = UInt16(rest[rest.index(after: colon)...]), p > 0 else {
                    throw Failure(url: url, message: "expected a port in 1…65535 after ':', found \"\(rest[rest.index(after: colon)...])\"")
                }
                host = String(rest[..<colon]); port = p
            } else {
                host = String(rest); port = 80
            }
            guard !host.isEmpty else { throw Failure(url: url, message: "expected a host name after http://") }
        }
    }

    let timeout: Double

    /// `GET url`; any network failure, timeout or malformed response is a `Failure`.
    func get(_ url: String) throws(Failure) -> Response {
        let e = try Endpoint(url)
        let pathStart = url.dropFirst(7).firstIndex(of: "/").map { url[$0...] } ?? "/"
        let deadline = Date().addingTimeInterval(timeout)
        let fd = try connect(e, url: url, deadline: deadline)
        defer { close(fd) }
        let request = "GET \(pathStart) HTTP/1.1\r\nHost: \(e.host):\(e.port)\r\nUser-Agent: wargame\r\nAccept: application/json\r\nConnection: close\r\n\r\n"
        try send(fd, Array(request.utf8), url: url, deadline: deadline)
        let raw = try receive(fd, url: url, deadline: deadline)
        return try Self.parse(raw, url: url)
    }

    private func remaining(_ deadline: Date, _ url: String) throws(Failure) -> Int32 {
        let ms = deadline.timeIntervalSinceNow * 1_000
        guard ms > 0 else { throw Failure(url: url, message: "no answer within \(NumberFormat.significant(timeout) + " s") (timeout)") }
        return Int32(min(ms.rounded(.up), 1e9))
    }

    private func connect(_ e: Endpoint, url: String, deadline: Date) throws(Failure) -> Int32 {
        var hints = addrinfo()
        hints.ai_family = AF_INET
        #if canImport(Glibc)
        hints.ai_socktype = Int32(SOCK_STREAM.rawValue)
        #else
        hints.ai_socktype = SOCK_STREAM
        #endif
        var list: UnsafeMutablePointer<addrinfo>?
        let rc = getaddrinfo(e.host, String(e.port), &hints, &list)
        guard rc == 0, let first = list else {
            throw Failure(url: url, message: "cannot resolve the host \"\(e.host)\" (\(String(cString: gai_strerror(rc))))")
        }
        defer { freeaddrinfo(list) }
        let fd = socket(first.pointee.ai_family, first.pointee.ai_socktype, first.pointee.ai_protocol)
        guard fd >= 0 else { throw Failure(url: url, message: "cannot open a socket (\(String(cString: strerror(errno))))") }
        _ = fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK)
        #if canImport(Darwin)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        if Glibc_connect(fd, first.pointee.ai_addr, first.pointee.ai_addrlen) != 0 && errno != EINPROGRESS {
            let why = String(cString: strerror(errno)); close(fd)
            throw Failure(url: url, message: "cannot connect to \(e.host):\(e.port) (\(why))")
        }
        var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
        let ready: Int32
        do { ready = poll(&p, 1, try remaining(deadline, url)) } catch { close(fd); throw error }
        var err: Int32 = 0
        var len = socklen_t(MemoryLayout<Int32>.size)
        getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len)
        guard ready > 0, err == 0 else {
            close(fd)
            throw Failure(url: url, message: ready == 0 ? "no connection to \(e.host):\(e.port) within \(NumberFormat.significant(timeout) + " s") (timeout)"
                                                         : "cannot connect to \(e.host):\(e.port) (\(String(cString: strerror(err))))")
        }
        return fd
    }

    private func send(_ fd: Int32, _ bytes: [UInt8], url: String, deadline: Date) throws(Failure) {
        var done = 0
        while done < bytes.count {
            var p = pollfd(fd: fd, events: Int16(POLLOUT), revents: 0)
            guard poll(&p, 1, try remaining(deadline, url)) > 0 else { _ = try remaining(deadline, url); continue }
            let n = bytes[done...].withUnsafeBytes { Glibc_send(fd, $0.baseAddress!, $0.count) }
            if n > 0 { done += n; continue }
            if n < 0 && (errno == EAGAIN || errno == EINTR) { continue }
            throw Failure(url: url, message: "the connection failed while sending (\(String(cString: strerror(errno))))")
        }
    }

    /// Everything until the server closes the connection (responses are capped at 1 GiB).
    private func receive(_ fd: Int32, url: String, deadline: Date) throws(Failure) -> [UInt8] {
        var out: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 1 << 16)
        while true {
            var p = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard poll(&p, 1, try remaining(deadline, url)) > 0 else { _ = try remaining(deadline, url); continue }
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n > 0 {
                out += chunk[0..<n]
                guard out.count < 1 << 30 else { throw Failure(url: url, message: "the response is larger than 1 GiB") }
                continue
            }
            if n == 0 { return out }
            if errno == EAGAIN || errno == EINTR { continue }
            throw Failure(url: url, message: "the connection failed while receiving (\(String(cString: strerror(errno))))")
        }
    }

    /// Status line, headers, and the body by its framing.
    static func parse(_ raw: [UInt8], url: String) throws(Failure) -> Response {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = (0..<max(0, raw.count - 3)).first(where: { raw[$0..<$0 + 4].elementsEqual(separator) }) else {
            throw Failure(url: url, message: raw.isEmpty ? "the server closed the connection without answering" : "expected an HTTP response, found no end of headers")
        }
        let head = String(decoding: raw[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head[0].split(separator: " ")
        guard statusParts.count >= 2, statusParts[0].hasPrefix("HTTP/1."), let status = Int(statusParts[1]) else {
            throw Failure(url: url, message: "expected an HTTP/1.x status line, found \"\(head[0].prefix(60))\"")
        }
        var headers: [String: String] = [:]
        for line in head.dropFirst() {
            guard let colon = line.firstIndex(of: ":") else { continue }
            headers[line[..<colon].lowercased()] = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
        }
        var body = Array(raw[(end + 4)...])
        if headers["transfer-encoding"]?.lowercased().contains("chunked") == true {
            body = try dechunk(body, url: url)
        } else if let length = headers["content-length"].flatMap({ Int($0) }) {
            guard body.count >= length else { throw Failure(url: url, message: "the response ended after \(body.count) of \(length) bytes") }
            body = Array(body[..<length])
        }
        return Response(status: status, body: body)
    }

    static func dechunk(_ data: [UInt8], url: String) throws(Failure) -> [UInt8] {
        var out: [UInt8] = [], i = 0
        while true {
            guard let lineEnd = (i..<max(i, data.count - 1)).first(where: { data[$0] == 13 && data[$0 + 1] == 10 }) else {
                throw Failure(url: url, message: "a chunked response ended early")
            }
            let sizeText = String(decoding: data[i..<lineEnd], as: UTF8.self).split(separator: ";")[0].trimmingCharacters(in: .whitespaces)
            guard let size = Int(sizeText, radix: 16), size >= 0 else {
                throw Failure(url: url, message: "expected a chunk size, found \"\(sizeText.prefix(20))\"")
            }
            i = lineEnd + 2
            if size == 0 { return out }
            guard i + size <= data.count else { throw Failure(url: url, message: "a chunked response ended early") }
            out += data[i..<(i + size)]
            i += size + 2
        }
    }
}

/// `connect(2)` and `send(2)`, out of reach of the methods above that share their names.
private func Glibc_connect(_ fd: Int32, _ a: UnsafePointer<sockaddr>!, _ l: socklen_t) -> Int32 { connect(fd, a, l) }
private func Glibc_send(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int {
    #if canImport(Glibc)
    send(fd, p, n, Int32(MSG_NOSIGNAL))
    #else
    send(fd, p, n, 0)
    #endif
}
