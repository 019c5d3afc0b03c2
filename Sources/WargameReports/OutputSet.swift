#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
