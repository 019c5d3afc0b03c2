#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing
@testable import WargameReports

/// An output set's commit is all or nothing: whatever stands in the way or fails part-way,
/// the directory ends as it was before the command, or with every new file.
@Suite struct CommitTests {
    func listing(_ dir: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() }
    func text(_ path: String) -> String? { FileManager.default.contents(atPath: path).map { String(decoding: $0, as: UTF8.self) } }

    /// A directory holding `a.csv`, `b.json` and `c.md` from an earlier command.
    func earlierOutputs() -> String {
        let dir = temporaryDirectory()
        for n in ["a.csv", "b.json", "c.md"] { #expect(FileManager.default.createFile(atPath: dir + "/" + n, contents: Data("old \(n)".utf8))) }
        return dir
    }

    func openAll(_ set: OutputSet) throws {
        for n in ["a.csv", "b.json", "c.md"] { try set.open(n).write("new \(n)") }
    }

    @Test func aDirectoryWhereAFileGoesIsRefusedWhenTheFileIsOpened() throws {
        let dir = earlierOutputs()
        try FileManager.default.createDirectory(atPath: dir + "/d.txt", withIntermediateDirectories: false)
        let set = try OutputSet(directory: dir)
        #expect(throws: OutputError(path: dir + "/d.txt", reason: "expected a file, found a directory", kind: .location)) {
            try set.open("d.txt")
        }
        set.abortAll()
        #expect(listing(dir) == ["a.csv", "b.json", "c.md", "d.txt"])
    }

