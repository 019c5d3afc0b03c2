#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Dispatch
import Foundation

/// A small HTTP/1.1 server for `/metrics` and `/healthz` that idle, slow or hostile
/// clients cannot starve.
///
/// One thread runs an event loop over non-blocking sockets with `poll(2)`, so a connection
/// costs a file descriptor and a buffer, never a thread: hundreds of idle clients do not
/// delay a scrape. Every connection has deadlines — the whole request head must arrive
/// within `headTimeout` of the connection opening (not per read, so trickling a byte at a
/// time does not extend it), and the response must drain within `writeTimeout`. At the
/// deadline a partial head gets 408, an idle connection is closed. Malformed heads get 400
/// the moment the grammar is broken (`HTTPRequestHead`). At `maxConnections` a new
/// connection evicts the oldest one that has not yet sent a complete request (it gets a
/// 503 and is closed): a client that holds idle connections, however many, cannot lock
/// out a scraper, while a client whose request is complete is always answered. Only when
/// every connection is answering or lingering does a new one get 503 and is closed.
/// One request per connection (`Connection: close`);
/// after the response the server stops sending and discards what the client still sends
/// for up to a second ("lingering close"), so a client that sent more than was read still
/// receives its 400 instead of a reset. Handlers run on the loop thread and must be quick
/// (the metrics text is rendered elsewhere and only read here).
final class HTTPServer: @unchecked Sendable {
    struct Response: Sendable {
        var status: Int
        var contentType: String
        var body: String
    }

    typealias Handler = @Sendable (_ path: String) -> Response?

    struct Limits: Sendable {
        var maxConnections = 1_024
        var headTimeout: Duration = .seconds(5)
        var writeTimeout: Duration = .seconds(10)
        var lingerTimeout: Duration = .seconds(1)
    }

    struct StartError: Error, CustomStringConvertible {
        let message: String
        var description: String { message }
    }

    /// The bound port (the kernel's choice when asked for port 0).
    let port: UInt16
    let limits: Limits
    private let handler: Handler
    private let listenFD: Int32
    private let wakeRead: Int32, wakeWrite: Int32
    private let finished = DispatchSemaphore(value: 0)
    private var stopped = false  // touched only by `stop()`'s caller

