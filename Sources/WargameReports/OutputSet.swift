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
///
/// A commit is all-or-nothing even when a rename fails part-way: existing targets are moved
/// aside first and put back if any step fails (`TemporaryOutputs.commit`).
public final class OutputSet {
    public let directory: String
    private var files: [OutputFile] = []
    private var createdDirectories: [String] = []
    /// Files of an older output set in this directory that this set replaces without
    /// rewriting them (a report built from the old results): deleted by the commit.
    private var stale: [String] = []
    /// The rename each commit step goes through; a test replaces it to fail the n-th step.
    var renameStep: (String, String) -> Int32 = { posixRename($0, $1) }

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

    /// The set and file name for one output file the user named (`--junit FILE`): a
    /// directory there is refused before any work; a device, pipe or socket there, or a
    /// symbolic link (followed, since the user named it: `/dev/stdout`), is written
    /// directly at commit; anything else goes through a temporary file and a rename in the
    /// file's directory, which is created if missing.
    public static func forFile(_ path: String) throws(OutputError) -> (set: OutputSet, name: String) {
        let slash = path.lastIndex(of: "/")
        let name = String(slash.map { path[path.index(after: $0)...] } ?? path[...])
        let parent = slash.map { $0 == path.startIndex ? "/" : String(path[..<$0]) } ?? "."
        guard !name.isEmpty, name != ".", name != "..", !path.utf8.contains(0) else {
            throw OutputError(path: path, reason: "expected a file path, found " + (path.isEmpty ? "an empty string" : "a directory path"), kind: .location)
        }
        var st = stat()
        if lstat(path, &st) == 0 {
            var target = st
            if st.st_mode & S_IFMT == S_IFLNK && stat(path, &target) != 0 { target = st }
            if target.st_mode & S_IFMT == S_IFDIR {
                throw OutputError(path: path, reason: "expected a file, found a directory", kind: .location)
            }
            if st.st_mode & S_IFMT != S_IFREG {
                let set = OutputSet(unprobed: parent)
                set.files.append(OutputFile(directPath: parent == "/" ? "/" + name : parent + "/" + name))
                return (set, name)
            }
        }
        return (try OutputSet(directory: parent), name)
    }

    /// A set whose only file is direct: nothing is created in `directory`.
    private init(unprobed directory: String) { self.directory = directory }

    /// Opens `name` (a plain file name) inside the directory for writing. A directory
    /// standing where the file should go is a location error, found here, before any work.
    public func open(_ name: String) throws(OutputError) -> OutputFile {
        precondition(!name.isEmpty && !name.contains("/") && name != "." && name != "..", "not a plain file name: \(name)")
        let path = directory == "/" ? "/" + name : directory + "/" + name
        if let direct = files.first(where: { $0.direct && $0.path == path }) { return direct }
        var st = stat()
        if lstat(path, &st) == 0 {
            switch st.st_mode & S_IFMT {
            case S_IFDIR:
                throw OutputError(path: path, reason: "expected a file, found a directory", kind: .location)
            case S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK:
                let file = OutputFile(directPath: path)
                files.append(file)
                return file
            default:
                break  // a regular file or a link is replaced by the rename
            }
        }
        let file = try OutputFile(path: path, directory: directory, name: name)
        files.append(file)
        return file
    }

    /// Names files of an earlier output set in the directory that this set makes stale
    /// (e.g. `report.html`): each that exists is deleted by the commit, atomically with it.
    public func replaces(_ names: [String]) {
        stale += names.filter { n in !stale.contains(n) && !files.contains { $0.path.hasSuffix("/" + n) } }
    }

    /// Finishes every file (a direct one is written then), then renames them all into
    /// place and deletes the stale files: a file that fails to write stops the commit
    /// before any target is replaced, and a rename that fails puts every target back as
    /// it was. Returns the final paths.
    @discardableResult
    public func commitAll() throws(OutputError) -> [String] {
        do {
            for f in files { try f.finish() }
            let written = Set(files.map(\.path))
            let removals = stale.map { directory + "/" + $0 }.filter { !written.contains($0) }
            try TemporaryOutputs.shared.commit(files.filter { !$0.direct }.map { ($0.temporaryPath, $0.path) }, removing: removals,
                                               renameStep: renameStep)
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
