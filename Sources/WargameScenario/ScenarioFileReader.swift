#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads a scenario file's bytes, saying precisely what is wrong when it cannot: nothing
/// at the path, a directory, no permission, too large. Pipes and character devices are
/// read like files (so `wargame run <(jq … base.json)` works), up to `maximumBytes`, which
/// also keeps `/dev/zero` from filling memory.
enum ScenarioFileReader {
    static let maximumBytes = 16 << 20

    /// The bytes, or what was found instead (phrased to follow "expected a scenario file, found …").
    static func read(_ path: String) -> Result<[UInt8], Problem> {
        var st = stat()
        guard stat(path, &st) == 0 else {
            return .failure(errno == ENOENT || errno == ENOTDIR ? .missing : .unreadable(String(cString: strerror(errno))))
        }
        if st.st_mode & S_IFMT == S_IFDIR { return .failure(.directory) }
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return .failure(.unreadable(String(cString: strerror(errno)))) }
        defer { close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress!, $0.count) }
            if n == 0 { break }
            if n < 0 {
                if errno == EINTR { continue }
                return .failure(.unreadable(String(cString: strerror(errno))))
            }
            bytes += chunk[0..<n]
            if bytes.count > maximumBytes { return .failure(.tooLarge) }
        }
        return .success(bytes)
    }

    enum Problem: Error, Equatable {
        case missing, directory, tooLarge
        case unreadable(String)

        var found: String {
            switch self {
            case .missing: "nothing at this path"
            case .directory: "a directory"
            case .tooLarge: "more than \(maximumBytes >> 20) MiB"
            case .unreadable(let why): "a file it cannot read (\(why))"
            }
        }
    }
}

#if canImport(Glibc)
@inline(__always) private func posixRead(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int { Glibc.read(fd, p, n) }
#else
@inline(__always) private func posixRead(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int { Darwin.read(fd, p, n) }
#endif
