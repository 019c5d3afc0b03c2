import SimKernel
import WargameModels

/// The decision logs, one RFC 4180 row per decision, streamed through a large buffer. Two
/// layouts share the machinery:
///
/// - `routing_decisions.csv` (`.routing`): one row per routing outcome of an order —
///   `filled`, `failed_over`, `rejected`, `dropped` — with the 7th column the decision and a
///   `cause` column (capacity, price, latency, quota…), so the Aurora runbook's diagnosis
///   `awk -F, '{print $7}' | sort | uniq -c` tallies what happened to orders.
/// - `order_events.csv` (`.events`): every stage of every order (bridged, policy allowed,
///   admitted, retries…), breaker transitions, provenance batches and guard changes.
///
/// Column orders are fixed and documented in `docs/outputs.md`. No field ever needs quoting
/// (ids, names and reasons are validated identifiers), which the header golden test pins.
public struct DecisionLog: DecisionSink {
    public enum Layout: Sendable { case routing, events }

    public static let header = ["time_ms", "step", "order_id", "tenant", "region", "gpu_hours", "decision", "provider",
                                "reason", "attempt", "bridge_rtt_ms", "policy_ms", "price_per_gpu_hour", "breaker_state", "warmup"]
    public static let routingHeader = ["time_ms", "step", "order_id", "tenant", "region", "gpu_hours", "decision", "provider",
                                       "cause", "reason", "attempt", "price_per_gpu_hour", "breaker_state", "warmup"]

    let layout: Layout
    let file: OutputFile
    let buffer: RowBuffer
    let stepMicroseconds: Int64
    /// Every name a row writes, pre-encoded in one table (see `NameTable`): decision kinds,
    /// then reasons, causes, breaker states, regions and providers, at these offsets.
    let names: NameTable
    let reasonBase: Int, causeBase: Int, stateBase: Int, regionBase: Int, providerBase: Int, tenantPrefix: Int
    /// Decisions before this time are in the warm-up and marked `1` in the last column.
    let warmupEnd: Int64
    public private(set) var rows = 0
    /// The first write failure, reported when the run ends (a sink cannot throw).
    public private(set) var failure: OutputError?

    public init(file: OutputFile, layout: Layout = .events, stepLength: SimDuration, regions: [String], providers: [String],
                warmup: SimDuration = .zero) throws(OutputError) {
        self.file = file
        self.layout = layout
        stepMicroseconds = stepLength.microseconds
        warmupEnd = warmup.microseconds
        let kinds = DecisionKind.allCases.map(\.rawValue), reasons = Reason.allCases.map(\.rawValue)
        let causes = Reason.allCases.map(Self.cause), states = BreakerState.allCases.map(\.rawValue)
        reasonBase = kinds.count
        causeBase = reasonBase + reasons.count
        stateBase = causeBase + causes.count
        regionBase = stateBase + states.count
        providerBase = regionBase + regions.count
        // `tenant-`: the tenant column spells ids as the metrics and the runbooks do (TenantID).
        tenantPrefix = providerBase + providers.count
        names = NameTable(kinds + reasons + causes + states + (regions + providers).map(CSVWriter.escape) + [TenantID.prefix])
        // A row is at most 15 numbers and names (the tenant column is one of each).
        buffer = RowBuffer(threshold: 1 << 20, maxRowBytes: 15 * RowWriter.maxNumberBytes + 15 * names.longest + 16)
        try file.write(CSVWriter.line(layout == .routing ? Self.routingHeader : Self.header))
    }

