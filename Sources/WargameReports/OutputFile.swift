import Foundation

/// A failure to write an output; the CLI reports it and exits with the I/O error code.
public struct OutputError: Error, CustomStringConvertible, Sendable {
    public let path: String
    public let reason: String
    public var description: String { "\(path): \(reason)" }
}

/// An output file written atomically: bytes go to a hidden temporary file beside the
/// target and are renamed over it on `commit()`, so a reader (or a crashed run) never sees
/// a half-written file. Writes are buffered in 64 KiB chunks so long runs stream to disk
/// with flat memory.
///
/// A class because it owns an open file handle; dropping it uncommitted removes the temp.
public final class OutputFile {
    public let path: String
    let temporaryPath: String
    private var handle: FileHandle?
    private var buffer: [UInt8] = []
    private static let flushThreshold = 1 << 20

    /// Creates the directory if needed and opens the temporary file.
    public init(path: String) throws(OutputError) {
        self.path = path
        let url = URL(fileURLWithPath: path)
        let dir = url.deletingLastPathComponent().path
        temporaryPath = dir + "/." + url.lastPathComponent + ".partial"
        do {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        } catch {
            throw OutputError(path: dir, reason: "cannot create directory (\(error.localizedDescription))")
        }
        guard FileManager.default.createFile(atPath: temporaryPath, contents: nil),
              let h = FileHandle(forWritingAtPath: temporaryPath) else {
            throw OutputError(path: path, reason: "cannot open for writing")
        }
        handle = h
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
        guard let handle, !buffer.isEmpty else { return }
        do {
            try handle.write(contentsOf: buffer)
        } catch {
            throw OutputError(path: path, reason: "write failed (\(error.localizedDescription))")
        }
        buffer.removeAll(keepingCapacity: true)
    }

    /// Flushes, closes and renames the temporary file over `path`.
    public func commit() throws(OutputError) {
        try flush()
        do { try handle?.close() } catch {
            throw OutputError(path: path, reason: "close failed (\(error.localizedDescription))")
        }
        handle = nil
        if rename(temporaryPath, path) != 0 {
            let reason = String(cString: strerror(errno))
            try? FileManager.default.removeItem(atPath: temporaryPath)
            throw OutputError(path: path, reason: "rename failed (\(reason))")
        }
    }

    /// Closes and deletes the temporary file; the target is left as it was. Idempotent.
    public func abort() {
        guard let h = handle else { return }
        try? h.close()
        handle = nil
        try? FileManager.default.removeItem(atPath: temporaryPath)
    }
}

/// The set of files one command writes: all are committed together at the end, or all are
/// discarded, so a failed or interrupted run leaves no partial outputs behind.
public final class OutputSet {
    public let directory: String
    private var files: [OutputFile] = []

    public init(directory: String) { self.directory = directory }

    /// Opens `name` inside the directory for writing.
    public func open(_ name: String) throws(OutputError) -> OutputFile {
        let file = try OutputFile(path: directory + "/" + name)
        files.append(file)
        return file
    }

    /// Commits every file, in the order opened. Returns their final paths.
    @discardableResult
    public func commitAll() throws(OutputError) -> [String] {
        for f in files { try f.commit() }
        return files.map(\.path)
    }

    /// Discards every uncommitted file.
    public func abortAll() { for f in files { f.abort() } }
}
