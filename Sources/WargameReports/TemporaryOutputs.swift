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
