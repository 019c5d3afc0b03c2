import SimKernel

/// Other applications' messages on a bridge's relayers: a Poisson stream (exponential gaps)
/// of lognormal relay work, on its own random stream.
///
/// This traffic is most of a run's draws (about 20 background messages per order in the
/// baseline), so it is drawn the cheap way: through quantile tables (`QuantileTable`: the
/// same inversion draws as `LogNormal.sample` and `Exponential.sample`, interpolated to
/// within 2e-8), in one tight loop that draws a message and queues it. The sequence of
/// messages does not depend on anything the simulation does; per message the draws are,
/// in order, its work and then the gap to the next.
struct BackgroundTraffic: Sendable {
    /// 1/rate in microseconds: gaps multiply by it (a division was a tenth of the loop).
    let meanGapMicroseconds: Double
    let work: LogNormal
    let workTable: QuantileTable
    let gapTable: QuantileTable
    var rng: Xoshiro256StarStar
    /// Arrival time of the next message (µs), or `Int64.max` without traffic.
    var nextArrival: Int64

    init(rate: Double, work: LogNormal, rng: Xoshiro256StarStar) {
        self.work = work
        workTable = QuantileTableCache.shared.table(for: work)
        gapTable = Exponential.unitTable
        self.rng = rng
        nextArrival = .max
        meanGapMicroseconds = rate > 0 ? 1e6 / rate : 0
        if rate > 0 { nextArrival = Self.gap(meanGapMicroseconds, &self.rng, gapTable) }
    }

    /// Gap to the next message: exponential with mean 1/rate, rounded to the microsecond.
    @inline(__always) static func gap(_ mean: Double, _ rng: inout Xoshiro256StarStar, _ table: QuantileTable) -> Int64 {
        let u = rng.nextOpenClosedDouble()
        return SimDuration(roundingMicroseconds: (table.value(at: u) ?? -CMath.ln(u)) * mean).microseconds
    }

    /// Queues on `relayers` every message that arrives at or before `t`, its work scaled by
    /// `multiplier`. One pass over the relayers' free times for the whole batch, with the
    /// generator and the next arrival in registers.
    mutating func drain(through t: SimTime, into relayers: inout RelayerQueue, multiplier: Double) {
        guard nextArrival <= t.microseconds else { return }
        let limit = t.microseconds
        let (mean, work, workTable, gapTable) = (meanGapMicroseconds, self.work, self.workTable, self.gapTable)
        var rng = self.rng
        var next = nextArrival
        relayers.withFreeTimes { free in
            // Copies local to the closure: captured variables live in memory, and the
            // generator's four words were loaded and stored on every draw. (Reading `self`
            // here instead of the outer copies measured worse: 331.7 M against 329.4 M
            // instructions for a 5-seed sweep.)
            var r = rng, n = next
            while n <= limit {
                let arrival = n
                let w = SimDuration(seconds: work.sample(&r, table: workTable) * multiplier).microseconds
                let (sum, overflow) = arrival.addingReportingOverflow(Self.gap(mean, &r, gapTable))
                n = overflow ? .max : sum
                RelayerQueue.serve(arrival: arrival, work: w, on: free)
            }
            (rng, next) = (r, n)
        }
        self.rng = rng
        nextArrival = next
    }
}
