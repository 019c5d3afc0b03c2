#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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

    /// Puts a set's finished temporary files in place and deletes its stale files, all or
    /// nothing, under the lock (so an interrupt sees the set before or after, never half).
    ///
    /// Existing targets (and the stale files) are first renamed aside to hidden backup
    /// names in the same directory; then each temporary file is renamed over its target;
    /// only then are the backups deleted. A rename that fails at any point (the directory
    /// vanished, a directory appeared where a file goes) undoes every earlier step, so the
    /// directory ends as it was before the command, and the temporary files are deleted.
    func commit(_ pairs: [(temporary: String, target: String)], removing stale: [String] = [],
                renameStep: (String, String) -> Int32 = { posixRename($0, $1) }) throws(OutputError) {
        try locked { () throws(OutputError) in
            for p in pairs { files.removeAll { $0 == p.temporary } }
            var aside: [(original: String, backup: String)] = []
            var placed: [String] = []
            func undo() {
                for t in placed.reversed() { unlink(t) }
                for a in aside.reversed() { _ = posixRename(a.backup, a.original) }
                for p in pairs where !placed.contains(p.target) { unlink(p.temporary) }
            }
            for target in pairs.map(\.target) + stale {
                var st = stat()
                guard lstat(target, &st) == 0 else { continue }
                if st.st_mode & S_IFMT == S_IFDIR {
                    undo()
                    throw OutputError(path: target, reason: "expected a file, found a directory", kind: .location)
                }
                counter += 1
                let backup = Self.sibling(of: target, suffix: "\(getpid()).\(counter).old")
                guard renameStep(target, backup) == 0 else {
                    let reason = lastError()
                    undo()
                    throw OutputError(path: target, reason: "cannot move the old file aside (\(reason))", kind: .write)
                }
                aside.append((target, backup))
            }
            for p in pairs {
                guard renameStep(p.temporary, p.target) == 0 else {
                    let reason = lastError()
                    undo()
                    throw OutputError(path: p.target, reason: "rename failed (\(reason)); the directory was left as it was", kind: .write)
                }
                placed.append(p.target)
            }
            for a in aside { unlink(a.backup) }
        }
    }

    /// `dir/.name.suffix` for `dir/name`.
    static func sibling(of path: String, suffix: String) -> String {
        guard let slash = path.lastIndex(of: "/") else { return "." + path + "." + suffix }
        return path[...slash] + "." + path[path.index(after: slash)...] + "." + suffix
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
