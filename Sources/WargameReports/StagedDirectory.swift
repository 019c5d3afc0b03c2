#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A directory of many output sets (a sweep's per-run logs, `DIR/runs/seed-7/…`) that
/// replaces its predecessor as a whole, so the runs beside a sweep's summary are always
/// that sweep's runs.
///
/// The runs are written into `DIR/.runs.<pid>.partial`, registered with
/// `TemporaryOutputs` so a failure or a signal removes it; `commit` swaps it in for the
/// old `DIR/runs` (two renames, then the old tree is deleted). The target belongs to the
/// command: only a directory holding nothing but `seed-*` and `point-*` entries is ever
/// replaced or removed, anything else there is refused before a run starts.
public final class StagedDirectory {
    public let target: String
    public let staging: String

    /// Stages `parent/name`; `parent` must exist (the command's output set made it).
    public init(parent: String, name: String) throws(OutputError) {
        target = parent + "/" + name
        staging = parent + "/." + name + ".\(getpid()).partial"
        try Self.requireReplaceable(target)
        removeTree(staging)  // a leftover of this very pid cannot be live
        guard mkdir(staging, 0o755) == 0 else {
            throw OutputError(path: staging, reason: "cannot create the directory (errno \(errno))", kind: .location)
        }
        TemporaryOutputs.shared.register(directories: [staging])
    }

    deinit { abort() }

    /// Removes `parent/name` if it is a directory of run logs (the stale runs of an earlier
    /// command); refuses one that holds anything else.
    public static func removeStale(parent: String, name: String) throws(OutputError) {
        let path = parent + "/" + name
        try requireReplaceable(path)
        removeTree(path)
    }

    /// Swaps the staged runs in for the old ones.
    public func commit() throws(OutputError) {
        let old = staging + ".old"
        var st = stat()
        let hadOld = lstat(target, &st) == 0
        if hadOld && rename(target, old) != 0 {
            throw OutputError(path: target, reason: "cannot move the old run logs aside (errno \(errno))", kind: .write)
        }
        guard rename(staging, target) == 0 else {
            let e = errno
            if hadOld { _ = rename(old, target) }
            throw OutputError(path: target, reason: "cannot move the run logs into place (errno \(e))", kind: .write)
        }
        TemporaryOutputs.shared.unregister(directories: [staging])
        if hadOld { removeTree(old) }
    }

    /// Deletes the staged runs. Idempotent.
    public func abort() {
        removeTree(staging)
        TemporaryOutputs.shared.unregister(directories: [staging])
    }

    /// Refuses, before any run, a `parent/name` this command may not replace.
    public static func check(parent: String, name: String) throws(OutputError) { try requireReplaceable(parent + "/" + name) }

    private static func requireReplaceable(_ path: String) throws(OutputError) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        guard st.st_mode & S_IFMT == S_IFDIR, let dir = opendir(path) else {
            throw OutputError(path: path, reason: "expected the directory of run logs this command writes, found something else", kind: .location)
        }
        defer { closedir(dir) }
        while let entry = readdir(dir) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name == "." || name == ".." || name.hasPrefix("seed-") || name.hasPrefix("point-") { continue }
            throw OutputError(path: path + "/" + name,
                              reason: "expected only the run logs this command writes (seed-*, point-*), found another entry; move it away or choose another --out",
                              kind: .location)
        }
    }
}
