#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// Clients that try to exhaust the server's connections: each holds an idle connection
/// (it never sends a byte) and re-opens it the moment the server closes it. For `bench
/// serve --hostile` and the server's tests: the attack that used to leave 1 scrape in 56
/// answered once there were more of them than `--max-connections`.
///
/// One thread polls every socket, so a thousand attackers cost a thousand descriptors, not
/// a thousand threads. `reconnects` counts how often the server closed one of them.
final class HostileClients: @unchecked Sendable {
    private let port: UInt16
    private var fds: [Int32]
    private let lock = NSLock()
    private var running = true
    private var reopened = 0
    private let done = DispatchSemaphore(value: 0)

    init(count: Int, port: UInt16) {
        self.port = port
        fds = []
        _ = HTTPServer.raiseDescriptorLimit(toFit: count + 2_048)
        fds = (0..<count).map { _ in Self.connect(port) }
        Thread { [self] in loop() }.start()
    }

    /// How many times the server closed an attacker's connection (and it re-opened).
    var reconnects: Int { lock.lock(); defer { lock.unlock() }; return reopened }

    func stop() {
        lock.lock(); running = false; lock.unlock()
        done.wait()
        for fd in fds where fd >= 0 { close(fd) }
    }

    private func loop() {
        defer { done.signal() }
        var buffer = [UInt8](repeating: 0, count: 4_096)
        while true {
            lock.lock(); let go = running; lock.unlock()
            guard go else { return }
            var polled = fds.map { pollfd(fd: $0, events: Int16(POLLIN), revents: 0) }
            guard poll(&polled, nfds_t(polled.count), 50) >= 0 || errno == EINTR else { return }
            for (i, p) in polled.enumerated() where p.revents != 0 || p.fd < 0 {
                // Readable means the server answered (its 503) or closed: either way it let go.
                if p.fd >= 0 {
                    let n = recv(p.fd, &buffer, buffer.count, Int32(MSG_DONTWAIT))
                    if n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK) { continue }
                    close(p.fd)
                }
                fds[i] = Self.connect(port)
                lock.lock(); reopened += 1; lock.unlock()
            }
        }
    }

    /// A connected socket, or -1 (tried again on the next round).
    private static func connect(_ port: UInt16) -> Int32 {
        guard let c = LoopbackClient(port: port, timeout: 1) else { return -1 }
        return c.fd
    }
}