    /// The cause a routing row names: what an operator would fix, in the runbook's words.
    public static func cause(_ r: Reason) -> String {
        switch r {
        case .rateLimited, .globalRateLimited: "rate_limit"
        case .bridgeTimeout: "bridge"
        case .badSignature: "signature"
        case .replayedNonce: "replay"
        case .quotaExhausted: "quota"
        case .regionDenied: "region"
        case .reputationFloor: "reputation"
        case .systemPaused, .shardPaused: "pause"
        case .shardFull: "shard_quota"
        case .overRewardCap: "reward_cap"
        case .durationExceeded: "duration"
        case .failClosed: "provenance_guard"
        case .operatorHalt: "halt"
        case .noEligibleProvider: "capacity"
        case .overBudget: "price"
        case .providerRejected, .providerFailed: "provider_failure"
        case .ackTimeout: "latency"
        case .providerOutage: "outage"
        case .attemptsExhausted: "attempts"
        default: ""
        }
    }

    public mutating func record(_ d: Decision) {
        switch (layout, d.kind) {
        case (.events, _): recordEvent(d)
        case (.routing, .filled), (.routing, .failedOver), (.routing, .rejected), (.routing, .dropped),
             (.routing, .interrupted): recordRouting(d)
        default: return
        }
        rows += 1
        if buffer.isFull { flush() }
    }

    /// The columns both layouts open with: time, step, order, tenant, region, GPU hours, decision, provider.
    @inline(__always)
    func prefix(_ d: Decision, _ w: inout RowWriter) {
        let comma = UInt8(ascii: ",")
        w.thousandths(d.time.microseconds); w.byte(comma)
        w.integer(d.time.microseconds / stepMicroseconds); w.byte(comma)
        if d.orderID >= 0 { w.integer(d.orderID) }; w.byte(comma)
        if d.tenant >= 0 { names.write(tenantPrefix, to: &w); w.integer(Int64(d.tenant)) }; w.byte(comma)
        if d.region >= 0 { names.write(regionBase + d.region, to: &w) }; w.byte(comma)
        if d.orderID >= 0 && d.kind != .provenance { w.fixed(d.gpuHours, decimals: 4) }; w.byte(comma)
        names.write(d.kind.ordinal, to: &w); w.byte(comma)
        if d.provider >= 0 { names.write(providerBase + d.provider, to: &w) }; w.byte(comma)
    }

    /// The columns both layouts close with: price, breaker state, warm-up mark, CRLF.
    @inline(__always)
    func suffix(_ d: Decision, _ w: inout RowWriter) {
        let comma = UInt8(ascii: ",")
        if let price = d.pricePerGPUHour { w.fixed(price, decimals: 4) }; w.byte(comma)
        if let s = d.breakerState { names.write(stateBase + s.ordinal, to: &w) }; w.byte(comma)
        if d.time.microseconds < warmupEnd { w.byte(UInt8(ascii: "1")) }
        w.byte(13); w.byte(10)  // CRLF
    }

    func recordEvent(_ d: Decision) {
        buffer.row { w in
            let comma = UInt8(ascii: ",")
            prefix(d, &w)
            names.write(reasonBase + d.reason.ordinal, to: &w); w.byte(comma)
            if d.attempt > 0 { w.integer(Int64(d.attempt)) }; w.byte(comma)
            if let rtt = d.bridgeRTT { w.thousandths(rtt.microseconds) }; w.byte(comma)
            if let p = d.policyDecisionTime { w.thousandths(p.microseconds) }; w.byte(comma)
            suffix(d, &w)
        }
    }

    func recordRouting(_ d: Decision) {
        buffer.row { w in
            let comma = UInt8(ascii: ",")
            prefix(d, &w)
            names.write(causeBase + d.reason.ordinal, to: &w); w.byte(comma)
            names.write(reasonBase + d.reason.ordinal, to: &w); w.byte(comma)
            if d.attempt > 0 { w.integer(Int64(d.attempt)) }; w.byte(comma)
            suffix(d, &w)
        }
    }

    /// Hands buffered rows to the file. Call once more at the end of the run.
    public mutating func flush() {
        defer { buffer.removeAll() }
        guard failure == nil else { return }
        do { try file.write(raw: buffer.bytes) } catch { failure = error }
    }
}
