import WargameModels

/// Formats and writes the decision logs on a thread of their own, so a run's simulation
/// does not wait for them.
///
/// Why: with both logs written, formatting rows and the kernel's copy of them into the
/// page cache were about 40 % of a `wargame run` (perf, `bench run` of 10,000 steps: a
/// sweep, which writes no logs, simulates an order in 60 % of the time). The simulation
/// only needs the decision recorded; here it copies it (a plain 120-byte value) into a
/// batch, and a serial queue formats full batches in order while the simulation goes on.
///
/// Invariants, which keep the files byte-identical to formatting inline and memory flat:
/// - Batches are formatted in the order they filled, one at a time (a serial queue), by
///   the same `DecisionLog.record` as inline: the logs see the same decisions in the same order.
/// - Two batch buffers: the simulation fills one while the queue formats the other, and
///   waits for it to come back before refilling it (an `OutputQueue` of one). At most two
///   batches exist, however long the run.
/// - Only the queue touches the logs once the writer exists; `finish` reads their failure
///   after waiting for every batch. Dropping the writer waits for its batches too, so no
///   write is in flight when a failed run aborts its output files.
public final class DecisionLogWriter: @unchecked Sendable {
    public static let batchSize = 4_096

    /// The logs, owned by the queue's blocks (a separate box: the blocks must not keep
    /// the writer itself alive, or dropping it could not wait for them).
    private final class Logs: @unchecked Sendable {
        var logs: [DecisionLog]
        init(_ logs: [DecisionLog]) { self.logs = logs }
    }

    /// A filled buffer on its way to the queue, which has it alone until its block ends.
    private struct Batch: @unchecked Sendable { let base: UnsafeMutablePointer<Decision> }

    private let logs: Logs
    /// At most one batch queued or being formatted: when `async` returns for one buffer,
    /// the queue is done with the other, which the simulation then refills.
    private let queue = OutputQueue(label: "wargame.decision-logs", limit: 1)
    private let buffers: (UnsafeMutablePointer<Decision>, UnsafeMutablePointer<Decision>)
    /// Unchecked exclusivity: only the simulation's thread touches these, one call at a time.
    @exclusivity(unchecked) private var current: UnsafeMutablePointer<Decision>
    @exclusivity(unchecked) private var count = 0
    @exclusivity(unchecked) private var finished = false

    /// Takes over `logs` (the routing log and the events log, or either).
    public init(_ logs: [DecisionLog]) {
        precondition(_isPOD(Decision.self), "DecisionLogWriter copies decisions as raw values")
        self.logs = Logs(logs)
        buffers = (.allocate(capacity: Self.batchSize), .allocate(capacity: Self.batchSize))
        current = buffers.0
    }

    deinit {
        queue.sync {}  // the batches in flight read the buffers
        buffers.0.deallocate()
        buffers.1.deallocate()
    }

    /// Queues one decision for the logs.
    @inline(__always) public func record(_ d: Decision) {
        precondition(!finished, "DecisionLogWriter.record after finish")
        (current + count).initialize(to: d)
        count &+= 1
        if count == Self.batchSize { submit() }
    }

    /// Queues the current batch and switches to the other buffer, which the queue is done
    /// with once `submit` returns.
    private func submit() {
        let (batch, n, logs) = (Batch(base: current), count, self.logs)
        queue.async {
            for l in logs.logs.indices {
                for i in 0..<n { logs.logs[l].record(batch.base[i]) }
            }
        }
        current = current == buffers.0 ? buffers.1 : buffers.0
        count = 0
    }

    /// Formats what is queued, flushes the logs and returns their first write failure.
    /// Idempotent; `record` may not be called afterwards.
    @discardableResult public func finish() -> OutputError? {
        if !finished {
            finished = true
            if count > 0 { submit() }
        }
        let logs = self.logs
        return queue.sync {
            for l in logs.logs.indices { logs.logs[l].flush() }
            return logs.logs.lazy.compactMap(\.failure).first
        }
    }
}
