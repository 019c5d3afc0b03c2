import SimKernel

/// An RFC 3161 time-stamping authority as the simulator sees it.
public struct TSAConfig: Sendable, Equatable {
    public var name: String
    public var successProbability: Double
    public var latencyMedian: SimDuration
    public var latencyP95: SimDuration
    /// An unreachable TSA answers nothing; the request fails after this long.
    public var timeout: SimDuration = .seconds(10)
    public var outages: [Outage] = []

    public init(name: String, successProbability: Double, latencyMedian: SimDuration, latencyP95: SimDuration) {
        self.name = name
        self.successProbability = successProbability
        self.latencyMedian = latencyMedian
        self.latencyP95 = latencyP95
    }
}

public struct ProvenanceConfig: Sendable, Equatable {
    /// A batch is sealed when it holds this many receipts, or `batchInterval` after its first.
    public var batchSize = 50
    public var batchInterval: SimDuration = .seconds(30)
    public var primaryTSA = TSAConfig(name: "freetsa", successProbability: 0.995,
                                      latencyMedian: .milliseconds(250), latencyP95: .milliseconds(900))
    public var backupTSA: TSAConfig? = TSAConfig(name: "timestamping.org", successProbability: 0.99,
                                                 latencyMedian: .milliseconds(450), latencyP95: .milliseconds(1_500))
    /// Time-stamp tries in all, alternating primary and backup when there is one.
    public var tsaMaxAttempts = 6
    public var tsaRetryDelay: SimDuration = .seconds(5)
    public var ipfsSuccessProbability = 0.98
    public var ipfsLatencyMedian: SimDuration = .milliseconds(900)
    public var ipfsLatencyP95: SimDuration = .seconds(4)
    public var ipfsMaxAttempts = 5
    public var ipfsRetryDelay: SimDuration = .seconds(10)
    public var ipfsOutages: [Outage] = []
    /// A job is covered if its batch is both time-stamped and pinned this soon after the
    /// batch's first receipt.
    public var deadline: SimDuration = .minutes(10)
    /// Fail-closed guard: refuse new orders at admission while trailing coverage is below
    /// `haltBelow` (except probes), resume at or above `resumeAtOrAbove` (hysteresis, so it
    /// does not flap). Jobs admitted before the halt still run.
    public var guardEnabled = true
    public var guardWindow: SimDuration = .minutes(10)
    public var haltBelow = 0.80
    public var resumeAtOrAbove = 0.90
    /// The guard ignores windows with fewer decided jobs than this.
    public var guardMinimumJobs = 10
    /// While halted, one probe order is admitted per interval so coverage can be re-measured.
    public var guardProbeInterval: SimDuration = .seconds(20)

    public init() {}
}

/// The two things a batch needs to be covered.
public enum ProvenanceStep: Sendable, Equatable {
    /// An RFC 3161 time stamp of the Merkle root.
    case timestamp
    /// The batch pinned to IPFS.
    case pin
}

/// A sealed batch of receipts awaiting a time stamp and a pin.
public struct ProvenanceBatch: Sendable {
    public let id: Int
    public let jobs: Int
    public let firstReceipt: SimTime
    /// Root of a Merkle tree over the receipts (SplitMix64 mixing: a stand-in for SHA-256
    /// that is deterministic and cheap; nothing here relies on collision resistance).
    public let merkleRoot: UInt64
    public var timestamped = false
    public var pinned = false
    public var resolved = false
}

