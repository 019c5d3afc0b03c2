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
        let id = Int32(batch.id)
        sim.schedule(.provenanceDeadline(batch: id), at: max(sim.now, batch.firstReceipt + config.provenance.deadline))
        let tsa = provenance.tsaTry(attempt: 1, at: sim.now)
        sim.schedule(.tsaDone(batch: id, attempt: 1, success: tsa.success), after: tsa.delay)
        let ipfs = provenance.ipfsTry(at: sim.now)
        sim.schedule(.ipfsDone(batch: id, attempt: 1, success: ipfs.success), after: ipfs.delay)
    }

    mutating func tsaDone(batch: Int, attempt: Int, success: Bool, in sim: inout Simulation<Event>) {
        guard provenance.isOpen(batch) else { return }
        if success {
            if let b = provenance.mark(batch: batch, timestamped: true, at: sim.now) { resolved(b, covered: true, at: sim.now) }
        } else if attempt < config.provenance.tsaMaxAttempts {
            let at = sim.now + config.provenance.tsaRetryDelay
            let next = provenance.tsaTry(attempt: attempt + 1, at: at)
            sim.schedule(.tsaDone(batch: Int32(batch), attempt: Int16(attempt + 1), success: next.success), at: at + next.delay)
        }
    }

    mutating func ipfsDone(batch: Int, attempt: Int, success: Bool, in sim: inout Simulation<Event>) {
        guard provenance.isOpen(batch) else { return }
        if success {
            if let b = provenance.mark(batch: batch, timestamped: false, at: sim.now) { resolved(b, covered: true, at: sim.now) }
        } else if attempt < config.provenance.ipfsMaxAttempts {
            let at = sim.now + config.provenance.ipfsRetryDelay
            let next = provenance.ipfsTry(at: at)
            sim.schedule(.ipfsDone(batch: Int32(batch), attempt: Int16(attempt + 1), success: next.success), at: at + next.delay)
        }
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
