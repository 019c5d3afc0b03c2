#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A blocking TCP client to 127.0.0.1 with a receive timeout, so no caller can hang: for
/// `bench serve` and the server's tests, which play well-behaved and abusive clients.
struct LoopbackClient {
    let fd: Int32

    init?(port: UInt16, timeout seconds: Int = 10) {
        #if canImport(Glibc)
        fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
        fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        var addr = sockaddr_in()
        addr.sin_family = sa_family_t(AF_INET)
        addr.sin_port = port.bigEndian
        inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr)
        let connected = withUnsafePointer(to: &addr) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) }
        }
        var t = timeval(tv_sec: seconds, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &t, socklen_t(MemoryLayout<timeval>.size))
        #if canImport(Darwin)
        var one: Int32 = 1
        setsockopt(fd, SOL_SOCKET, SO_NOSIGPIPE, &one, socklen_t(MemoryLayout<Int32>.size))
        #endif
        guard connected == 0 else { closeDescriptor(fd); return nil }
    }

    /// Sends all of `bytes`; false once the server has closed or reset the connection.
    @discardableResult
    func send(_ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let n = bytes[sent...].withUnsafeBytes { sendBytes(fd, $0.baseAddress, $0.count) }
            if n <= 0 { return false }
            sent += n
        }
        return true
    }

    /// Everything until the server closes (or the receive timeout).
    func receiveAll() -> String {
        var out: [UInt8] = [], chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { recv(fd, $0.baseAddress, $0.count, 0) }
            if n <= 0 { break }
            out += chunk[0..<n]
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// Sends a request and returns the whole response.
    func request(_ text: String) -> String {
        send(Array(text.utf8)) ? receiveAll() : ""
    }

    func close() { closeDescriptor(fd) }
}

/// `close(2)` and `send(2)`, out of reach of the methods above that share their names.
private func closeDescriptor(_ fd: Int32) { _ = close(fd) }

private func sendBytes(_ fd: Int32, _ p: UnsafeRawPointer?, _ n: Int) -> Int {
    #if canImport(Glibc)
    send(fd, p, n, Int32(MSG_NOSIGNAL))
    #else
    send(fd, p, n, 0)
    #endif
}
