/// A CSV file whose rows are made and written on a serial queue, off the simulation's
/// thread.
///
/// Why: `kpi_timeseries.csv` gets a row per step, tens of fields per row (every provider
/// and shard) built as `String`s — about 5 % of a run's simulation thread by callgrind,
/// as much as its decision-log hand-off. The caller passes the row as a closure over the
/// step's values (copies), and the queue formats and writes it.
///
/// Invariants: rows are written in the order they were queued (a serial queue), so the
/// file is what writing inline gives; at most `inFlight` rows wait, so memory is bounded
/// however far the simulation runs ahead; the first write failure stops further writes and
/// is reported by `finish`. Dropping the writer waits for the rows in flight, so none is
/// being written when a failed run aborts its files.
public final class BackgroundCSVWriter: @unchecked Sendable {
    /// The writer and its first failure, touched only on the queue.
    private final class State: @unchecked Sendable {
        var csv: CSVWriter
        var failure: OutputError?
        init(_ csv: CSVWriter) { self.csv = csv }
    }

    private let state: State
    /// Dropped with the writer, it waits for the rows in flight (`OutputQueue`).
    private let queue: OutputQueue

    public init(_ csv: CSVWriter, inFlight: Int = 64) {
        state = State(csv)
        queue = OutputQueue(label: "wargame.csv-rows", limit: inFlight)
    }

    /// Queues the row `make` builds; waits while `inFlight` rows are already queued.
    public func writeRow(_ make: @escaping @Sendable () -> [String]) {
        let state = self.state
        queue.async {
            guard state.failure == nil else { return }
            do throws(OutputError) { try state.csv.writeRow(make()) } catch { state.failure = error }
        }
    }

    /// Waits for every queued row; throws the first write failure. Rows written so far.
    @discardableResult public func finish() throws(OutputError) -> Int {
        let state = self.state
        let (failure, rows) = queue.sync { (state.failure, state.csv.rowsWritten) }
        if let failure { throw failure }
        return rows
    }
}
