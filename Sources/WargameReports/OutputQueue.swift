import Dispatch

/// A serial queue for output work done off the simulation's thread, with at most `limit`
/// blocks queued or running: the mechanism under `DecisionLogWriter` and
/// `BackgroundCSVWriter`.
///
/// Why one type: both need the same three guarantees — work runs in the order it was
/// queued (so files are what inline writing gives), the simulation waits instead of
/// queueing without bound (so memory stays flat), and an owner can wait for everything
/// queued before it closes or aborts the files the work writes to.
public final class OutputQueue: @unchecked Sendable {
    private let queue: DispatchQueue
    private let slots: DispatchSemaphore

    public init(label: String, limit: Int) {
        precondition(limit > 0, "OutputQueue: limit \(limit)")
        queue = DispatchQueue(label: label)
        slots = DispatchSemaphore(value: limit)
    }

    deinit { queue.sync {} }

    /// Queues `work`, first waiting while `limit` blocks are queued or running. When this
    /// returns, every block queued `limit` or more calls ago has finished.
    public func async(_ work: @escaping @Sendable () -> Void) {
        slots.wait()
        let slots = self.slots
        queue.async {
            work()
            slots.signal()
        }
    }

    /// Runs `work` after everything queued so far, and returns its result.
    public func sync<T>(_ work: () -> T) -> T { queue.sync(execute: work) }
}
