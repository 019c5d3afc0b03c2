import SimKernel

/// Parameters of an M/M/c queue: c servers, Poisson arrivals at λ per second,
/// exponential service at μ per second.
public struct MMcParameters: Sendable, Equatable {
    public var servers: Int
    public var arrivalRate: Double
    public var serviceRate: Double
    /// Arrivals stop after this many customers (a run then drains); `nil` = no limit.
    public var customers: Int?

    public init(servers: Int, arrivalRate: Double, serviceRate: Double, customers: Int? = nil) {
        self.servers = servers
        self.arrivalRate = arrivalRate
        self.serviceRate = serviceRate
        self.customers = customers
    }

    /// Checks every field; returns the first problem as `field: expected …, found …`.
    public func validate() -> String? {
        if servers < 1 { return "servers: expected an integer ≥ 1, found \(servers)" }
        if !(arrivalRate.isFinite && arrivalRate > 0) { return "arrival-rate: expected a number > 0, found \(arrivalRate)" }
        if !(serviceRate.isFinite && serviceRate > 0) { return "service-rate: expected a number > 0, found \(serviceRate)" }
        if let n = customers, n < 0 { return "customers: expected an integer ≥ 0, found \(n)" }
        return nil
    }

    public var theory: ErlangC { ErlangC(servers: servers, arrivalRate: arrivalRate, serviceRate: serviceRate) }
}

/// Whole-run statistics of an M/M/c run.
public struct MMcStatistics: Sendable {
    public var arrivals = 0
    /// Customers whose service has started (their wait is known).
    public var started = 0
    public var served = 0
    /// Customers who found every server busy.
    public var waited = 0
    /// Sum of waits in queue, microseconds (integer, so totals are exact).
    public var totalWaitMicroseconds: Int64 = 0
    /// Sum of times in system (wait + service) of started customers, microseconds.
    public var totalSojournMicroseconds: Int64 = 0
    public var numberInSystem = TimeWeightedAverage()
    public var numberInQueue = TimeWeightedAverage()
    public var busyServers = TimeWeightedAverage()

    /// Mean wait in queue Wq, seconds.
    public var meanWait: Double { started > 0 ? Double(totalWaitMicroseconds) / 1e6 / Double(started) : 0 }
    /// Mean time in system W, seconds.
    public var meanSojourn: Double { started > 0 ? Double(totalSojournMicroseconds) / 1e6 / Double(started) : 0 }
    /// Fraction of customers who had to wait: the estimate of Erlang C.
    public var waitFraction: Double { started > 0 ? Double(waited) / Double(started) : 0 }
}

/// Optional per-customer detail: quantiles and batch-means standard errors. Costs a `log`
/// per customer, so the benchmark leaves it off and compares like with like.
public struct MMcDetail: Sendable {
    public var waitQuantiles = QuantileSketch()
    /// Waits (seconds) in service-start order, batched for an honest standard error.
    public var waitBatches: BatchMeans
    /// 1 if the customer waited, else 0, in the same order.
    public var waitedBatches: BatchMeans
    /// Per-step accumulators, reset by `MMcModel.takeWindow()`.
    public var windowWaits = Tally()
    public var windowWaitQuantiles = QuantileSketch()
    public var windowArrivals = 0
    public var windowServed = 0

    public init(batchSize: Int) {
        waitBatches = BatchMeans(batchSize: batchSize)
        waitedBatches = BatchMeans(batchSize: batchSize)
    }
}

/// The M/M/c queue's randomness: two named streams and the two exponentials. Shared by
/// both event representations, so they draw identically by construction.
struct MMcRandomness {
    var arrivalStream: Xoshiro256StarStar
    var serviceStream: Xoshiro256StarStar
    let interarrival: Exponential
    let service: Exponential

    /// `parameters` must already be valid. Streams: `mmc.arrivals` and `mmc.service`.
    init(parameters: MMcParameters, streams: RandomStreams) {
        arrivalStream = streams.stream("mmc.arrivals")
        serviceStream = streams.stream("mmc.service")
        // Rates were validated by the caller, so these cannot throw.
        interarrival = try! Exponential(rate: parameters.arrivalRate)
        service = try! Exponential(rate: parameters.serviceRate)
    }

    mutating func nextInterarrival() -> SimDuration { SimDuration(seconds: interarrival.sample(&arrivalStream)) }
    mutating func nextService() -> SimDuration { SimDuration(seconds: service.sample(&serviceStream)) }
}

