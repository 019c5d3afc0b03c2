import Foundation
import Testing
@testable import WargameMonitoring

/// `promtool` on this machine, if any (`make promtool-check` installs it).
let promtool: String? = ["/usr/bin/promtool", "/usr/local/bin/promtool"].first { FileManager.default.isExecutableFile(atPath: $0) }

func execute(_ program: String, _ args: [String], in directory: String) throws -> (status: Int32, output: String) {
    let p = Process()
    p.executableURL = URL(fileURLWithPath: program)
    p.arguments = args
    p.currentDirectoryURL = URL(fileURLWithPath: directory)
    let pipe = Pipe()
    p.standardOutput = pipe
    p.standardError = pipe
    try p.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    p.waitUntilExit()
    return (p.terminationStatus, String(decoding: data, as: UTF8.self))
}

@Suite struct PromtoolDifferentialTests {
    /// Generated expressions over the whole subset: Prometheus's engine fires exactly the
    /// alerts ours does (`make promtool-check` runs 2,000 more).
    @Test(.enabled(if: promtool != nil, "needs promtool (make promtool-check installs it)"), arguments: [1, 2] as [UInt64])
    func generatedExpressionsAgreeWithPromtool(seed: UInt64) throws {
        let d = try RulesDifferential(seed: seed, expressions: 250)
        #expect(d.expressions >= 200, "left out \(d.leftOut)")
        #expect(d.firingEvaluations > 0)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("promql-diff-\(seed)-\(getpid())").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try d.rules.write(toFile: dir + "/rules.yml", atomically: true, encoding: .utf8)
        try d.test.write(toFile: dir + "/test.yml", atomically: true, encoding: .utf8)
        let r = try execute(promtool!, ["test", "rules", "test.yml"], in: dir)
        #expect(r.status == 0, "\(r.output.prefix(6000))\n(kept in \(dir))")
        if r.status == 0 { try? FileManager.default.removeItem(atPath: dir) }
    }
}
