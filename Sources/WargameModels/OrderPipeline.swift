import SimKernel

/// The marketplace's order pipeline, driven by the kernel:
/// gateway → bridge → policy → shard admission → routing (with failover) → job → provenance.
///
/// It owns the event vocabulary and the wiring; each stage's rules live in its model
/// (`Gateway`, `Bridge`, `PolicyEngine`, `ShardQueue`, `Router`, `CircuitBreaker`,
/// `Provenance`). Every outcome is a `Decision` sent to the sink as it happens. Stages are
/// in aspect files: `OrderPipeline+Bridge`, `+Policy`, `+Placement`, `+Provenance`.
///
/// Concrete rather than generic over its sink: a generic pipeline compiled in this module
/// ran unspecialised (most of its time went to runtime generic-metadata lookups, measured
/// with callgrind); an existential sink costs one dynamic call per decision instead.
public struct OrderPipeline: EventHandler {
    public enum Event {
        case arrival(tenant: Int32)
        case bridgeResponse(order: OrderRef, attempt: Int16)
        case bridgeTimeout(order: OrderRef, attempt: Int16)
        case bridgeRetry(order: OrderRef)
        case policyDone(order: OrderRef)
        case queueTimeout(order: OrderRef)
        case ack(order: OrderRef, attempt: Int16, accepted: Bool, timedOut: Bool)
        case jobDone(order: OrderRef)
        case outage(provider: Int16, index: Int16, starting: Bool)
        case breakerWake(provider: Int16)
        case minuteTick
        case sealTimer
        case provenanceStep(batch: Int32, step: ProvenanceStep, attempt: Int16, success: Bool)
        case provenanceDeadline(batch: Int32)
        case incident(index: Int16, starting: Bool)
    }

    public let config: PipelineConfig
    public internal(set) var sink: any DecisionSink
    public internal(set) var statistics: PipelineStatistics
    public internal(set) var orders = OrderTable()
    public internal(set) var providers: [Provider]
    public internal(set) var breakers: [CircuitBreaker]
    public internal(set) var shards: [ShardQueue]
    public internal(set) var provenance: Provenance
    public internal(set) var policy: PolicyEngine
    public internal(set) var bridges: [Bridge]
    public internal(set) var systemPaused = false
    /// Operator fail-closed (playbook "halt new allocations"), separate from the guard's.
    public internal(set) var operatorHalted = false
    /// Undo lists of `setFields` actions not yet rolled back, the latest last.
    var changeStack: [[LiveChange]] = []
    var demand: Demand
    var gateway: Gateway
    var router: Router
    var policyPool: WorkerPool<OrderRef>
    var bridgeChoice: WeightedChoice
    var bridgeChoiceStream: Xoshiro256StarStar
    var nextOrderID: Int64 = 0
    var horizon: SimTime = .zero
    var sealTimerHandle: EventHandle?
    /// While the guard is halted, the next time a probe order may be admitted.
    var nextProbeAt: SimTime = .zero
    /// Last breaker state seen per provider, to check each transition continues the last.
    var lastBreakerState: [BreakerState]

    /// Builds every model with its own named stream from `seed`. `config` must be valid
    /// (the scenario layer checks it).
    public init(config: PipelineConfig, seed: UInt64, sink: some DecisionSink) {
        let streams = RandomStreams(seed: seed)
        let config = config.compilingIncidents()
        self.config = config
        self.sink = sink
        let tenants = config.demand.tenants
        statistics = PipelineStatistics(tenants: tenants)
        statistics.roundTrips = Array(repeating: BucketHistogram(bounds: InputTelemetry.roundTripBounds), count: config.bridges.count)
        demand = Demand(config: config.demand, streams: streams)
        gateway = Gateway(tenants: tenants, perTenant: config.tenantLimit, global: config.globalLimit)
        bridges = config.bridges.map {
            Bridge(config: $0, rng: streams.stream("bridge.\($0.name)"), backgroundRNG: streams.stream("bridge.\($0.name).background"))
        }
        bridgeChoice = try! WeightedChoice(weights: config.bridges.map(\.weight))
        bridgeChoiceStream = streams.stream("bridge.choice")
        policy = PolicyEngine(config: config.policy, tenants: tenants, rng: streams.stream("policy"))
        policyPool = WorkerPool(servers: config.policy.workers)
        shards = config.shards.map { ShardQueue(config: $0) }
        providers = config.providers.map { Provider(config: $0, rng: streams.stream("provider.\($0.id)")) }
        breakers = config.providers.map { _ in CircuitBreaker(config: config.breaker) }
        lastBreakerState = Array(repeating: .closed, count: config.providers.count)
        router = Router(config: config.router, rng: streams.stream("router"))
        provenance = Provenance(config: config.provenance, rng: streams.stream("provenance"))
    }

    /// Schedules the first arrivals, the minute tick and the scenario's timed changes.
    /// Tenants stop ordering at `horizon`; work already under way runs on.
    public mutating func start(in sim: inout Simulation<Event>, horizon: SimTime) {
        self.horizon = horizon
        for t in 0..<config.demand.tenants {
            if let at = demand.nextArrival(tenant: t, after: sim.now, horizon: horizon) {
                sim.schedule(.arrival(tenant: Int32(t)), at: at)
            }
        }
        sim.schedule(.minuteTick, after: .minutes(1))
        for (p, provider) in config.providers.enumerated() {
            for (i, o) in provider.outages.enumerated() {
                sim.schedule(.outage(provider: Int16(p), index: Int16(i), starting: true), at: max(o.start, sim.now))
                sim.schedule(.outage(provider: Int16(p), index: Int16(i), starting: false), at: max(o.start + o.duration, sim.now))
            }
        }
        for (k, i) in config.incidents.enumerated() where !i.isWindow {
            sim.schedule(.incident(index: Int16(k), starting: true), at: max(i.start, sim.now))
            sim.schedule(.incident(index: Int16(k), starting: false), at: max(i.end, sim.now))
        }
        applyPriceSpikes(at: sim.now)
    }

