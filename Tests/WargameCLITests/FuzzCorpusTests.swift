import Foundation
import Testing
@_spi(Fuzzing) @testable import WargameCLI

/// Every input under Tests/Fuzz/ — the seed corpus and each crash libFuzzer ever found —
/// replayed through the fuzz entry points on every test run, plus fixed-seed random
/// inputs, so the properties the fuzzers check are checked in CI without libFuzzer.
@Suite struct FuzzCorpusTests {
    static let root = packageRoot + "/Tests/Fuzz"
    static let baseline = [UInt8](FileManager.default.contents(atPath: packageRoot + "/scenarios/baseline.json")!)

    /// The target's files, and for `scenario` the shipped scenarios too (they seed it).
    static func inputs(_ target: String) -> [String] {
        func files(_ dir: String) -> [String] {
            ((try? FileManager.default.contentsOfDirectory(atPath: dir)) ?? []).sorted().map { dir + "/" + $0 }
        }
        // The shipped scenarios: every JSON file under scenarios/, subfolders included.
        func scenarios() -> [String] {
            let dir = packageRoot + "/scenarios"
            let all = (FileManager.default.enumerator(atPath: dir)?.allObjects as? [String]) ?? []
            return all.filter { $0.hasSuffix(".json") }.sorted().map { dir + "/" + $0 }
        }
        return files(root + "/" + target) + (target == "scenario" ? scenarios() : [])
    }

    func bytes(_ path: String) throws -> [UInt8] { [UInt8](try Data(contentsOf: URL(fileURLWithPath: path))) }

    @Test func everyTargetHasASeedCorpus() {
        for t in ["scenario", "http", "arguments", "monitoring"] { #expect(Self.inputs(t).count >= 5, "\(t)") }
    }

    /// Seeds are chosen and named; libFuzzer's own hash-named inputs belong in out/fuzz/.
    @Test func theCorpusHoldsNamedSeedsOnly() {
        for t in ["scenario", "http", "arguments", "monitoring"] {
            for path in Self.inputs(t) {
                let name = (path as NSString).lastPathComponent
                #expect(!(name.count == 40 && name.allSatisfy(\.isHexDigit)), "\(path) looks like a libFuzzer-generated input")
            }
        }
    }

    @Test(arguments: inputs("scenario")) func scenarioInput(path: String) throws {
        FuzzTargets.scenario(try bytes(path), baseline: Self.baseline)
    }

    @Test(arguments: inputs("http")) func httpInput(path: String) throws {
        FuzzTargets.http(try bytes(path))
    }

    @Test(arguments: inputs("arguments")) func argumentsInput(path: String) throws {
        FuzzTargets.arguments(try bytes(path))
    }

    @Test(arguments: inputs("monitoring")) func monitoringInput(path: String) throws {
        FuzzTargets.monitoring(try bytes(path))
    }

    /// Mutations of the seeds (byte flips, truncations, splices) on a fixed seed.
    @Test func mutatedSeedsNeverTrap() throws {
        var rng = SplitMix(seed: 2_026)
        for (target, run) in [("http", { (b: [UInt8]) in FuzzTargets.http(b) }), ("arguments", { FuzzTargets.arguments($0) }),
                              ("monitoring", { FuzzTargets.monitoring($0) }),
                              ("scenario", { FuzzTargets.scenario($0, baseline: Self.baseline) })] {
            let seeds = try Self.inputs(target).map(bytes)
            for _ in 0..<(target == "scenario" ? 150 : target == "monitoring" ? 500 : 1_500) {
                var b = seeds[Int(rng.next() % UInt64(seeds.count))]
                for _ in 0...(rng.next() % 4) where !b.isEmpty {
                    let i = Int(rng.next() % UInt64(b.count))
                    switch rng.next() % 3 {
                    case 0: b[i] = UInt8(truncatingIfNeeded: rng.next())
                    case 1: b = Array(b[..<i])
                    default: b.insert(contentsOf: seeds[Int(rng.next() % UInt64(seeds.count))].prefix(16), at: i)
                    }
                }
                run(b)
            }
        }
    }
}
