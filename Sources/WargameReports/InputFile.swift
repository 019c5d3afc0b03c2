#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads an input file (a scenario, a shard, a run's outputs for a report) whole, refusing
/// at once anything that is not a regular file.
///
/// A named pipe with no writer blocks `open` for ever, and one whose writer never writes
/// blocks `read`; a device or socket can do the same, or never end (`/dev/zero`). So the
/// file is opened non-blocking (which never waits for a pipe's writer) and judged by
/// `fstat` on the descriptor itself, not by a name that could change in between: only a
/// regular file is read, up to `limit` bytes.
public enum InputFile {
    /// Why the file could not be read, phrased to follow "expected a … file, found".
    public enum Problem: Error, Equatable, Sendable {
        case missing, directory, tooLarge(limit: Int)
        case notRegular(String)
        case unreadable(String)

        public var found: String {
            switch self {
            case .missing: "nothing at this path"
            case .directory: "a directory"
            case .tooLarge(let limit): "more than \(limit >> 20) MiB"
            case .notRegular(let kind): kind + " (only regular files are read: a pipe or device could block or never end)"
            case .unreadable(let why): "a file it cannot read (\(why))"
            }
        }
    }

    public static func read(_ path: String, limit: Int) -> Result<[UInt8], Problem> {
        let fd = open(path, O_RDONLY | O_NONBLOCK | O_NOCTTY | O_CLOEXEC)
        guard fd >= 0 else {
            let e = errno
            if e == ENOENT || e == ENOTDIR { return .failure(.missing) }
            var st = stat()
            if e == ENXIO { return .failure(.notRegular(stat(path, &st) == 0 ? OutputSet.describe(st.st_mode) : "a socket")) }
            return .failure(.unreadable(String(cString: strerror(e))))
        }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { return .failure(.unreadable(String(cString: strerror(errno)))) }
        switch st.st_mode & S_IFMT {
        case S_IFREG: break
        case S_IFDIR: return .failure(.directory)
        default: return .failure(.notRegular(OutputSet.describe(st.st_mode)))
        }
        if Int(st.st_size) > limit { return .failure(.tooLarge(limit: limit)) }
        var bytes: [UInt8] = []
        bytes.reserveCapacity(Int(st.st_size))
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress!, $0.count) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR || errno == EAGAIN { continue }
                return .failure(.unreadable(String(cString: strerror(errno))))
            }
            bytes += chunk[0..<n]
            if bytes.count > limit { return .failure(.tooLarge(limit: limit)) }
        }
        return .success(bytes)
    }

    /// The file as UTF-8 text (invalid sequences repaired), or the problem.
    public static func text(_ path: String, limit: Int = 1 << 30) -> Result<String, Problem> {
        read(path, limit: limit).map { String(decoding: $0, as: UTF8.self) }
    }
}

#if canImport(Glibc)
@inline(__always) private func posixRead(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int { Glibc.read(fd, p, n) }
#else
@inline(__always) private func posixRead(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int { Darwin.read(fd, p, n) }
#endif
