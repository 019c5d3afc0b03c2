import SimKernel

/// What production would measure of the model's random inputs: a Prometheus-style
/// histogram of every latency the model draws and a count of every Bernoulli outcome,
/// labelled as the `wargame_*` families on `/metrics` and in `metrics.prom` label them.
///
/// Why: calibration fits the model's parameters to telemetry, and the obvious first test
/// of a fitter is data whose generating parameters are known. With these families a
/// simulated run yields exactly the data a production system would, so `calibrate` can be
/// checked end to end against a real Prometheus. They count every draw, warm-up included:
/// they describe the inputs, not the KPIs.
///
/// Bucket bounds are chosen to resolve the defaults' medians and 95th percentiles (several
/// buckets on each side), and extend past the timeouts, so a fit from bucket counts is
/// nearly as tight as one from raw samples.
public struct InputTelemetry: Sendable, Equatable {
    /// Provider acknowledgement, bridge relay work, TSA and IPFS latencies, in seconds.
    public static let serviceBounds: [Double] = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.25, 0.3, 0.4, 0.5, 0.6, 0.75,
                                                 1, 1.25, 1.5, 2, 2.5, 3, 4, 5, 7.5, 10, 15, 30]
    /// Policy check evaluation times, in seconds (medians 0.15–1.8 ms).
    public static let checkBounds: [Double] = [0.00005, 0.0001, 0.00015, 0.0002, 0.0003, 0.0004, 0.0005, 0.00075,
                                               0.001, 0.0015, 0.002, 0.003, 0.004, 0.005, 0.0075, 0.01, 0.02, 0.05]
    /// Bridge round trips, in seconds: 10 ms steps over the defaults' 150–350 ms and the
    /// 350 ms SLO, coarser out to the 2 s timeout.
    public static let roundTripBounds: [Double] = [0.1, 0.125, 0.15, 0.16, 0.17, 0.18, 0.19, 0.2, 0.21, 0.22, 0.23, 0.24, 0.25,
                                                   0.26, 0.27, 0.28, 0.29, 0.3, 0.32, 0.35, 0.4, 0.5, 0.75, 1, 1.5, 2]
    /// Order sizes in GPU-seconds (base units; 0.01 to 10 GPU hours).
    public static let orderSizeBounds: [Double] = [36, 72, 108, 180, 270, 360, 540, 720, 1_080, 1_440, 1_800, 2_700,
                                                   3_600, 5_400, 7_200, 10_800, 18_000, 36_000]

    /// One labelled histogram and the outcome counts that go with it.
    public struct Series: Sendable, Equatable {
        public var label: String
        public var latency: BucketHistogram
        /// Counts by outcome, in the order of the family's outcome names.
        public var outcomes: [Int]
    }

    /// Per provider: ack latency of every ack asked of it while up; outcomes
    /// `accepted`, `refused` (the failure draw), `timeout` (no answer within its timeout).
    public var providers: [Series]
    /// Per bridge: relay work of our messages; outcomes `delivered`, `lost` (per try).
    public var bridges: [Series]
    /// Per bridge (in `bridges`' order): round trips of successful tries, queueing included.
    public var roundTrips: [BucketHistogram]
    /// Per policy check: evaluation time of every check that ran (no outcomes).
    public var checks: [Series]
    /// Per TSA (`primary`, `backup`): latency of tries outside outages; outcomes
    /// `success`, `failure`, `outage` (a try during an outage, which times out).
    public var tsas: [Series]
    /// IPFS pinning, as the TSAs.
    public var ipfs: Series
    /// Sizes of the orders made, GPU-seconds.
    public var orderSizes: BucketHistogram

    public static let ackOutcomes = ["accepted", "refused", "timeout"]
    public static let messageOutcomes = ["delivered", "lost"]
    public static let requestOutcomes = ["success", "failure", "outage"]
}

/// A histogram and outcome counts a model keeps of its own draws.
public struct DrawRecord: Sendable, Equatable {
    public internal(set) var latency: BucketHistogram
    public internal(set) var outcomes: [Int]

    init(bounds: [Double], outcomes: Int) {
        latency = BucketHistogram(bounds: bounds)
        self.outcomes = Array(repeating: 0, count: outcomes)
    }

    func series(_ label: String) -> InputTelemetry.Series { .init(label: label, latency: latency, outcomes: outcomes) }
}

extension OrderPipeline {
    /// The draws of every model so far, labelled by provider, bridge, check and TSA.
    public var inputTelemetry: InputTelemetry {
        InputTelemetry(
            providers: providers.map { $0.acks.series($0.config.id) },
            bridges: bridges.map { $0.messages.series($0.config.name) },
            roundTrips: statistics.roundTrips,
            checks: zip(PolicyConfig.checkNames, policy.checkDraws).map { $1.series($0) },
            tsas: zip(["primary", "backup"], provenance.tsaTries).map { $1.series($0) },
            ipfs: provenance.pins.series("ipfs"),
            orderSizes: demand.orderSizes)
    }
}
