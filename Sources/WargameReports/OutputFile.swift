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
public final class OutputFile {
    public let path: String
    let temporaryPath: String
    private var fd: Int32 = -1
    private var buffer: [UInt8] = []
    private static let flushThreshold = 1 << 20

    /// Opens a temporary file for `path`, whose directory must already exist. Failing to
    /// create it is a location error: the directory cannot hold outputs.
    init(path: String, directory: String, name: String) throws(OutputError) {
        self.path = path
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

    deinit { abort() }

    /// Appends UTF-8 text.
    public func write(_ text: String) throws(OutputError) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    /// Appends bytes already formatted (the hot path for large logs).
    public func write(bytes: [UInt8]) throws(OutputError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= Self.flushThreshold { try flush() }
    }

    private func flush() throws(OutputError) {
        guard fd >= 0, !buffer.isEmpty else { return }
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { posixWrite(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw OutputError(path: path, reason: "write failed (\(lastError()))", kind: .write)
            }
            done += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes and closes the temporary file; `rename()` then puts it in place.
    func finish() throws(OutputError) {
        try flush()
        guard fd >= 0 else { return }
        let result = close(fd)
        fd = -1
        if result != 0 { throw OutputError(path: path, reason: "close failed (\(lastError()))", kind: .write) }
    }

    /// Closes and deletes the temporary file; the target is left as it was. Idempotent.
    public func abort() {
        if fd >= 0 { close(fd); fd = -1 }
        if TemporaryOutputs.shared.unregister(file: temporaryPath) { unlink(temporaryPath) }
    }
}

/// The set of files one command writes into one directory: all are committed together at
/// the end, or all are discarded, so a failed or interrupted command leaves the directory
/// as it was — including removing the directories it had to create.
///
/// Creating the set validates the location before any work starts: the path must be
/// non-empty, every existing component a directory, and the directory writable (proved by
/// creating and removing a probe file, which also catches read-only and virtual file
/// systems such as `/proc` where permission bits say yes).
public final class OutputSet {
    public let directory: String
    private var files: [OutputFile] = []
    private var createdDirectories: [String] = []

    public init(directory: String) throws(OutputError) {
        self.directory = directory
        guard !directory.isEmpty else {
            throw OutputError(path: directory, reason: "expected a directory path, found an empty string", kind: .location)
        }
        createdDirectories = try Self.makeDirectories(directory)
        do {
            let probe = try OutputFile(path: directory + "/.probe", directory: directory, name: "probe")
            probe.abort()
        } catch {
            removeCreatedDirectories()
            throw error
        }
    }

    deinit { abortAll() }

    /// Opens `name` (a plain file name) inside the directory for writing.
    public func open(_ name: String) throws(OutputError) -> OutputFile {
        precondition(!name.isEmpty && !name.contains("/") && name != "." && name != "..", "not a plain file name: \(name)")
        let file = try OutputFile(path: directory == "/" ? "/" + name : directory + "/" + name, directory: directory, name: name)
        files.append(file)
        return file
    }

    /// Finishes every file, then renames them all into place: a file that fails to write
    /// stops the commit before any target is replaced. Returns the final paths.
    @discardableResult
    public func commitAll() throws(OutputError) -> [String] {
        do {
            for f in files { try f.finish() }
            try TemporaryOutputs.shared.rename(files.map { ($0.temporaryPath, $0.path) })
        } catch {
            abortAll()
            throw error
        }
        TemporaryOutputs.shared.unregister(directories: createdDirectories)
        createdDirectories = []
        let paths = files.map(\.path)
        files = []
        return paths
    }

    /// Discards every uncommitted file and the directories this set created. Idempotent.
    public func abortAll() {
        for f in files { f.abort() }
        files = []
        removeCreatedDirectories()
    }

    /// Directories this set created hold only what this command wrote (nested sets commit
    /// into them too, e.g. `check --rules-test`), so they go whole.
    private func removeCreatedDirectories() {
        if let outermost = createdDirectories.first { removeTree(outermost) }
        TemporaryOutputs.shared.unregister(directories: createdDirectories)
        createdDirectories = []
    }

    /// Creates the missing components of `path`, returning those it created (outermost
    /// first), each registered for removal before it is made. An existing component that is
    /// not a directory is a location error.
    static func makeDirectories(_ path: String) throws(OutputError) -> [String] {
        if path.utf8.contains(0) {
            throw OutputError(path: path, reason: "expected a directory path, found a NUL byte in it", kind: .location)
        }
        var prefixes: [String] = []
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/", omittingEmptySubsequences: true) {
            current = current == "." ? String(part) : current + "/" + part
            prefixes.append(current)
        }
        if prefixes.isEmpty { prefixes = [path.hasPrefix("/") ? "/" : "."] }
        var created: [String] = []
        for p in prefixes {
            var st = stat()
            if stat(p, &st) == 0 {
                if st.st_mode & S_IFMT == S_IFDIR { continue }
                undo(created)
                let found = p == prefixes.last ? describe(st.st_mode) : "a path through '\(p)', which is \(describe(st.st_mode))"
                throw OutputError(path: path, reason: "expected a directory, found \(found)", kind: .location)
            }
            var failure = errno
            if failure == ENOENT {
                TemporaryOutputs.shared.register(directories: [p])
                failure = mkdir(p, 0o755) == 0 ? 0 : errno
                if failure != 0 { TemporaryOutputs.shared.unregister(directories: [p]) }
            }
            guard failure == 0 else {
                undo(created)
                throw OutputError(path: path, reason: "cannot create directory '\(p)' (\(String(cString: strerror(failure))))", kind: .location)
            }
            created.append(p)
        }
        return created
    }

    private static func undo(_ created: [String]) {
        if let outermost = created.first { removeTree(outermost) }
        TemporaryOutputs.shared.unregister(directories: created)
    }

    static func describe(_ mode: mode_t) -> String {
        switch mode & S_IFMT {
        case S_IFREG: "a regular file"
        case S_IFCHR: "a character device"
        case S_IFBLK: "a block device"
        case S_IFIFO: "a named pipe"
        case S_IFSOCK: "a socket"
        case S_IFLNK: "a symbolic link"
        default: "not a directory"
        }
    }
}

/// Every temporary output file and freshly created output directory in the process, so
/// that an interrupted command (SIGINT, SIGTERM) can remove them all before it exits.
///
/// Commits take the same lock while renaming, so cleanup never races a commit: it sees
/// either every file of a set still temporary, or every file in place.
public final class TemporaryOutputs: @unchecked Sendable {
    public static let shared = TemporaryOutputs()
    private var mutex = pthread_mutex_t()
    private var files: [String] = []
    private var directories: [String] = []
    private var counter = 0

    private init() { pthread_mutex_init(&mutex, nil) }

    private func locked<T>(_ body: () throws(OutputError) -> T) throws(OutputError) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return try body()
    }

    private func locked<T>(_ body: () -> T) -> T {
        pthread_mutex_lock(&mutex)
        defer { pthread_mutex_unlock(&mutex) }
        return body()
    }

    func uniqueSuffix() -> String {
        let n = locked { () -> Int in counter += 1; return counter }
        return "\(getpid()).\(n)"
    }

    func register(file: String) { locked { files.append(file) } }

    /// Returns whether `file` was registered (i.e. not yet committed or removed).
    @discardableResult
    func unregister(file: String) -> Bool {
        locked { () -> Bool in
            guard let i = files.lastIndex(of: file) else { return false }
            files.remove(at: i)
            return true
        }
    }

    func register(directories d: [String]) { locked { directories += d } }
    func unregister(directories d: [String]) { locked { directories.removeAll { d.contains($0) } } }

    /// Renames each finished temporary file over its target, in order, under the lock. A
    /// rename that fails (rare: the directory vanished) stops the commit; that file and
    /// the ones after it are deleted, the ones before it stay in place.
    func rename(_ pairs: [(temporary: String, target: String)]) throws(OutputError) {
        try locked { () throws(OutputError) in
            for (k, p) in pairs.enumerated() {
                files.removeAll { $0 == p.temporary }
                guard posixRename(p.temporary, p.target) == 0 else {
                    let reason = lastError()
                    for q in pairs[k...] { unlink(q.temporary); files.removeAll { $0 == q.temporary } }
                    throw OutputError(path: p.target, reason: "rename failed (\(reason))", kind: .write)
                }
            }
        }
    }

    /// What is registered now (for tests).
    public var pending: (files: [String], directories: [String]) { locked { (files, directories) } }

    /// Deletes every registered temporary file and created directory (with whatever this
    /// command put in it), returning how many there were. Called on the way out of an
    /// interrupted process; leaves the registry empty, and holds the lock so no commit can
    /// start afterwards.
    @discardableResult
    public func removeAll() -> Int {
        locked { () -> Int in
            for f in files { unlink(f) }
            for d in directories { removeTree(d) }  // outermost first; inner ones are gone with it
            defer { files = []; directories = [] }
            return files.count + directories.count
        }
    }
}

func lastError() -> String { String(cString: strerror(errno)) }

/// Removes `path` and everything below it, never following a symbolic link (a link is
/// removed, not its target). Only ever called on directories this process created.
func removeTree(_ path: String) {
    var st = stat()
    guard lstat(path, &st) == 0 else { return }
    guard st.st_mode & S_IFMT == S_IFDIR else { unlink(path); return }
    if let dir = opendir(path) {
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { names.append(name) }
        }
        closedir(dir)
        for name in names { removeTree(path + "/" + name) }
    }
    rmdir(path)
}

// The POSIX calls whose Swift names clash with this file's methods.
#if canImport(Glibc)
@inline(__always) func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { Glibc.write(fd, p, n) }
@inline(__always) func posixRename(_ a: String, _ b: String) -> Int32 { Glibc.rename(a, b) }
#else
@inline(__always) func posixWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { Darwin.write(fd, p, n) }
@inline(__always) func posixRename(_ a: String, _ b: String) -> Int32 { Darwin.rename(a, b) }
#endif
