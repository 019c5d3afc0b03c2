import SimKernel

/// The bridge stage: submit a try, wait for a relayer, relay, return; time out, back off and
/// retry; drop after the last try.
extension OrderPipeline {
    mutating func submitToBridge(_ ref: OrderRef, in sim: inout Simulation<Event>) {
        guard var order = orders[ref] else { return }
        order.bridgeAttempt += 1
        order.stage = .bridging
        order.tryStartedAt = sim.now
        let b = order.bridge
        let attempt = Int16(order.bridgeAttempt)
        // Queue behind the relayers' backlog; the response (unless the message is lost)
        // returns a network round trip after the relay work finishes. A message with no
        // relayer to take it, or lost, is never answered: its timeout fires.
        let lost = bridges[b].isLost()
        let response = bridges[b].relay(at: sim.now).map { $0 + bridges[b].networkRTT }
        let deadline = sim.now + bridges[b].config.timeout
        // Both times are known now, so only the event that will matter is scheduled: a
        // response that beats the deadline needs no timeout event (it would only be
        // cancelled), and one at or after it would be ignored. At equal times the timeout
        // wins, as it did when both were scheduled (the timeout first).
        if let response, !lost, response < deadline {
            order.timeout = nil
            sim.schedule(.bridgeResponse(order: ref, attempt: attempt), at: response)
        } else {
            order.timeout = sim.schedule(.bridgeTimeout(order: ref, attempt: attempt), at: deadline)
        }
        orders[ref] = order
    }

    mutating func bridgeResponse(_ ref: OrderRef, attempt: Int, in sim: inout Simulation<Event>) {
        // A response to an abandoned try (it timed out and was retried) is ignored.
        guard var order = orders[ref], order.stage == .bridging, order.bridgeAttempt == attempt else { return }
        let rtt = sim.now - order.tryStartedAt
        order.bridgeRTT = rtt
        statistics.bridgeRTT.add(rtt.microseconds)
        statistics.roundTrips[order.bridge].add(rtt.seconds)
        orders[ref] = order
        emit(.accepted, .bridged, order, at: sim.now, attempt: attempt, bridgeRTT: rtt)
        submitToPolicy(ref, in: &sim)
    }

    mutating func bridgeTimeout(_ ref: OrderRef, attempt: Int, in sim: inout Simulation<Event>) {
        guard var order = orders[ref], order.stage == .bridging, order.bridgeAttempt == attempt else { return }
        order.timeout = nil
        order.stage = .backingOff
        orders[ref] = order
        let b = order.bridge
        if attempt < bridges[b].config.maxAttempts {
            statistics.bridgeRetries += 1
            emit(.retried, .bridgeTimeout, order, at: sim.now, attempt: attempt)
            sim.schedule(.bridgeRetry(order: ref), after: bridges[b].backoff(after: attempt))
        } else {
            finish(ref, as: .dropped, .bridgeTimeout, in: &sim, attempt: attempt)
        }
    }
}

/// The policy stage (vault-law, served by a worker pool) and shard admission.
extension OrderPipeline {
    mutating func submitToPolicy(_ ref: OrderRef, in sim: inout Simulation<Event>) {
        guard var order = orders[ref] else { return }
        order.stage = .policy
        order.policyArrivedAt = sim.now
        orders[ref] = order
        switch policyPool.arrive(ref, at: sim.now) {
        case .start: startPolicy(ref, in: &sim)
        case .queued: break
        case .refused: finish(ref, as: .rejected, .globalRateLimited, in: &sim)  // back-pressure: 429
        }
    }

    /// A worker picks the request up: the rules are applied against the state now, and the
    /// worker is busy for the evaluation time of the checks that ran.
    mutating func startPolicy(_ ref: OrderRef, in sim: inout Simulation<Event>) {
        guard var order = orders[ref] else { return }
        let floor = config.policy.reputationFloor
        let servable = providers.contains { $0.serves(region: order.region) && $0.config.reputation >= floor }
        order.policyVerdict = policy.evaluate(order, regionHasProvider: servable, at: sim.now)
        orders[ref] = order
        let time = policy.sampleDecisionTime(checksRun: PolicyEngine.lastCheck(for: order.policyVerdict))
        sim.schedule(.policyDone(order: ref), after: time)
    }

    mutating func policyDone(_ ref: OrderRef, in sim: inout Simulation<Event>) {
        if let next = policyPool.complete() { startPolicy(next.job, in: &sim) }
        guard var order = orders[ref] else { return }
        let decisionTime = sim.now - order.policyArrivedAt
        order.policyTime = decisionTime
        orders[ref] = order
        statistics.policyTime.add(decisionTime.microseconds)
        if order.policyVerdict != .none {
            finish(ref, as: .rejected, order.policyVerdict, in: &sim, policyTime: decisionTime)
            return
        }
        emit(.accepted, .policyAllowed, order, at: sim.now, policyTime: decisionTime)
        admitToShard(ref, in: &sim)
    }

    mutating func admitToShard(_ ref: OrderRef, in sim: inout Simulation<Event>) {
        guard var order = orders[ref] else { return }
        let s = order.tenant % shards.count
        order.shard = s
        orders[ref] = order
        var verdict = Reason.none
        if operatorHalted {
            verdict = .operatorHalt
        } else if provenance.halted {
            // Fail closed, but let one probe order through per interval: its receipts are
            // how the guard learns that coverage has recovered (as HALF_OPEN trial calls
            // tell a breaker). Without probes a halt would starve the guard of data.
            if sim.now >= nextProbeAt {
                nextProbeAt = sim.now + config.provenance.guardProbeInterval
                order.isProbe = true
            } else {
                verdict = .failClosed
            }
        }
        if verdict == .none { verdict = shards[s].admit(ref, order: order, systemPaused: systemPaused) }
        if verdict != .none {
            finish(ref, as: .rejected, verdict, in: &sim)
            return
        }
        order.stage = .queued
        orders[ref] = order
        emit(.accepted, .admitted, order, at: sim.now)
        dispatch(shard: s, in: &sim)
        // Most orders start at once; only one still waiting needs its queue timeout (the
        // same time it always had: no simulated time passed). Scheduling it for every order
        // filled the event heap with timeouts that were only ever cancelled.
        if var waiting = orders[ref], waiting.stage == .queued {
            waiting.timeout = sim.schedule(.queueTimeout(order: ref), after: config.maxQueueWait)
            orders[ref] = waiting
        }
    }
}
