import SimKernel

/// Other applications' messages on a bridge's relayers: a Poisson stream (exponential gaps)
/// of lognormal relay work, on its own random stream.
///
/// This traffic is most of a run's draws (about 20 background messages per order in the
/// baseline), so it is drawn the cheap way: through quantile tables (`QuantileTable`: the
/// same inversion draws as `LogNormal.sample` and `Exponential.sample`, interpolated to
/// within 2e-8), and ahead in blocks of 64 — the sequence of messages does not depend on
/// anything the simulation does, so a block gives the same messages as drawing each when
/// it is needed. Per message the draws are, in order, its work and then the gap to the next.
struct BackgroundTraffic: Sendable {
    static let blockSize = 64
    /// 1/rate in microseconds: gaps multiply by it (a division was a tenth of the loop).
    let meanGapMicroseconds: Double
    let work: LogNormal
    let workTable: QuantileTable
    let gapTable: QuantileTable
    var rng: Xoshiro256StarStar
    /// Arrival time of the next message (µs), or `Int64.max` without traffic.
    var nextArrival: Int64
    /// The current block: unscaled work (seconds) and the gap after each message (µs).
    var works: [Double]
    var gaps: [Int64]
    var position: Int

    init(rate: Double, work: LogNormal, rng: Xoshiro256StarStar) {
        self.work = work
        workTable = QuantileTableCache.shared.table(for: work)
        gapTable = Exponential.unitTable
        self.rng = rng
        works = Array(repeating: 0, count: Self.blockSize)
        gaps = Array(repeating: 0, count: Self.blockSize)
        position = Self.blockSize
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
    /// `multiplier`. One pass over the relayers' free times for the whole batch.
    mutating func drain(through t: SimTime, into relayers: inout RelayerQueue, multiplier: Double) {
        guard nextArrival <= t.microseconds else { return }
        let limit = t.microseconds
        relayers.withFreeTimes { free in
            while nextArrival <= limit {
                if position == Self.blockSize { refill() }
                let arrival = nextArrival
                let work = SimDuration(seconds: works[position] * multiplier).microseconds
                let (sum, overflow) = arrival.addingReportingOverflow(gaps[position])
                nextArrival = overflow ? .max : sum
                position &+= 1
                RelayerQueue.serve(arrival: arrival, work: work, on: free)
            }
        }
    }

    mutating func refill() {
        let (mean, work, workTable, gapTable) = (meanGapMicroseconds, self.work, self.workTable, self.gapTable)
        var rng = self.rng
        works.withUnsafeMutableBufferPointer { w in
            gaps.withUnsafeMutableBufferPointer { g in
                for i in 0..<Self.blockSize {
                    w[i] = work.sample(&rng, table: workTable)
                    g[i] = Self.gap(mean, &rng, gapTable)
                }
            }
        }
        self.rng = rng
        position = 0
    }
}
