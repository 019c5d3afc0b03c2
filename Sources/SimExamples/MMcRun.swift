import SimKernel

/// What one M/M/c run measured.
public struct MMcResult: Sendable {
    public let parameters: MMcParameters
    public let statistics: MMcStatistics
    public let detail: MMcDetail?
    /// Events handled: arrivals + service completions (2 per served customer).
    public let events: UInt64
    /// Simulated time at the end of the run.
    public let endTime: SimTime

    /// Time-average number in system, L, over [0, endTime].
    public var meanNumberInSystem: Double { statistics.numberInSystem.mean(until: endTime) }
    /// Time-average number waiting, Lq.
    public var meanNumberInQueue: Double { statistics.numberInQueue.mean(until: endTime) }
    /// Observed arrival rate λ̂ = arrivals / T.
    public var observedArrivalRate: Double {
        endTime.seconds > 0 ? Double(statistics.arrivals) / endTime.seconds : 0
    }
    /// Server utilisation: time-average busy servers over c.
    public var utilisation: Double {
        statistics.busyServers.mean(until: endTime) / Double(parameters.servers)
    }
}

/// Drivers for the M/M/c model. They live in this module so the optimiser specialises the
/// kernel's generic loop for `MMcModel` together with the model's handlers.
public enum MMc {
    /// Runs `parameters.customers` customers (required) until every one is served.
    public static func runToCompletion(_ parameters: MMcParameters, seed: UInt64,
                                       detail: MMcDetail? = nil) -> MMcResult {
        precondition(parameters.customers != nil, "MMc.runToCompletion needs a customer count")
        var sim = Simulation<MMcModel.Event>(minimumCapacity: parameters.servers + 2)
        var model = MMcModel(parameters: parameters, streams: RandomStreams(seed: seed), detail: detail)
        model.start(in: &sim)
        sim.run(&model)
        return MMcResult(parameters: parameters, statistics: model.statistics, detail: model.detail,
                         events: sim.eventsHandled, endTime: sim.now)
    }

    /// One step of an open-ended run, as handed to the step consumer.
    public struct Step: Sendable {
        public let index: Int
        public let start: SimTime
        public let end: SimTime
        public let arrivals: Int
        public let served: Int
        public let waits: Tally
        public let waitQuantiles: QuantileSketch
        /// Time-average queue length over the step.
        public let meanQueueLength: Double
        /// Time-average fraction of servers busy over the step.
        public let utilisation: Double
    }

    /// Runs `steps` windows of `stepLength` with unlimited arrivals, handing each closed step
    /// to `onStep` as it ends (so a caller can stream rows to a file with flat memory).
    public static func runSteps(_ parameters: MMcParameters, seed: UInt64, steps: Int,
                                stepLength: SimDuration, onStep: (Step) throws -> Void) rethrows -> MMcResult {
        var sim = Simulation<MMcModel.Event>(minimumCapacity: parameters.servers + 2)
        var model = MMcModel(parameters: parameters, streams: RandomStreams(seed: seed),
                             detail: MMcDetail(batchSize: 10_000))
        model.start(in: &sim)
        var queueArea = 0.0, busyArea = 0.0
        for index in 0..<steps {
            let start = sim.now
            let end = SimTime.zero + stepLength * Int64(index + 1)
            sim.run(&model, until: end)
            let q = model.statistics.numberInQueue.integral(until: end)
            let b = model.statistics.busyServers.integral(until: end)
            let span = stepLength.seconds
            let window = model.takeWindow()!
            try onStep(Step(index: index, start: start, end: end, arrivals: window.arrivals, served: window.served,
                            waits: window.waits, waitQuantiles: window.waitQuantiles,
                            meanQueueLength: (q - queueArea) / span,
                            utilisation: (b - busyArea) / span / Double(parameters.servers)))
            queueArea = q
            busyArea = b
        }
        return MMcResult(parameters: parameters, statistics: model.statistics, detail: model.detail,
                         events: sim.eventsHandled, endTime: sim.now)
    }
}
