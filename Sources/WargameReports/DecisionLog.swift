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
    var text = ByteText(capacity: 1 << 21)
    let stepMicroseconds: Int64
    // Pre-encoded names, so a row costs no String work.
    let regions: [[UInt8]]
    let providers: [[UInt8]]
    static let kinds: [[UInt8]] = DecisionKind.allCases.map { Array($0.rawValue.utf8) }
    static let reasons: [[UInt8]] = Reason.allCases.map { Array($0.rawValue.utf8) }
    static let causes: [[UInt8]] = Reason.allCases.map { Array(cause($0).utf8) }
    static let states: [[UInt8]] = BreakerState.allCases.map { Array($0.rawValue.utf8) }
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
        self.regions = regions.map { Array(CSVWriter.escape($0).utf8) }
        self.providers = providers.map { Array(CSVWriter.escape($0).utf8) }
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
        case (.routing, .filled), (.routing, .failedOver), (.routing, .rejected), (.routing, .dropped): recordRouting(d)
        default: return
        }
        rows += 1
        if text.count >= 1 << 20 { flush() }
    }

    /// The columns both layouts open with: time, step, order, tenant, region, GPU hours, decision, provider.
    @inline(__always)
    static func prefix(_ d: Decision, _ w: inout RowWriter, step: Int64, regions: [[UInt8]], providers: [[UInt8]]) {
        let comma = UInt8(ascii: ",")
        w.fixed(Double(d.time.microseconds) / 1_000, decimals: 3); w.byte(comma)
        w.integer(step); w.byte(comma)
        if d.orderID >= 0 { w.integer(d.orderID) }; w.byte(comma)
        if d.tenant >= 0 { w.integer(Int64(d.tenant)) }; w.byte(comma)
        if d.region >= 0 { w.bytes(regions[d.region]) }; w.byte(comma)
        if d.orderID >= 0 && d.kind != .provenance { w.fixed(d.gpuHours, decimals: 4) }; w.byte(comma)
        w.bytes(kinds[d.kind.ordinal]); w.byte(comma)
        if d.provider >= 0 { w.bytes(providers[d.provider]) }; w.byte(comma)
    }

    func maxBytes(_ d: Decision) -> Int {
        // A row is at most 15 numbers and names (ids and names are validated to be short).
        15 * RowWriter.maxNumberBytes + (d.region >= 0 ? regions[d.region].count : 0)
            + (d.provider >= 0 ? providers[d.provider].count : 0) + 96
    }

    mutating func recordEvent(_ d: Decision) {
        let step = d.time.microseconds / stepMicroseconds, warm = d.time.microseconds < warmupEnd
        let (regions, providers) = (self.regions, self.providers)
        text.compose(maxBytes: maxBytes(d)) { w in
            let comma = UInt8(ascii: ",")
            Self.prefix(d, &w, step: step, regions: regions, providers: providers)
            w.bytes(Self.reasons[d.reason.ordinal]); w.byte(comma)
            if d.attempt > 0 { w.integer(Int64(d.attempt)) }; w.byte(comma)
            if let rtt = d.bridgeRTT { w.fixed(rtt.milliseconds, decimals: 3) }; w.byte(comma)
            if let p = d.policyDecisionTime { w.fixed(p.milliseconds, decimals: 3) }; w.byte(comma)
            Self.suffix(d, &w, warm: warm)
        }
    }

    /// The columns both layouts close with: price, breaker state, warm-up mark, CRLF.
    @inline(__always)
    static func suffix(_ d: Decision, _ w: inout RowWriter, warm: Bool) {
        let comma = UInt8(ascii: ",")
        if let price = d.pricePerGPUHour { w.fixed(price, decimals: 4) }; w.byte(comma)
        if let s = d.breakerState { w.bytes(states[s.ordinal]) }; w.byte(comma)
        if warm { w.byte(UInt8(ascii: "1")) }
        w.byte(13); w.byte(10)  // CRLF
    }

    mutating func recordRouting(_ d: Decision) {
        let step = d.time.microseconds / stepMicroseconds, warm = d.time.microseconds < warmupEnd
        let (regions, providers) = (self.regions, self.providers)
        text.compose(maxBytes: maxBytes(d)) { w in
            let comma = UInt8(ascii: ",")
            Self.prefix(d, &w, step: step, regions: regions, providers: providers)
            w.bytes(Self.causes[d.reason.ordinal]); w.byte(comma)
            w.bytes(Self.reasons[d.reason.ordinal]); w.byte(comma)
            if d.attempt > 0 { w.integer(Int64(d.attempt)) }; w.byte(comma)
            Self.suffix(d, &w, warm: warm)
        }
    }

    /// Hands buffered rows to the file. Call once more at the end of the run.
    public mutating func flush() {
        guard failure == nil else { text.removeAll(); return }
        do { try file.write(bytes: text.bytes) } catch { failure = error }
        text.removeAll()
    }
}
