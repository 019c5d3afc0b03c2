import Foundation
import Testing
@testable import WargameCLI

/// docs/scaling.md's Kubernetes Indexed Job, read as a cluster would read it: the manifest
/// in the document is the one tested, so the recipe cannot drift from what is checked.
@Suite struct KubernetesManifestTests {
    /// The ```yaml block of the Kubernetes section, as two documents.
    func manifest() throws -> [String] {
        let doc = try String(contentsOfFile: packageRoot + "/docs/scaling.md", encoding: .utf8)
        guard let section = doc.range(of: "## On Kubernetes"),
              let open = doc.range(of: "```yaml\n", range: section.upperBound..<doc.endIndex),
              let close = doc.range(of: "\n```", range: open.upperBound..<doc.endIndex) else {
            Issue.record("docs/scaling.md has no yaml block in its Kubernetes section")
            return []
        }
        return doc[open.upperBound..<close.lowerBound].components(separatedBy: "\n---\n")
    }

    /// The value of `key: value` on the first line that has it (indentation ignored).
    func field(_ key: String, in yaml: String) -> String? {
        for line in yaml.split(separator: "\n") {
            let t = line.trimmingCharacters(in: .whitespaces)
            if t.hasPrefix(key + ":") {
                let value = t.dropFirst(key.count + 1).split(separator: "#")[0]
                return value.trimmingCharacters(in: .whitespaces)
            }
        }
        return nil
    }

    /// The container's shell command: the folded (`>-`) scalar under `args:`, joined with
    /// spaces as YAML folds it.
    func shardCommand(_ yaml: String) -> String? {
        let lines = yaml.components(separatedBy: "\n")
        guard let start = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces) == "- >-" }) else { return nil }
        let indent = lines[start].prefix { $0 == " " }.count
        var parts: [String] = []
        for line in lines[(start + 1)...] {
            guard line.prefix(while: { $0 == " " }).count > indent, !line.trimmingCharacters(in: .whitespaces).isEmpty else { break }
            parts.append(line.trimmingCharacters(in: .whitespaces))
        }
        return parts.joined(separator: " ")
    }

    /// Each pod's command as /bin/sh runs it, with JOB_COMPLETION_INDEX set and `wargame`
    /// standing in as a function that prints its arguments one per line.
    func arguments(of command: String, index: Int) throws -> [String] {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/sh")
        p.arguments = ["-c", "wargame() { for a in \"$@\"; do printf '%s\\n' \"$a\"; done; }; " + command]
        p.environment = ["JOB_COMPLETION_INDEX": String(index), "PATH": "/usr/bin:/bin"]
        let pipe = Pipe()
        p.standardOutput = pipe
        try p.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        #expect(p.terminationStatus == 0)
        return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init)
    }

    /// Indexes 0…N−1 become `--shard 1/N … N/N`, each exactly once, with N the Job's
    /// `completions`; each shard writes its own directory, and the merge Job's glob takes
    /// exactly those directories.
    @Test func indexesMapOntoEveryShardOnce() throws {
        let docs = try manifest()
        try #require(docs.count == 2)
        let (sweep, merge) = (docs[0], docs[1])
        #expect(field("kind", in: sweep) == "Job" && field("apiVersion", in: sweep) == "batch/v1")
        #expect(field("completionMode", in: sweep) == "Indexed")
        let n = try #require(field("completions", in: sweep).flatMap { Int($0) })
        #expect(n > 1)
        let command = try #require(shardCommand(sweep))
        var shards: [Int] = [], outs: [String] = []
        for index in 0..<n {
            let args = try arguments(of: command, index: index)
            #expect(args.first == "sweep")
            let shard = try #require(args.firstIndex(of: "--shard").map { args[$0 + 1] })
            let parts = shard.split(separator: "/").compactMap { Int($0) }
            try #require(parts.count == 2)
            #expect(parts[0] == index + 1 && parts[1] == n, "index \(index) → --shard \(shard)")
            // …and the CLI's own parser reads it so.
            let parsed = try SweepCommand.parseShard(shard)
            #expect(parsed?.index == index + 1 && parsed?.count == n)
            shards.append(parts[0])
            outs.append(try #require(args.firstIndex(of: "--out").map { args[$0 + 1] }))
        }
        #expect(shards.sorted() == Array(1...n))
        #expect(Set(outs).count == n, "each shard must write its own directory")

        let mergeCommand = try #require(merge.components(separatedBy: "\n").first { $0.contains("wargame merge") })
        let glob = try #require(mergeCommand.components(separatedBy: " ").first { $0.contains("*") })
        for out in outs { #expect(fnmatch(glob, out, 0) == 0, "\(out) is not matched by the merge's \(glob)") }
        #expect(fnmatch(glob, "/results/baseline-sweep", 0) != 0, "the merge's output must not match its own input glob")
        #expect(field("kind", in: merge) == "Job")
    }

    /// With a cluster reachable, kubectl itself accepts both Jobs. Without one it cannot
    /// check anything — `kubectl create --dry-run=client` still asks the API server for its
    /// resource list (and, validating, its OpenAPI schema) — so the test is skipped, saying
    /// why.
    @Test(.enabled(if: kubectlWithCluster, "needs kubectl and a reachable cluster: kubectl's client-side dry run still queries the API server"))
    func kubectlAcceptsTheManifest() throws {
        let file = scratchDirectory() + ".yaml"
        try manifest().joined(separator: "\n---\n").write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let r = try execute(kubectlPath!, ["create", "--dry-run=client", "-f", file, "-o", "name"])
        #expect(r.status == 0, "\(r.output)")
        #expect(r.output.contains("job.batch/wargame-sweep-baseline") && r.output.contains("job.batch/wargame-merge-baseline"))
    }
}

let kubectlPath: String? = ["/usr/bin/kubectl", "/usr/local/bin/kubectl"].first { FileManager.default.isExecutableFile(atPath: $0) }

/// kubectl is installed and answers with a server version within a few seconds.
let kubectlWithCluster: Bool = {
    guard let kubectl = kubectlPath else { return false }
    return (try? execute(kubectl, ["version", "--request-timeout=3s"]))?.status == 0
}()
