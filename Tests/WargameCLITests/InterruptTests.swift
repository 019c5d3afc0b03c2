#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation
import Testing

/// Every terminating signal during commands that write files — SIGINT, SIGTERM, SIGHUP,
/// SIGQUIT, SIGUSR1, SIGUSR2 — stops the child promptly with exit 128 + n and leaves the
/// output location exactly as it was; so does a standard output that fails.
@Suite struct InterruptTests {
    struct Outcome { let status: Int32; let stderr: String; let secondsAfterSignal: Double }

    /// Starts `wargame args`, waits (at most 20 s) until `ready` says the command is at
    /// work, sends `sig`, and waits (at most 10 s) for it to exit.
    func interrupt(_ args: [String], with sig: Int32, scratch: String, ready: () -> Bool) throws -> Outcome? {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: wargameBinary())
        p.arguments = args
        p.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
        _ = FileManager.default.createFile(atPath: scratch + "/stdout", contents: nil)
        _ = FileManager.default.createFile(atPath: scratch + "/stderr", contents: nil)
        p.standardOutput = FileHandle(forWritingAtPath: scratch + "/stdout")
        p.standardError = FileHandle(forWritingAtPath: scratch + "/stderr")
        try p.run()
        defer { if p.isRunning { kill(p.processIdentifier, SIGKILL); p.waitUntilExit() } }
        let started = Date()
        while !ready() {
            guard p.isRunning, Date().timeIntervalSince(started) < 20 else {
                Issue.record("never ready: \(args) running=\(p.isRunning) status=\(p.isRunning ? -1 : p.terminationStatus) after \(Date().timeIntervalSince(started))")
                return nil
            }
            Thread.sleep(forTimeInterval: 0.02)
        }
        let signalled = Date()
        kill(p.processIdentifier, sig)
        while p.isRunning && Date().timeIntervalSince(signalled) < 10 { Thread.sleep(forTimeInterval: 0.01) }
        guard !p.isRunning else {
            Issue.record("still running 10 s after the signal: \(args)")
            return nil
        }
        let err = (try? String(contentsOfFile: scratch + "/stderr", encoding: .utf8)) ?? ""
        return Outcome(status: p.terminationStatus, stderr: err, secondsAfterSignal: Date().timeIntervalSince(signalled))
    }

    func scratch() throws -> String {
        let dir = scratchDirectory()
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        return dir
    }

    func listing(_ dir: String) -> [String] { ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted() }

    func hasPartialFile(_ dir: String) -> Bool { listing(dir).contains { $0.hasSuffix(".partial") } }

    static let names: [Int32: String] = [SIGINT: "SIGINT", SIGTERM: "SIGTERM", SIGHUP: "SIGHUP", SIGQUIT: "SIGQUIT", SIGUSR1: "SIGUSR1", SIGUSR2: "SIGUSR2"]

    @Test(arguments: [SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGUSR1, SIGUSR2])
    func anInterruptedRunRemovesTheDirectoryItCreated(sig: Int32) throws {
        let dir = try scratch()
        let out = dir + "/fresh/run"
        let outcome = try #require(try interrupt(["run", "scenarios/baseline.json", "--steps", "1000000", "--out", out], with: sig,
                                                 scratch: dir) { hasPartialFile(out) })
        #expect(outcome.status == 128 + sig)
        #expect(outcome.stderr.contains("wargame: interrupted by \(Self.names[sig]!)"), "\(outcome.stderr)")
        #expect(outcome.secondsAfterSignal < 5)
        #expect(listing(dir) == ["stderr", "stdout"])
    }

    @Test func anInterruptedRunLeavesAnEarlierRunsOutputsUntouched() throws {
        let dir = try scratch()
        let out = dir + "/out"
        #expect(try spawn(["run", "scenarios/baseline.json", "--steps", "3", "--out", out]) == 0)
        let before = try contents(out)
        let outcome = try #require(try interrupt(["run", "scenarios/baseline.json", "--steps", "1000000", "--out", out], with: SIGTERM,
                                                 scratch: dir) { hasPartialFile(out) })
        #expect(outcome.status == 143)
        #expect(try contents(out) == before)
    }

    @Test(arguments: [SIGINT, SIGTERM, SIGHUP])
    func anInterruptedSweepWritesNothing(sig: Int32) throws {
        let dir = try scratch()
        let out = dir + "/sweep"
        let outcome = try #require(try interrupt(["sweep", "scenarios/baseline.json", "--seeds", "1..100000", "--jobs", "2", "--out", out],
                                                 with: sig, scratch: dir) { FileManager.default.fileExists(atPath: out) })
        #expect(outcome.status == 128 + sig)
        #expect(outcome.secondsAfterSignal < 5)
        #expect(listing(dir) == ["stderr", "stdout"])
    }

    @Test func anInterruptedCheckRemovesItsRulesTests() throws {
        let dir = try scratch()
        let out = dir + "/rules"
        // Signalled once some runs have committed their files inside the pending directory.
        let outcome = try #require(try interrupt(["check", "scenarios", "--rules-test", out], with: SIGINT, scratch: dir) {
            listing(out).count >= 2
        })
        #expect(outcome.status == 130)
        #expect(listing(dir) == ["stderr", "stdout"])
    }

    @Test(arguments: [SIGINT, SIGTERM])
    func theServerStopsPromptly(sig: Int32) throws {
        let dir = try scratch()
        let outcome = try #require(try interrupt(["serve", "scenarios/baseline.json", "--port", "0", "--service-port", "0", "--speed", "1"], with: sig, scratch: dir) {
            ((try? String(contentsOfFile: dir + "/stdout", encoding: .utf8)) ?? "").contains("serving http://")
        })
        #expect(outcome.status == 128 + sig)
        #expect(outcome.secondsAfterSignal < 2)
    }

    /// The reader of standard output goes away (`wargame run | head -1`): the command
    /// stops like a signalled one (exit 141, quietly), and leaves no temporary file.
    @Test func aClosedStandardOutputLeavesNoTemporaryFiles() throws {
        let dir = try scratch()
        let out = dir + "/out"
        let p = Process()
        p.executableURL = URL(fileURLWithPath: wargameBinary())
        p.arguments = ["sweep", "scenarios/baseline.json", "--seeds", "1..4", "--steps", "5", "--jobs", "1", "--out", out]
        p.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
        let pipe = Pipe()
        p.standardOutput = pipe
        p.standardError = FileHandle.nullDevice
        try pipe.fileHandleForReading.close()
        try p.run()
        p.waitUntilExit()
        #expect(p.terminationStatus == 141)
        #expect(!listing(out).contains { $0.hasPrefix(".") })
    }

    /// Standard output on a full disk: the results it should have shown are lost, so the
    /// command says so and exits 3 even though everything else succeeded.
    @Test func aFullStandardOutputIsAnError() throws {
        let dir = try scratch()
        let p = Process()
        p.executableURL = URL(fileURLWithPath: wargameBinary())
        p.arguments = ["run", "scenarios/baseline.json", "--steps", "3", "--out", dir + "/out"]
        p.currentDirectoryURL = URL(fileURLWithPath: packageRoot)
        p.standardOutput = FileHandle(forWritingAtPath: "/dev/full")
        let err = Pipe()
        p.standardError = err
        try p.run()
        let message = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        p.waitUntilExit()
        #expect(p.terminationStatus == 3)
        #expect(message == "Error: cannot write standard output (No space left on device); what it should have shown is lost\n")
    }
}