/// The M/M/c queue on the kernel's public API: one enum of events, two named streams,
/// a FIFO line and the kernel's statistics. `bench mmc` times exactly this type, so its
/// speed is the kernel's speed for a model that does real bookkeeping.
public struct MMcModel: EventHandler {
    public enum Event { case arrival, departure }

    public let parameters: MMcParameters
    var random: MMcRandomness
    var busy = 0
    var waiting = FIFOQueue<SimTime>()
    public private(set) var statistics = MMcStatistics()
    public private(set) var detail: MMcDetail?
    /// Whether `detail` is recorded: a plain flag, because testing the optional struct for
    /// nil on the hot path copied it (arrays and all) in release builds.
    let recordsDetail: Bool

    /// `parameters` must pass `validate()`. Streams: `mmc.arrivals` and `mmc.service`.
    public init(parameters: MMcParameters, streams: RandomStreams, detail: MMcDetail? = nil) {
        precondition(parameters.validate() == nil, "MMcModel: \(parameters.validate() ?? "")")
        self.parameters = parameters
        random = MMcRandomness(parameters: parameters, streams: streams)
        self.detail = detail
        recordsDetail = detail != nil
    }

    /// Schedules the first arrival; call once before running.
    public mutating func start(in sim: inout Simulation<Event>) {
        if parameters.customers != 0 { scheduleArrival(in: &sim) }
    }

    public mutating func handle(_ event: Event, in sim: inout Simulation<Event>) {
        switch event {
        case .arrival: arrive(in: &sim)
        case .departure: depart(in: &sim)
        }
    }

    mutating func arrive(in sim: inout Simulation<Event>) {
        statistics.arrivals += 1
        if recordsDetail { detail!.windowArrivals += 1 }
        if parameters.customers.map({ statistics.arrivals < $0 }) ?? true { scheduleArrival(in: &sim) }
        statistics.numberInSystem.add(1, at: sim.now)
        if busy < parameters.servers {
            busy += 1
            statistics.busyServers.update(Double(busy), at: sim.now)
            beginService(arrivedAt: sim.now, queued: false, in: &sim)
        } else {
            statistics.waited += 1
            waiting.append(sim.now)
            statistics.numberInQueue.update(Double(waiting.count), at: sim.now)
        }
    }

    mutating func depart(in sim: inout Simulation<Event>) {
        statistics.served += 1
        if recordsDetail { detail!.windowServed += 1 }
        statistics.numberInSystem.add(-1, at: sim.now)
        if let arrivedAt = waiting.popFirst() {
            statistics.numberInQueue.update(Double(waiting.count), at: sim.now)
            beginService(arrivedAt: arrivedAt, queued: true, in: &sim)
        } else {
            busy -= 1
            statistics.busyServers.update(Double(busy), at: sim.now)
        }
    }

    mutating func scheduleArrival(in sim: inout Simulation<Event>) {
        sim.schedule(.arrival, after: random.nextInterarrival())
    }

    mutating func beginService(arrivedAt: SimTime, queued: Bool, in sim: inout Simulation<Event>) {
        let wait = sim.now - arrivedAt
        let serviceTime = random.nextService()
        statistics.started += 1
        statistics.totalWaitMicroseconds += wait.microseconds
        statistics.totalSojournMicroseconds += wait.microseconds + serviceTime.microseconds
        if recordsDetail { recordDetail(wait: wait, queued: queued) }
        sim.schedule(.departure, after: serviceTime)
    }

    mutating func recordDetail(wait: SimDuration, queued: Bool) {
        let w = wait.seconds
        detail!.waitQuantiles.add(w)
        detail!.waitBatches.add(w)
        detail!.waitedBatches.add(queued ? 1 : 0)
        detail!.windowWaits.add(w)
        detail!.windowWaitQuantiles.add(w)
    }

    /// Returns the current window's detail accumulators and starts a new window.
    public mutating func takeWindow() -> (arrivals: Int, served: Int, waits: Tally, waitQuantiles: QuantileSketch)? {
        guard var d = detail else { return nil }
        let out = (d.windowArrivals, d.windowServed, d.windowWaits, d.windowWaitQuantiles)
        d.windowArrivals = 0
        d.windowServed = 0
        d.windowWaits = Tally()
        d.windowWaitQuantiles.reset()
        detail = d
        return out
    }
}
