#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A failure to write an output.
///
/// `kind` decides the exit code: an output *location* that cannot be used (an empty path,
/// a regular file where a directory should be, no permission) is bad usage, reported before
/// any work is done; a *write* failing part-way (a full disk) is an I/O error.
public struct OutputError: Error, Equatable, CustomStringConvertible, Sendable {
    public enum Kind: Sendable, Equatable { case location, write }
    public let path: String
    public let reason: String
    public let kind: Kind

    public init(path: String, reason: String, kind: Kind) {
        self.path = path
        self.reason = reason
        self.kind = kind
    }

    public var description: String { "'\(path)': \(reason)" }
}

/// An output file written through a temporary file in its own directory and renamed over
/// the target on commit, so a reader (or a killed run) never sees a half-written file.
///
/// The temporary name is unique per process and file (`.<name>.<pid>.<n>.partial`) and is
/// opened with `O_EXCL | O_NOFOLLOW`: a pre-planted file or symlink of that name makes the
/// open fail instead of redirecting the write. Writes are buffered (1 MiB) so long runs
/// stream with flat memory. A class because it owns a file descriptor; dropping it
/// uncommitted removes the temporary file.
///
/// A target that is a device, a named pipe or a socket (`--junit /dev/stdout`, a shell's
/// `>(…)`) cannot be replaced by a rename, and must not be: renaming over `/dev/full` as
/// root would replace the device node. Such a file is *direct*: its content is held in
/// memory and written to the target itself when its set commits (only single-file
/// outputs such as JUnit XML or the golden digests are ever direct, so memory stays small).
public final class OutputFile {
    public let path: String
    let temporaryPath: String
    /// Written to `path` itself at commit, not through a temporary file and a rename.
    let direct: Bool
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []
    private static let flushThreshold = 1 << 20

    /// Opens a temporary file for `path`, whose directory must already exist. Failing to
    /// create it is a location error: the directory cannot hold outputs.
    init(path: String, directory: String, name: String) throws(OutputError) {
        self.path = path
        direct = false
        temporaryPath = directory + "/." + name + "." + TemporaryOutputs.shared.uniqueSuffix() + ".partial"
        // Registered before it exists, so an interrupt between the two cannot miss it.
        TemporaryOutputs.shared.register(file: temporaryPath)
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else {
            let reason = lastError()
            TemporaryOutputs.shared.unregister(file: temporaryPath)
            throw OutputError(path: directory, reason: "cannot create a file there (\(reason))", kind: .location)
        }
        buffer.reserveCapacity(Self.flushThreshold)
    }

    /// A direct file for `path`, an existing device, pipe, socket or link to one.
    init(directPath path: String) {
        self.path = path
        temporaryPath = ""
        direct = true
    }

    deinit { abort() }

    /// Appends UTF-8 text.
    public func write(_ text: String) throws(OutputError) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.flushThreshold && !direct { try flush() }
    }

    /// Writes a large block already buffered by the caller (a `RowBuffer`) straight to the
    /// file, after what this file holds, without copying it into this file's buffer.
    public func write(raw: UnsafeRawBufferPointer) throws(OutputError) {
        guard raw.count >= Self.flushThreshold / 4 && !direct else {
            buffer.append(contentsOf: raw)
            if buffer.count >= Self.flushThreshold && !direct { try flush() }
            return
        }
        try flush()
        try writeAll(raw)
    }

    private func flush() throws(OutputError) {
        guard !buffer.isEmpty else { return }
        let failure = buffer.withUnsafeBytes { raw -> OutputError? in
            do throws(OutputError) { try writeAll(raw) } catch { return error }
            return nil
        }
        if let failure { throw failure }
        buffer.removeAll(keepingCapacity: true)
    }

    private func writeAll(_ raw: UnsafeRawBufferPointer) throws(OutputError) {
        guard fd >= 0, raw.count > 0 else { return }
        var done = 0
        while done < raw.count {
            let n = posixWrite(fd, raw.baseAddress! + done, raw.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw OutputError(path: path, reason: "write failed (\(lastError()))", kind: .write)
            }
            done += n
        }
    }

    /// Flushes and closes the temporary file; `rename()` then puts it in place. A direct
    /// file is opened and written here instead, in full, and closed.
    func finish() throws(OutputError) {
        if direct { try writeDirect(); return }
        try flush()
        guard fd >= 0 else { return }
        let result = close(fd)
        fd = -1
        if result != 0 { throw OutputError(path: path, reason: "close failed (\(lastError()))", kind: .write) }
    }

    /// Opens the target (following a link: the user named it), truncates it when it turns
    /// out to be a regular file, and writes the whole buffer.
    private func writeDirect() throws(OutputError) {
        fd = open(path, O_WRONLY | O_CREAT | O_NOCTTY | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw OutputError(path: path, reason: "cannot open it for writing (\(lastError()))", kind: .write) }
        var st = stat()
        if fstat(fd, &st) == 0 && st.st_mode & S_IFMT == S_IFREG { _ = ftruncate(fd, 0) }
        do throws(OutputError) { try flush() } catch { abort(); throw error }
        let result = close(fd)
        fd = -1
        if result != 0 { throw OutputError(path: path, reason: "close failed (\(lastError()))", kind: .write) }
    }

    /// Closes and deletes the temporary file; the target is left as it was. Idempotent.
    public func abort() {
        if fd >= 0 { close(fd); fd = -1 }
        buffer = []
        if !direct && TemporaryOutputs.shared.unregister(file: temporaryPath) { unlink(temporaryPath) }
    }
}

func lastError() -> String { String(cString: strerror(errno)) }

// The POSIX calls whose Swift names clash with this file's methods.
#if canImport(Glibc)
@inline(__always) func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { Glibc.write(fd, p, n) }
@inline(__always) func posixRename(_ a: String, _ b: String) -> Int32 { Glibc.rename(a, b) }
#else
@inline(__always) func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { Darwin.write(fd, p, n) }
@inline(__always) func posixRename(_ a: String, _ b: String) -> Int32 { Darwin.rename(a, b) }
#endif