    public mutating func handle(_ event: Event, in sim: inout Simulation<Event>) {
        switch event {
        case .arrival(let tenant): arrive(tenant: Int(tenant), in: &sim)
        case .bridgeResponse(let ref, let attempt): bridgeResponse(ref, attempt: Int(attempt), in: &sim)
        case .bridgeTimeout(let ref, let attempt): bridgeTimeout(ref, attempt: Int(attempt), in: &sim)
        case .bridgeRetry(let ref): if orders[ref]?.stage == .backingOff { submitToBridge(ref, in: &sim) }
        case .policyDone(let ref): policyDone(ref, in: &sim)
        case .queueTimeout(let ref): queueTimeout(ref, in: &sim)
        case .ack(let ref, let attempt, let accepted, let timedOut):
            ack(ref, attempt: Int(attempt), accepted: accepted, timedOut: timedOut, in: &sim)
        case .jobDone(let ref): jobDone(ref, in: &sim)
        case .outage(let p, let i, let starting): outage(provider: Int(p), index: Int(i), starting: starting, in: &sim)
        case .breakerWake: dispatchAll(in: &sim)
        case .minuteTick: minuteTick(in: &sim)
        case .sealTimer: sealTimerFired(in: &sim)
        case .provenanceStep(let b, let step, let attempt, let ok):
            provenanceStepDone(batch: Int(b), step, attempt: Int(attempt), success: ok, in: &sim)
        case .provenanceDeadline(let b): provenanceDeadline(batch: Int(b), in: &sim)
        case .incident(let k, let starting): incident(Int(k), starting: starting, in: &sim)
        }
    }

    // MARK: - Arrival and gateway

    mutating func arrive(tenant: Int, in sim: inout Simulation<Event>) {
        if let next = demand.nextArrival(tenant: tenant, after: sim.now, horizon: horizon) {
            sim.schedule(.arrival(tenant: Int32(tenant)), at: next)
        }
        var order = demand.makeOrder(id: nextOrderID, tenant: tenant, at: sim.now)
        nextOrderID += 1
        statistics.submit(tenant)
        let verdict = gateway.admit(tenant: tenant, at: sim.now)
        if verdict != .none {
            emit(.rejected, verdict, order, at: sim.now)
            statistics.finish(tenant, as: .rejected, reason: verdict)
            return
        }
        order.bridge = bridgeChoice.pick(&bridgeChoiceStream)
        let ref = orders.insert(order)
        submitToBridge(ref, in: &sim)
    }

    /// Every minute: price walks and spikes, the fail-closed guard, and a dispatch pass.
    mutating func minuteTick(in sim: inout Simulation<Event>) {
        for i in providers.indices { providers[i].tickPrice() }
        applyPriceSpikes(at: sim.now)
        updateGuard(at: sim.now)
        dispatchAll(in: &sim)
        sim.schedule(.minuteTick, after: .minutes(1))
    }

    mutating func applyPriceSpikes(at now: SimTime) {
        for i in providers.indices {
            providers[i].spikeFactor = providers[i].config.priceSpikes
                .filter { now >= $0.start && now < $0.start + $0.duration }
                .reduce(1.0) { $0 * $1.factor }
        }
    }

    // MARK: - Decisions and outcomes

    /// Sends a decision about `order` to the sink.
    mutating func emit(_ kind: DecisionKind, _ reason: Reason, _ order: Order, at now: SimTime,
                       provider: Int = -1, attempt: Int = 0, bridgeRTT: SimDuration? = nil,
                       policyTime: SimDuration? = nil) {
        var d = Decision(time: now, kind: kind, reason: reason)
        d.orderID = order.id
        d.tenant = order.tenant
        d.region = order.region
        d.gpuHours = order.gpuHours
        d.provider = provider
        d.attempt = attempt
        d.bridgeRTT = bridgeRTT
        d.policyDecisionTime = policyTime
        if provider >= 0 {
            d.pricePerGPUHour = providers[provider].price
            d.breakerState = breakers[provider].state
        }
        sink.record(d)
    }

    /// Ends an in-flight order with a final outcome and frees its slot.
    mutating func finish(_ ref: OrderRef, as kind: DecisionKind, _ reason: Reason, in sim: inout Simulation<Event>,
                         provider: Int = -1, attempt: Int = 0, policyTime: SimDuration? = nil) {
        guard let order = orders[ref] else { return }
        if let t = order.timeout { sim.cancel(t) }
        emit(kind, reason, order, at: sim.now, provider: provider, attempt: attempt, policyTime: policyTime)
        statistics.finish(order.tenant, as: kind, reason: reason)
        orders.remove(ref)
    }
}


extension OrderPipeline {
    /// The sink as its concrete type.
    public func sink<S: DecisionSink>(as type: S.Type) -> S? { sink as? S }

    /// Breakers not CLOSED right now.
    public var openBreakers: Int { breakers.filter { $0.state != .closed }.count }
}
