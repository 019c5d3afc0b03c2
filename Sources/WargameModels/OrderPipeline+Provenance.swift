import SimKernel

/// Provenance: receipts into Merkle batches, time stamps and pins with retries, coverage at
/// the deadline, and the fail-closed guard.
extension OrderPipeline {
    mutating func addReceipt(job: Int64, in sim: inout Simulation<Event>) {
        switch provenance.addReceipt(job: job, at: sim.now) {
        case .none: break
        case .startTimer: sealTimerHandle = sim.schedule(.sealTimer, after: config.provenance.batchInterval)
        case .sealNow:
            if let h = sealTimerHandle { sim.cancel(h) }
            sealTimerHandle = nil
            seal(in: &sim)
        }
    }

    mutating func sealTimerFired(in sim: inout Simulation<Event>) {
        sealTimerHandle = nil
        seal(in: &sim)
    }

    mutating func seal(in sim: inout Simulation<Event>) {
        guard let batch = provenance.seal(at: sim.now) else { return }
        sim.schedule(.provenanceDeadline(batch: Int32(batch.id)), at: max(sim.now, batch.firstReceipt + config.provenance.deadline))
        for step in [ProvenanceStep.timestamp, .pin] { startStep(step, batch: batch.id, attempt: 1, at: sim.now, in: &sim) }
    }

    /// Schedules try `attempt` of a time stamp or pin, starting at `start`.
    mutating func startStep(_ step: ProvenanceStep, batch: Int, attempt: Int, at start: SimTime,
                            in sim: inout Simulation<Event>) {
        let (delay, success) = step == .timestamp
            ? { let t = provenance.tsaTry(attempt: attempt, at: start); return (t.delay, t.success) }()
            : provenance.ipfsTry(at: start)
        sim.schedule(.provenanceStep(batch: Int32(batch), step: step, attempt: Int16(attempt), success: success),
                     at: start + delay)
    }

    /// A time stamp or pin try finished: record it, or retry after the step's delay.
    mutating func provenanceStepDone(batch: Int, _ step: ProvenanceStep, attempt: Int, success: Bool,
                                     in sim: inout Simulation<Event>) {
        guard provenance.isOpen(batch) else { return }
        if success {
            if let b = provenance.mark(batch: batch, timestamped: step == .timestamp, at: sim.now) {
                resolved(b, covered: true, at: sim.now)
            }
            return
        }
        let c = config.provenance
        let (maxAttempts, delay) = step == .timestamp ? (c.tsaMaxAttempts, c.tsaRetryDelay) : (c.ipfsMaxAttempts, c.ipfsRetryDelay)
        if attempt < maxAttempts { startStep(step, batch: batch, attempt: attempt + 1, at: sim.now + delay, in: &sim) }
    }

    mutating func provenanceDeadline(batch: Int, in sim: inout Simulation<Event>) {
        if let b = provenance.expire(batch: batch, at: sim.now) { resolved(b, covered: false, at: sim.now) }
        updateGuard(at: sim.now)
    }

    mutating func resolved(_ b: ProvenanceBatch, covered: Bool, at now: SimTime) {
        var d = Decision(time: now, kind: .provenance, reason: covered ? .covered : .uncovered)
        d.orderID = Int64(b.id)
        d.attempt = b.jobs
        sink.record(d)
        updateGuard(at: now)
    }

    mutating func updateGuard(at now: SimTime) {
        if let change = provenance.updateGuard(at: now) {
            sink.record(Decision(time: now, kind: .guardChange, reason: change))
        }
    }
}