    /// Binds and listens on `address:port` (IPv4) and starts the event loop. A bad address
    /// or a port in use is a `StartError` (bad usage); nothing is left open.
    init(bind address: String, port requested: UInt16, limits: Limits = Limits(), handler: @escaping Handler) throws {
        self.handler = handler
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = requested.bigEndian
        guard inet_pton(AF_INET, address, &addr.sin_addr) == 1 else {
            throw StartError(message: "'\(address)' is not an IPv4 address")
        }
        var effective = limits
        effective.maxConnections = Self.raiseDescriptorLimit(toFit: limits.maxConnections)
        self.limits = effective
        #if canImport(Glibc)
        let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw StartError(message: "cannot create a socket (\(lastError()))") }
        var yes: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &yes, socklen_t(MemoryLayout<Int32>.size))
        let bound = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        guard bound == 0, listen(fd, 1_024) == 0, Self.setNonBlocking(fd) else {
            let reason = lastError()
            close(fd)
            throw StartError(message: "cannot listen on \(address):\(requested) (\(reason))")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        var fds: [Int32] = [-1, -1]
        guard pipe(&fds) == 0 else {
            close(fd)
            throw StartError(message: "cannot create a pipe (\(lastError()))")
        }
        listenFD = fd
        wakeRead = fds[0]
        wakeWrite = fds[1]
        port = UInt16(bigEndian: actual.sin_port)
        let thread = Thread { [self] in EventLoop(server: self).run() }  // the loop lives and dies on its thread
        thread.name = "wargame.http"
        thread.start()
    }

    /// Stops the loop, closes every connection and the listening socket, and waits.
    func stop() {
        guard !stopped else { return }
        stopped = true
        var b: UInt8 = 1
        _ = write(wakeWrite, &b, 1)
        finished.wait()
        close(wakeWrite)
    }

    /// The soft limit on open files must fit the connections plus a margin; raise it
    /// towards the hard limit if needed, else serve fewer connections.
    static func raiseDescriptorLimit(toFit connections: Int) -> Int {
        var r = rlimit()
        guard getrlimit(Int32(RLIMIT_NOFILE.rawValue), &r) == 0 else { return connections }
        let wanted = rlim_t(connections + 64)
        if r.rlim_cur < wanted {
            r.rlim_cur = min(wanted, r.rlim_max)
            _ = setrlimit(Int32(RLIMIT_NOFILE.rawValue), &r)
            _ = getrlimit(Int32(RLIMIT_NOFILE.rawValue), &r)
        }
        return max(1, min(connections, Int(r.rlim_cur) - 64))
    }

    static func setNonBlocking(_ fd: Int32) -> Bool {
        let flags = fcntl(fd, F_GETFL)
        return flags >= 0 && fcntl(fd, F_SETFL, flags | O_NONBLOCK) == 0
    }

    static func reason(_ status: Int) -> String {
        switch status {
        case 200: "OK"
        case 400: "Bad Request"
        case 404: "Not Found"
        case 405: "Method Not Allowed"
        case 408: "Request Timeout"
        case 503: "Service Unavailable"
        default: "Error"
        }
    }

    static func encode(_ r: Response, headOnly: Bool = false) -> [UInt8] {
        let body = Array(r.body.utf8)
        var out = Array(("HTTP/1.1 \(r.status) \(reason(r.status))\r\nContent-Type: \(r.contentType)\r\n"
            + "Content-Length: \(body.count)\r\nConnection: close\r\n\r\n").utf8)
        if !headOnly { out += body }
        return out
    }

    static func plain(_ status: Int, _ text: String) -> Response { Response(status: status, contentType: "text/plain; charset=utf-8", body: text + "\n") }

    /// A peer that hangs up must not kill the process with SIGPIPE.
    #if canImport(Glibc)
    static let sendFlags = Int32(MSG_NOSIGNAL)
    #else
    static let sendFlags: Int32 = 0  // Darwin: SO_NOSIGPIPE is set on each connection
    #endif

    /// The loop's state, confined to the loop thread.
    private final class EventLoop {
        enum Phase { case reading, writing, lingering }
        struct Connection {
            let fd: Int32
            var phase = Phase.reading
            var received: [UInt8] = []
            var output: [UInt8] = []
            var sent = 0
            var deadline: ContinuousClock.Instant
        }

        let server: HTTPServer
        var connections: [Connection] = []
        let clock = ContinuousClock()
        var scratch = [UInt8](repeating: 0, count: 16_384)

        init(server: HTTPServer) { self.server = server }

        func run() {
            defer {
                for c in connections { close(c.fd) }
                close(server.listenFD)
                close(server.wakeRead)
                server.finished.signal()
            }
            while true {
                var fds = [pollfd(fd: server.wakeRead, events: Int16(POLLIN), revents: 0),
                           pollfd(fd: server.listenFD, events: Int16(POLLIN), revents: 0)]
                for c in connections {
                    fds.append(pollfd(fd: c.fd, events: Int16(c.phase == .writing ? POLLOUT : POLLIN), revents: 0))
                }
                let now = clock.now
                let soonest = connections.map(\.deadline).min()
                let timeout = soonest.map { max(0, Int32(clamping: milliseconds($0 - now) + 1)) } ?? -1
                let ready = poll(&fds, nfds_t(fds.count), timeout)
                if ready < 0 && errno != EINTR { return }
                if fds[0].revents != 0 { return }
                // Connections first (their indices match `fds[2...]`), then new ones.
                let events = fds.dropFirst(2).map(\.revents)
                for i in connections.indices.reversed() where events[i] != 0 { service(i) }
                expire(clock.now)
                if fds[1].revents != 0 { acceptAll() }
            }
        }

        func milliseconds(_ d: Duration) -> Int64 { d.components.seconds * 1_000 + d.components.attoseconds / 1_000_000_000_000_000 }

        func acceptAll() {
            while true {
                let fd = accept(server.listenFD, nil, nil)
                if fd < 0 {
                    if errno == EINTR { continue }
                    return  // EAGAIN: drained; EMFILE and the like: try again on the next wake
                }
                _ = HTTPServer.setNonBlocking(fd)
                #if canImport(Darwin)
                var one: Int32 = 1
                setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
                #endif
                if connections.count >= server.limits.maxConnections && !evictOne() {
                    refuse(fd, "too many connections")
                    continue
                }
                connections.append(Connection(fd: fd, deadline: clock.now + server.limits.headTimeout))
            }
        }

        /// Makes room by closing the oldest connection still waiting for its request (the
        /// array is in accept order). Each candidate is read first, so a request that has
        /// just arrived is answered rather than lost. False when every connection is past
        /// its request, i.e. being answered.
        func evictOne() -> Bool {
            var i = 0
            while i < connections.count {
                guard connections[i].phase == .reading else { i += 1; continue }
                let fd = connections[i].fd, before = connections.count
                read(i)
                if connections.count < before { return true }  // the peer had gone: room made
                if connections[i].fd == fd && connections[i].phase == .reading {
                    refuse(fd, "evicted: the server is at its connection limit and this connection sent no request")
                    connections.remove(at: i)
                    return true
                }
                i += 1  // its request was complete and is being answered
            }
            return false
        }

        /// Sends a 503 as far as the socket takes it without waiting, and closes.
        func refuse(_ fd: Int32, _ why: String) {
            let bytes = HTTPServer.encode(HTTPServer.plain(503, why))
            _ = bytes.withUnsafeBytes { send(fd, $0.baseAddress, $0.count, HTTPServer.sendFlags) }
            close(fd)
        }

        func service(_ i: Int) {
            switch connections[i].phase {
            case .reading: read(i)
            case .writing: flush(i)
            case .lingering: drain(i)
            }
        }

        func read(_ i: Int) {
            while true {
                let n = scratch.withUnsafeMutableBytes { recv(connections[i].fd, $0.baseAddress, $0.count, 0) }
                if n > 0 {
                    connections[i].received += scratch[0..<n]
                    switch HTTPRequestHead.parse(connections[i].received) {
                    case .incomplete: continue
                    case .invalid(let why): return respond(i, HTTPServer.plain(400, why))
                    case .complete(let head, _): return respond(i, answer(head), headOnly: head.method == "HEAD")
                    }
                }
                if n < 0 && errno == EINTR { continue }
                if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
                return drop(i)  // closed by the peer, or an error
            }
        }

        func answer(_ head: HTTPRequestHead) -> Response {
            guard head.method == "GET" || head.method == "HEAD" else { return HTTPServer.plain(405, "only GET and HEAD") }
            return server.handler(head.path) ?? HTTPServer.plain(404, "not found")
        }

        func respond(_ i: Int, _ r: Response, headOnly: Bool = false) {
            connections[i].output = HTTPServer.encode(r, headOnly: headOnly)
            connections[i].received = []
            connections[i].phase = .writing
            connections[i].deadline = clock.now + server.limits.writeTimeout
            flush(i)
        }

        func flush(_ i: Int) {
            while connections[i].sent < connections[i].output.count {
                let sent = connections[i].sent
                let n = connections[i].output.withUnsafeBytes {
                    send(connections[i].fd, $0.baseAddress! + sent, $0.count - sent, HTTPServer.sendFlags)
                }
                if n > 0 { connections[i].sent += n; continue }
                if n < 0 && errno == EINTR { continue }
                if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
                return drop(i)
            }
            shutdown(connections[i].fd, Int32(SHUT_WR))
            connections[i].output = []
            connections[i].phase = .lingering
            connections[i].deadline = clock.now + server.limits.lingerTimeout
            drain(i)
        }

        func drain(_ i: Int) {
            while true {
                let n = scratch.withUnsafeMutableBytes { recv(connections[i].fd, $0.baseAddress, $0.count, 0) }
                if n > 0 { continue }
                if n < 0 && errno == EINTR { continue }
                if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { return }
                return drop(i)
            }
        }

        func expire(_ now: ContinuousClock.Instant) {
            for i in connections.indices.reversed() where connections[i].deadline <= now {
                if connections[i].phase == .reading && !connections[i].received.isEmpty {
                    respond(i, HTTPServer.plain(408, "request head not received in time"))
                    // A client that will not read its 408 either is dropped at the write deadline.
                } else {
                    drop(i)
                }
            }
        }

        func drop(_ i: Int) {
            close(connections[i].fd)
            connections.remove(at: i)
        }
    }
}

private func lastError() -> String { String(cString: strerror(errno)) }