    /// The directory appears after the files were opened: the commit has already moved the
    /// first targets aside when it finds it, and puts them back.
    @Test func aDirectoryAppearingBeforeTheCommitLeavesEverythingAsItWas() throws {
        let dir = earlierOutputs()
        let set = try OutputSet(directory: dir)
        try openAll(set)
        try FileManager.default.removeItem(atPath: dir + "/c.md")
        try FileManager.default.createDirectory(atPath: dir + "/c.md", withIntermediateDirectories: false)
        #expect(throws: OutputError(path: dir + "/c.md", reason: "expected a file, found a directory", kind: .location)) { try set.commitAll() }
        #expect(listing(dir) == ["a.csv", "b.json", "c.md"])
        for n in ["a.csv", "b.json"] { #expect(text(dir + "/" + n) == "old \(n)") }
        #expect(listing(dir + "/c.md").isEmpty)
    }

    /// Every step of a commit is a rename; failing the k-th of them, for every k, must
    /// leave the earlier files in place, the stale file back, and no hidden file behind.
    @Test(arguments: 1...7)
    func aRenameFailingAtAnyStepPutsEveryTargetBack(failing step: Int) throws {
        let dir = earlierOutputs()
        #expect(FileManager.default.createFile(atPath: dir + "/report.html", contents: Data("old report".utf8)))
        let set = try OutputSet(directory: dir)
        try openAll(set)
        set.replaces(["report.html"])
        var calls = 0
        set.renameStep = { a, b in
            calls += 1
            if calls == step { errno = EIO; return -1 }
            return rename(a, b)
        }
        // Steps: three targets and the stale report moved aside (1–4), three files placed (5–7).
        do {
            try set.commitAll()
            Issue.record("a failed rename went unnoticed at step \(step)")
        } catch {
            #expect(error.kind == .write)
            #expect(error.reason.contains("Input/output error"), "\(error)")
        }
        #expect(listing(dir) == ["a.csv", "b.json", "c.md", "report.html"])
        for n in ["a.csv", "b.json", "c.md"] { #expect(text(dir + "/" + n) == "old \(n)") }
        #expect(text(dir + "/report.html") == "old report")
        #expect(!TemporaryOutputs.shared.pending.files.contains { $0.hasPrefix(dir) })
    }

    @Test func aSuccessfulCommitReplacesEveryFileAndRemovesTheStaleOnes() throws {
        let dir = earlierOutputs()
        #expect(FileManager.default.createFile(atPath: dir + "/report.html", contents: Data("old report".utf8)))
        let set = try OutputSet(directory: dir)
        try set.open("a.csv").write("new a.csv")
        set.replaces(["report.html", "c.md", "absent.txt"])
        try set.commitAll()
        #expect(listing(dir) == ["a.csv", "b.json"])
        #expect(text(dir + "/a.csv") == "new a.csv")
        #expect(text(dir + "/b.json") == "old b.json")
    }

    /// A file the set writes itself is never also deleted as stale.
    @Test func aFileTheSetWritesIsNotStale() throws {
        let dir = earlierOutputs()
        let set = try OutputSet(directory: dir)
        try set.open("c.md").write("new c.md")
        set.replaces(["c.md"])
        try set.commitAll()
        #expect(text(dir + "/c.md") == "new c.md")
    }

    // MARK: files the user names (--junit FILE)

    @Test func aNamedFileIsWrittenAtomicallyIntoItsDirectory() throws {
        let dir = temporaryDirectory()
        let (set, name) = try OutputSet.forFile(dir + "/reports/junit.xml")
        try set.open(name).write("<x/>")
        #expect(try set.commitAll() == [dir + "/reports/junit.xml"])
        #expect(text(dir + "/reports/junit.xml") == "<x/>")
    }

    @Test(arguments: ["", "dir/", ".", "..", "a/.."])
    func aPathThatNamesNoFileIsALocationError(path: String) {
        #expect(throws: OutputError.self) { try OutputSet.forFile(path) }
    }

    @Test func aDirectoryIsNotAFile() throws {
        let dir = temporaryDirectory()
        #expect(throws: OutputError(path: dir, reason: "expected a file, found a directory", kind: .location)) { try OutputSet.forFile(dir) }
    }

    /// `/dev/full` takes the open but fails the write: the failure is reported, and the
    /// device node is still a device (a rename over it, as root, would have replaced it).
    @Test func aFullDeviceIsAWriteErrorAndStaysADevice() throws {
        let (set, name) = try OutputSet.forFile("/dev/full")
        try set.open(name).write("<testsuites/>")
        #expect(throws: OutputError(path: "/dev/full", reason: "write failed (No space left on device)", kind: .write)) { try set.commitAll() }
        var st = stat()
        #expect(stat("/dev/full", &st) == 0 && st.st_mode & S_IFMT == S_IFCHR)
        #expect(!listing("/dev").contains { $0.hasSuffix(".partial") })
    }

    @Test func aNamedPipeGetsTheContentWhenTheSetCommits() throws {
        let dir = temporaryDirectory()
        let fifo = dir + "/pipe"
        #expect(mkfifo(fifo, 0o600) == 0)
        let (set, name) = try OutputSet.forFile(fifo)
        try set.open(name).write("through the pipe")
        nonisolated(unsafe) var received: [UInt8] = []
        let done = DispatchSemaphore(value: 0)
        Thread {
            let fd = open(fifo, O_RDONLY)
            var buffer = [UInt8](repeating: 0, count: 256)
            while fd >= 0 {
                let n = read(fd, &buffer, buffer.count)
                if n <= 0 { break }
                received += buffer[0..<n]
            }
            close(fd)
            done.signal()
        }.start()
        try set.commitAll()
        #expect(done.wait(timeout: .now() + 10) == .success)
        #expect(String(decoding: received, as: UTF8.self) == "through the pipe")
        #expect(listing(dir) == ["pipe"])
    }

    /// A link the user names is written through (`--junit /dev/stdout`); a link inside an
    /// output directory is replaced instead, never followed (it could point anywhere).
    @Test func namedLinksAreFollowedButLinksInAnOutputDirectoryAreReplaced() throws {
        let dir = temporaryDirectory()
        #expect(FileManager.default.createFile(atPath: dir + "/target", contents: Data("old, longer text".utf8)))
        try FileManager.default.createSymbolicLink(atPath: dir + "/named", withDestinationPath: dir + "/target")
        let (named, name) = try OutputSet.forFile(dir + "/named")
        try named.open(name).write("new")
        try named.commitAll()
        #expect(text(dir + "/target") == "new")

        try FileManager.default.createSymbolicLink(atPath: dir + "/inside", withDestinationPath: dir + "/target")
        let set = try OutputSet(directory: dir)
        try set.open("inside").write("replaced")
        try set.commitAll()
        #expect(text(dir + "/target") == "new")
        #expect(text(dir + "/inside") == "replaced")
        #expect((try? FileManager.default.destinationOfSymbolicLink(atPath: dir + "/inside")) == nil)
    }
}

@Suite struct InputFileTests {
    @Test func onlyRegularFilesAreRead() throws {
        let dir = temporaryDirectory()
        #expect(mkfifo(dir + "/fifo", 0o600) == 0)
        #expect(FileManager.default.createFile(atPath: dir + "/file", contents: Data("ok".utf8)))
        #expect(try InputFile.text(dir + "/file").get() == "ok")
        // Each returns at once: a pipe without a writer would block a plain open for ever.
        #expect(InputFile.read(dir + "/fifo", limit: 100) == .failure(.notRegular("a named pipe")))
        #expect(InputFile.read("/dev/zero", limit: 100) == .failure(.notRegular("a character device")))
        #expect(InputFile.read(dir, limit: 100) == .failure(.directory))
        #expect(InputFile.read(dir + "/none", limit: 100) == .failure(.missing))
        #expect(InputFile.read(dir + "/file", limit: 1) == .failure(.tooLarge(limit: 1)))
    }
}