/// The provenance layer: batching receipts into Merkle roots, time-stamping and pinning
/// them, deciding coverage per job, and the fail-closed guard.
public struct Provenance: Sendable {
    public var config: ProvenanceConfig
    var rng: Xoshiro256StarStar
    let primaryLatency: LogNormal
    let backupLatency: LogNormal?
    let ipfsLatency: LogNormal
    /// Leaves of the batch being filled.
    var openLeaves: [UInt64] = []
    var openSince: SimTime?
    var nextBatchID = 0
    var batches: [Int: ProvenanceBatch] = [:]  // looked up by id only; never iterated
    /// Trailing-window accounting, one bucket per minute: (minute, decided, covered).
    var buckets: [(minute: Int64, decided: Int, covered: Int)]
    public private(set) var halted = false
    public private(set) var jobsCovered = 0
    public private(set) var jobsUncovered = 0
    /// Operator override (playbook "switch to the backup TSA").
    public var preferBackup = false
    /// Primary and backup TSA tries, and IPFS pins (`InputTelemetry.requestOutcomes`).
    public internal(set) var tsaTries = [DrawRecord](repeating: DrawRecord(bounds: InputTelemetry.serviceBounds, outcomes: 3), count: 2)
    public internal(set) var pins = DrawRecord(bounds: InputTelemetry.serviceBounds, outcomes: 3)

    public init(config: ProvenanceConfig, rng: Xoshiro256StarStar) {
        self.config = config
        self.rng = rng
        primaryLatency = try! LogNormal(median: config.primaryTSA.latencyMedian.seconds, p95: config.primaryTSA.latencyP95.seconds)
        backupLatency = config.backupTSA.map { try! LogNormal(median: $0.latencyMedian.seconds, p95: $0.latencyP95.seconds) }
        ipfsLatency = try! LogNormal(median: config.ipfsLatencyMedian.seconds, p95: config.ipfsLatencyP95.seconds)
        let minutes = max(1, Int(config.guardWindow.microseconds / SimDuration.minutes(1).microseconds))
        buckets = Array(repeating: (-1, 0, 0), count: minutes)
    }

    public var openReceipts: Int { openLeaves.count }
    public var batchesInFlight: Int { batches.count }

    /// What the caller must do after adding a receipt.
    public enum ReceiptEffect: Equatable {
        case none
        /// First receipt of a new batch: schedule a seal after `batchInterval`.
        case startTimer
        /// The batch is full: seal it now.
        case sealNow
    }

    public mutating func addReceipt(job: Int64, at now: SimTime) -> ReceiptEffect {
        openLeaves.append(SplitMix64.mix(UInt64(bitPattern: job)))
        if openLeaves.count >= config.batchSize { return .sealNow }
        if openLeaves.count == 1 {
            openSince = now
            return .startTimer
        }
        return .none
    }

    /// Seals the open batch; `nil` if it is empty (a timer that fired after a size seal).
    public mutating func seal(at now: SimTime) -> ProvenanceBatch? {
        guard let since = openSince, !openLeaves.isEmpty else { return nil }
        let batch = ProvenanceBatch(id: nextBatchID, jobs: openLeaves.count, firstReceipt: since,
                                    merkleRoot: Provenance.merkleRoot(openLeaves))
        nextBatchID += 1
        batches[batch.id] = batch
        openLeaves.removeAll(keepingCapacity: true)
        openSince = nil
        return batch
    }

    /// Pairwise-mixes a level of hashes until one remains (an odd last node is promoted).
    public static func merkleRoot(_ leaves: [UInt64]) -> UInt64 {
        var level = leaves
        while level.count > 1 {
            var next: [UInt64] = []
            next.reserveCapacity((level.count + 1) / 2)
            var i = 0
            while i < level.count {
                next.append(i + 1 < level.count ? SplitMix64.mix(level[i] &* 31 ^ level[i + 1]) : level[i])
                i += 2
            }
            level = next
        }
        return level.first ?? 0
    }

