import SimKernel

/// Placement: shard queues dispatch to the router, providers acknowledge or fail, failover
/// moves on to the next eligible provider, and breakers learn from every outcome.
extension OrderPipeline {
    /// Starts waiting jobs of every shard while they can be placed.
    mutating func dispatchAll(in sim: inout Simulation<Event>) {
        for s in shards.indices { dispatch(shard: s, in: &sim) }
    }

    /// Starts waiting jobs of shard `s` in FIFO order while the shard has active headroom
    /// and the head job can be placed. A head that must wait (capacity, breakers) blocks
    /// the line, as a FIFO job queue does; its queue timeout bounds the wait.
    mutating func dispatch(shard s: Int, in sim: inout Simulation<Event>) {
        while shards[s].canStart, let ref = shards[s].peek(isLive: { orders[$0]?.stage == .queued }),
              let order = orders[ref] {
            switch routeAndAcquire(order, at: sim.now) {
            case .success(let p):
                shards[s].startHead()
                var o = order
                if let t = o.timeout { sim.cancel(t) }
                o.timeout = nil
                orders[ref] = o
                place(ref, on: p, in: &sim)
            case .failure(let miss):
                guard miss.miss != .busy else { return }
                shards[s].startHead()
                shards[s].finishActive()
                finish(ref, as: .rejected, miss.miss == .overBudget ? .overBudget : .noEligibleProvider, in: &sim)
            }
        }
    }

    /// Asks the router, then takes the chosen provider's breaker permit (which may move an
    /// OPEN breaker to HALF_OPEN).
    mutating func routeAndAcquire(_ order: Order, at now: SimTime) -> Result<Int, RoutingMissError> {
        let choice = router.choose(for: order, providers: providers, breakers: breakers,
                                   reputationFloor: config.policy.reputationFloor, at: now)
        guard case .success(let p) = choice else { return choice }
        let permit = breakers[p].acquire(at: now)
        if let t = permit.transition { recordTransition(t, provider: p) }
        return permit.permitted ? .success(p) : .failure(RoutingMissError(miss: .busy))
    }

    /// Occupies a slot on provider `p` and waits for its acknowledgement.
    mutating func place(_ ref: OrderRef, on p: Int, in sim: inout Simulation<Event>) {
        guard var order = orders[ref] else { return }
        precondition(providers[p].running < providers[p].advertisedCapacity,
                     "placing on \(providers[p].config.id) beyond capacity \(providers[p].advertisedCapacity)")
        order.stage = .placing
        order.provider = p
        order.providerAttempt += 1
        order.triedProviders |= 1 << UInt64(p)
        orders[ref] = order
        providers[p].running += 1
        providers[p].placed += 1
        let timeout = providers[p].config.ackTimeout
        let (delay, accepted) = providers[p].sampleAck()
        sim.schedule(.ack(order: ref, attempt: Int16(order.providerAttempt), accepted: accepted,
                          timedOut: !accepted && delay >= timeout), after: delay)
    }

    mutating func ack(_ ref: OrderRef, attempt: Int, accepted: Bool, timedOut: Bool, in sim: inout Simulation<Event>) {
        guard var order = orders[ref], order.stage == .placing, order.providerAttempt == attempt else { return }
        let p = order.provider
        // A provider that went down while the ack was in flight rejects the job after all.
        let ok = accepted && !providers[p].isDown
        if let t = breakers[p].record(failure: !ok, at: sim.now) { recordTransition(t, provider: p, in: &sim) }
        if ok {
            order.stage = .running
            order.filledAt = sim.now
            orders[ref] = order
            statistics.filled += 1
            emit(.filled, .none, order, at: sim.now, provider: p, attempt: attempt)
            sim.schedule(.jobDone(order: ref), after: SimDuration(seconds: order.gpuHours * 3600))
            return
        }
        providers[p].running -= 1
        let reason: Reason = providers[p].isDown ? .providerRejected : timedOut ? .ackTimeout : .providerFailed
        failOver(ref, from: p, reason: reason, in: &sim)
        dispatchAll(in: &sim)  // the freed slot may serve a waiting job
    }

    /// After a provider's rejection, failure or timeout: the next eligible provider, if the
    /// order has attempts left and one is available now; otherwise the order is dropped.
    mutating func failOver(_ ref: OrderRef, from p: Int, reason: Reason, in sim: inout Simulation<Event>) {
        guard let order = orders[ref] else { return }
        let attempt = order.providerAttempt
        if attempt < config.router.maxAttempts, case .success(let q) = routeAndAcquire(order, at: sim.now) {
            statistics.failovers += 1
            emit(.failedOver, reason, order, at: sim.now, provider: p, attempt: attempt)
            place(ref, on: q, in: &sim)
            return
        }
        shards[order.shard].finishActive()
        let final: Reason = attempt >= config.router.maxAttempts ? .attemptsExhausted : reason
        finish(ref, as: .dropped, final, in: &sim, provider: p, attempt: attempt)
    }

    mutating func jobDone(_ ref: OrderRef, in sim: inout Simulation<Event>) {
        guard let order = orders[ref], order.stage == .running else { return }
        let p = order.provider
        providers[p].running -= 1
        shards[order.shard].finishActive()
        finish(ref, as: .completed, .none, in: &sim, provider: p, attempt: order.providerAttempt)
        addReceipt(job: order.id, in: &sim)
        dispatchAll(in: &sim)
    }

    mutating func queueTimeout(_ ref: OrderRef, in sim: inout Simulation<Event>) {
        guard var order = orders[ref], order.stage == .queued else { return }
        order.timeout = nil
        orders[ref] = order
        shards[order.shard].abandonWaiting()
        finish(ref, as: .dropped, .noEligibleProvider, in: &sim)
    }

    /// A scheduled outage starts or ends. A provider going fully down fails its running jobs.
    mutating func outage(provider p: Int, index i: Int, starting: Bool, in sim: inout Simulation<Event>) {
        let o = config.providers[p].outages[i]
        providers[p].capacityLost = starting ? min(1, max(0, o.capacityLost)) : 0
        if starting && providers[p].isDown {
            for (ref, order) in orders.live() where order.provider == p && order.stage == .running {
                providers[p].running -= 1
                shards[order.shard].finishActive()
                finish(ref, as: .interrupted, .providerOutage, in: &sim, provider: p, attempt: order.providerAttempt)
            }
        }
        dispatchAll(in: &sim)
    }

    /// Logs a breaker transition and, when it opened, wakes the dispatcher after the wait.
    mutating func recordTransition(_ t: BreakerTransition, provider p: Int, in sim: inout Simulation<Event>) {
        recordTransition(t, provider: p)
        if t.to == .open { sim.schedule(.breakerWake(provider: Int16(p)), after: config.breaker.waitInOpen) }
    }

    mutating func recordTransition(_ t: BreakerTransition, provider p: Int) {
        precondition((t.isLegal || t.isManualReset) && t.from == lastBreakerState[p],
                     "breaker \(providers[p].config.id): \(t.from) → \(t.to) after \(lastBreakerState[p])")
        lastBreakerState[p] = t.to
        statistics.breakerTransitions += 1
        var d = Decision(time: t.time, kind: .breakerTransition, reason: .none)
        d.provider = p
        d.breakerState = t.to
        sink.record(d)
    }
}
