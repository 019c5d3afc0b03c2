import Dispatch
import Foundation
import WargameReports
import WargameScenario

/// Runs independent pieces of work — replications — on `jobs` threads. Each replication has
/// its own pipeline and streams; results land in per-index slots, so completion order never
/// shows in any output, whatever `jobs` is. The first failure stops handing out work.
final class ParallelRuns<T>: @unchecked Sendable {
    private let lock = NSLock()
    private var next = 0
    private var completed = 0
    private var results: [T?]
    private var failure: Error?
    private var progress: Progress?

    private init(count: Int, progress: Progress?) {
        results = Array(repeating: nil, count: count)
        self.progress = progress
    }

    /// `body(i)` for every i in 0..<count, in parallel; the results in index order.
    static func map(count: Int, jobs: Int, progress: Progress?, _ body: @escaping @Sendable (Int) throws -> T) throws -> [T] {
        let box = ParallelRuns(count: count, progress: progress)
        DispatchQueue.concurrentPerform(iterations: max(1, min(jobs, count))) { _ in
            while let i = box.take() {
                do { box.store(i, try body(i)) } catch { box.fail(error) }
            }
        }
        return try box.finish()
    }

    private func take() -> Int? {
        lock.lock(); defer { lock.unlock() }
        guard failure == nil, next < results.count else { return nil }
        next += 1
        return next - 1
    }

    private func store(_ i: Int, _ value: T) {
        lock.lock(); defer { lock.unlock() }
        results[i] = value
        completed += 1
        progress?.update(completed)
    }

    private func fail(_ error: Error) {
        lock.lock(); defer { lock.unlock() }
        if failure == nil { failure = error }
    }

    private func finish() throws -> [T] {
        progress?.finish()
        if let failure { throw failure }
        return results.map { $0! }
    }
}

extension ParallelRuns where T == [String] {
    /// One `sweep.csv` row per seed.
    /// `logs` gives a seed's output set when the runs keep their logs (`--logs`).
    static func run(_ scenario: Scenario, seeds: [UInt64], steps: Int, jobs: Int, console: Console?,
                    logs: (@Sendable (UInt64) -> ScenarioRunner.Outputs)? = nil) throws -> [[String]] {
        let progress = console.map { Progress(label: "\(scenario.name) seeds", total: seeds.count, console: $0) }
        return try map(count: seeds.count, jobs: jobs, progress: progress) { i in
            SweepTable.row(seed: seeds[i], try ScenarioRunner.execute(scenario, seed: seeds[i], steps: steps, write: logs?(seeds[i])).report)
        }
    }
}
