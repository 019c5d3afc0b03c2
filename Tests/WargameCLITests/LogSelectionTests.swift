import Foundation
import Testing
@testable import WargameCLI

/// `--logs`: which decision logs a run keeps, and a sweep's or study's per-run outputs.
@Suite struct LogSelectionTests {
    let baseline = packageRoot + "/scenarios/baseline.json"
    let kpiFiles = ["actions.csv", "alerts.csv", "kpi_summary.json", "kpi_summary.md", "kpi_timeseries.csv", "metrics.prom"]

    @Test func aRunWritesTheLogsItIsAskedFor() throws {
        let dir = scratchDirectory()
        var sizes: [LogSelection: Int] = [:]
        var kpis: [String: Data]?
        // Each writes into the same directory: a narrower choice removes the earlier run's logs.
        for (selection, logs) in [(LogSelection.all, ["order_events.csv", "routing_decisions.csv"]), (.decisions, ["routing_decisions.csv"]), (.none, [])] {
            let r = runCLI(["run", baseline, "--steps", "10", "--logs", selection.rawValue, "--out", dir])
            #expect(r.code == .success, "\(r.err)")
            let files = try contents(dir)
            #expect(files.keys.sorted() == (kpiFiles + logs).sorted(), "\(selection): \(files.keys.sorted())")
            sizes[selection] = files.values.reduce(0) { $0 + $1.count }
            // The KPI files do not depend on which logs were kept.
            let these = files.filter { kpiFiles.contains($0.key) }
            if let kpis { #expect(these == kpis) } else { kpis = these }
        }
        #expect(sizes[.all]! > sizes[.decisions]! && sizes[.decisions]! > sizes[.none]!)
        // The default is every log, as before the option.
        #expect(runCLI(["run", baseline, "--steps", "10", "--out", dir]).code == .success)
        #expect(try contents(dir).count == kpiFiles.count + 2)
    }

    @Test func anUnknownSelectionIsAUsageError() {
        for command in [["run", baseline], ["sweep", baseline, "--seeds", "1..2"], ["study", baseline, "--vary", "policy.workers=2,3", "--seeds", "1..2"]] {
            let r = runCLI(command + ["--logs", "some", "--out", scratchDirectory()])
            #expect(r.code == .badInput && r.err.contains("'--logs'") && r.err.contains("all, decisions, none"), "\(r.err)")
        }
    }

    /// A sweep's per-seed outputs are exactly what `run --seed N` writes, whatever the jobs.
    @Test func aSweepKeepsEachSeedsOutputsAsARunWouldWriteThem() throws {
        let a = scratchDirectory(), b = scratchDirectory(), single = scratchDirectory()
        #expect(runCLI(["sweep", baseline, "--seeds", "1..4", "--steps", "6", "--jobs", "1", "--logs", "decisions", "--out", a]).code == .success)
        #expect(runCLI(["sweep", baseline, "--seeds", "1..4", "--steps", "6", "--jobs", "3", "--logs", "decisions", "--out", b]).code == .success)
        #expect(try FileManager.default.contentsOfDirectory(atPath: a + "/runs").sorted() == ["seed-1", "seed-2", "seed-3", "seed-4"])
        #expect(runCLI(["run", baseline, "--seed", "3", "--steps", "6", "--logs", "decisions", "--out", single]).code == .success)
        #expect(try contents(a + "/runs/seed-3") == contents(single))
        for seed in 1...4 { #expect(try contents(a + "/runs/seed-\(seed)") == contents(b + "/runs/seed-\(seed)")) }
        // Nothing staged is left behind.
        #expect(try FileManager.default.contentsOfDirectory(atPath: a).filter { $0.hasPrefix(".") }.isEmpty)
        // A sweep without logs into the same directory removes the old runs with the old results.
        #expect(runCLI(["sweep", baseline, "--seeds", "1..2", "--steps", "6", "--out", a]).code == .success)
        #expect(!FileManager.default.fileExists(atPath: a + "/runs"))
    }

    @Test func aStudyKeepsEachRunsOutputs() throws {
        let dir = scratchDirectory()
        let r = runCLI(["study", baseline, "--vary", "policy.workers=2,3", "--seeds", "1..2", "--steps", "4", "--logs", "all", "--out", dir])
        #expect(r.code == .success, "\(r.err)")
        let runs = try FileManager.default.contentsOfDirectory(atPath: dir + "/runs").sorted()
        #expect(runs == ["point-1-seed-1", "point-1-seed-2", "point-2-seed-1", "point-2-seed-2"])
        #expect(try contents(dir + "/runs/point-2-seed-1").keys.contains("order_events.csv"))
    }

    /// `DIR/runs` belongs to the sweep: anything else there is refused before a run, untouched.
    @Test func aForeignEntryInRunsIsRefusedAndKept() throws {
        let dir = scratchDirectory()
        try FileManager.default.createDirectory(atPath: dir + "/runs/notes", withIntermediateDirectories: true)
        for logs in ["none", "decisions"] {
            let r = runCLI(["sweep", baseline, "--seeds", "1..2", "--steps", "4", "--logs", logs, "--out", dir])
            #expect(r.code == .badInput && r.err.contains("runs/notes"), "\(r.err)")
            #expect(try FileManager.default.contentsOfDirectory(atPath: dir).sorted() == ["runs"])
            #expect(FileManager.default.fileExists(atPath: dir + "/runs/notes"))
        }
    }
}