    /// One time-stamp try: which TSA, how long, and whether it succeeds. Try 1 goes to the
    /// primary (or the backup when preferred); later tries alternate when a backup exists.
    public mutating func tsaTry(attempt: Int, at now: SimTime) -> (delay: SimDuration, success: Bool, backup: Bool) {
        let useBackup = config.backupTSA != nil && ((attempt % 2 == 0) != preferBackup)
        let tsa = useBackup ? config.backupTSA! : config.primaryTSA
        let latency = (useBackup ? backupLatency! : primaryLatency).sample(&rng)
        let ok = rng.nextDouble() < tsa.successProbability
        let k = useBackup ? 1 : 0
        if Provenance.inOutage(tsa.outages, now) { tsaTries[k].outcomes[2] += 1; return (tsa.timeout, false, useBackup) }
        tsaTries[k].latency.add(latency)
        tsaTries[k].outcomes[ok ? 0 : 1] += 1
        return (SimDuration(seconds: latency), ok, useBackup)
    }

    /// One pinning try.
    public mutating func ipfsTry(at now: SimTime) -> (delay: SimDuration, success: Bool) {
        let latency = ipfsLatency.sample(&rng)
        let ok = rng.nextDouble() < config.ipfsSuccessProbability
        if Provenance.inOutage(config.ipfsOutages, now) { pins.outcomes[2] += 1; return (.seconds(30), false) }
        pins.latency.add(latency)
        pins.outcomes[ok ? 0 : 1] += 1
        return (SimDuration(seconds: latency), ok)
    }

    static func inOutage(_ outages: [Outage], _ now: SimTime) -> Bool {
        outages.contains { now >= $0.start && now < $0.start + $0.duration }
    }

    /// Records a time stamp or a pin. Returns the batch if this completed its coverage.
    public mutating func mark(batch id: Int, timestamped: Bool, at now: SimTime) -> ProvenanceBatch? {
        guard var b = batches[id], !b.resolved else { return nil }
        if timestamped { b.timestamped = true } else { b.pinned = true }
        batches[id] = b
        guard b.timestamped && b.pinned else { return nil }
        return resolve(id, covered: true, at: now)
    }

    /// The batch's deadline passed: if not yet covered, its jobs are uncovered.
    public mutating func expire(batch id: Int, at now: SimTime) -> ProvenanceBatch? {
        guard let b = batches[id], !b.resolved else { return nil }
        return resolve(id, covered: false, at: now)
    }

    /// Whether a batch still needs work (not resolved).
    public func isOpen(_ id: Int) -> Bool { batches[id].map { !$0.resolved } ?? false }

    mutating func resolve(_ id: Int, covered: Bool, at now: SimTime) -> ProvenanceBatch {
        var b = batches.removeValue(forKey: id)!
        b.resolved = true
        if covered { jobsCovered += b.jobs } else { jobsUncovered += b.jobs }
        let minute = now.microseconds / SimDuration.minutes(1).microseconds
        let slot = Int(minute % Int64(buckets.count))
        if buckets[slot].minute != minute { buckets[slot] = (minute, 0, 0) }
        buckets[slot].decided += b.jobs
        if covered { buckets[slot].covered += b.jobs }
        return b
    }

    /// Coverage of jobs decided in the trailing guard window; `nil` with too few jobs.
    public func trailingCoverage(at now: SimTime) -> Double? {
        let minute = now.microseconds / SimDuration.minutes(1).microseconds
        var decided = 0, covered = 0
        for b in buckets where b.minute > minute - Int64(buckets.count) {
            decided += b.decided
            covered += b.covered
        }
        return decided >= config.guardMinimumJobs ? Double(covered) / Double(decided) : nil
    }

    /// Re-evaluates the fail-closed guard; returns `.halted` or `.resumed` on a change.
    public mutating func updateGuard(at now: SimTime) -> Reason? {
        guard config.guardEnabled, let c = trailingCoverage(at: now) else { return nil }
        if !halted && c < config.haltBelow {
            halted = true
            return .halted
        }
        if halted && c >= config.resumeAtOrAbove {
            halted = false
            return .resumed
        }
        return nil
    }

    /// Coverage over the whole run so far (decided jobs only).
    public var coverage: Double? {
        let decided = jobsCovered + jobsUncovered
        return decided > 0 ? Double(jobsCovered) / Double(decided) : nil
    }
}
