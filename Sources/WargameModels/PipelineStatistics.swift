import SimKernel

/// Counters and latency sketches of a run, in bounded memory.
///
/// Per-tenant arrays back the conservation invariant; reason counts are an array indexed
/// by `Reason`'s position in `allCases`, so no dictionary order can reach an output.
public struct PipelineStatistics: Sendable {
    public private(set) var submitted: [Int]
    public private(set) var completed: [Int]
    public private(set) var rejected: [Int]
    public private(set) var dropped: [Int]
    /// Filled orders lost when their provider went down while they ran.
    public private(set) var interrupted: [Int]
    public internal(set) var filled = 0
    public internal(set) var failovers = 0
    public internal(set) var bridgeRetries = 0
    public internal(set) var breakerTransitions = 0
    /// Successful bridge tries' round trips, in microseconds.
    public internal(set) var bridgeRTT = LogLinearHistogram()
    /// Policy decision times (waiting for a worker + evaluation), in microseconds.
    public internal(set) var policyTime = LogLinearHistogram()
    /// Successful tries' round trips per bridge, in seconds (`InputTelemetry.roundTripBounds`):
    /// what calibration reads a bridge's load from.
    public internal(set) var roundTrips: [BucketHistogram] = []
    var reasonCounts: [Int]

    public init(tenants: Int) {
        submitted = Array(repeating: 0, count: tenants)
        completed = submitted
        rejected = submitted
        dropped = submitted
        interrupted = submitted
        reasonCounts = Array(repeating: 0, count: Reason.allCases.count)
    }

    mutating func submit(_ tenant: Int) { submitted[tenant] += 1 }

    /// The order's final outcome.
    mutating func finish(_ tenant: Int, as kind: DecisionKind, reason: Reason) {
        switch kind {
        case .completed: completed[tenant] += 1
        case .rejected: rejected[tenant] += 1
        case .dropped: dropped[tenant] += 1
        case .interrupted: interrupted[tenant] += 1
        default: preconditionFailure("PipelineStatistics.finish: \(kind) is not a final outcome")
        }
        reasonCounts[reason.ordinal] += 1
    }

    /// Final outcomes with this reason.
    public func count(_ reason: Reason) -> Int { reasonCounts[reason.ordinal] }

    /// The bridge round trip at quantile q, in milliseconds.
    public func bridgeRTTMilliseconds(_ q: Double) -> Double? { bridgeRTT.quantile(q).map { $0 / 1_000 } }
    /// The policy decision time at quantile q, in milliseconds.
    public func policyTimeMilliseconds(_ q: Double) -> Double? { policyTime.quantile(q).map { $0 / 1_000 } }

    public var totalSubmitted: Int { submitted.reduce(0, +) }
    public var totalCompleted: Int { completed.reduce(0, +) }
    public var totalRejected: Int { rejected.reduce(0, +) }
    public var totalDropped: Int { dropped.reduce(0, +) }
    public var totalInterrupted: Int { interrupted.reduce(0, +) }
}
