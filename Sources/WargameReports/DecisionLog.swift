import SimKernel
import WargameModels

/// `routing_decisions.csv`: one RFC 4180 row per decision, streamed through a large buffer.
///
/// Column order is fixed and documented in `docs/outputs.md`; the 7th column is the
/// decision, so `awk -F, '{print $7}' | sort | uniq -c` gives the decision mix as the
/// Aurora runbook's diagnosis step expects. No field ever needs quoting (ids, names and
/// reasons are validated identifiers), which the header golden test pins.
public struct DecisionLog: DecisionSink {
    public static let header = ["time_ms", "step", "order_id", "tenant", "region", "gpu_hours", "decision", "provider",
                                "reason", "attempt", "bridge_rtt_ms", "policy_ms", "price_per_gpu_hour", "breaker_state", "warmup"]

    let file: OutputFile
    var text = ByteText(capacity: 1 << 21)
    let stepMicroseconds: Int64
    // Pre-encoded names, so a row costs no String work.
    let regions: [[UInt8]]
    let providers: [[UInt8]]
    static let kinds: [[UInt8]] = DecisionKind.allCases.map { Array($0.rawValue.utf8) }
    static let reasons: [[UInt8]] = Reason.allCases.map { Array($0.rawValue.utf8) }
    static let states: [[UInt8]] = BreakerState.allCases.map { Array($0.rawValue.utf8) }
    /// Decisions before this time are in the warm-up and marked `1` in the last column.
    let warmupEnd: Int64
    public private(set) var rows = 0
    /// The first write failure, reported when the run ends (a sink cannot throw).
    public private(set) var failure: OutputError?

    public init(file: OutputFile, stepLength: SimDuration, regions: [String], providers: [String],
                warmup: SimDuration = .zero) throws(OutputError) {
        self.file = file
        warmupEnd = warmup.microseconds
        stepMicroseconds = stepLength.microseconds
        self.regions = regions.map { Array(CSVWriter.escape($0).utf8) }
        self.providers = providers.map { Array(CSVWriter.escape($0).utf8) }
        try file.write(CSVWriter.line(Self.header))
    }

    public mutating func record(_ d: Decision) {
        let step = d.time.microseconds / stepMicroseconds
        // A row is at most 15 numbers and names (ids and names are validated to be short).
        let maxBytes = 15 * RowWriter.maxNumberBytes + (d.region >= 0 ? regions[d.region].count : 0)
            + (d.provider >= 0 ? providers[d.provider].count : 0) + 64
        text.compose(maxBytes: maxBytes) { w in
            let comma = UInt8(ascii: ",")
            w.fixed(Double(d.time.microseconds) / 1_000, decimals: 3); w.byte(comma)
            w.integer(step); w.byte(comma)
            if d.orderID >= 0 { w.integer(d.orderID) }; w.byte(comma)
            if d.tenant >= 0 { w.integer(Int64(d.tenant)) }; w.byte(comma)
            if d.region >= 0 { w.bytes(regions[d.region]) }; w.byte(comma)
            if d.orderID >= 0 && d.kind != .provenance { w.fixed(d.gpuHours, decimals: 4) }; w.byte(comma)
            w.bytes(Self.kinds[d.kind.ordinal]); w.byte(comma)
            if d.provider >= 0 { w.bytes(providers[d.provider]) }; w.byte(comma)
            w.bytes(Self.reasons[d.reason.ordinal]); w.byte(comma)
            if d.attempt > 0 { w.integer(Int64(d.attempt)) }; w.byte(comma)
            if let rtt = d.bridgeRTT { w.fixed(rtt.milliseconds, decimals: 3) }; w.byte(comma)
            if let p = d.policyDecisionTime { w.fixed(p.milliseconds, decimals: 3) }; w.byte(comma)
            if let price = d.pricePerGPUHour { w.fixed(price, decimals: 4) }; w.byte(comma)
            if let s = d.breakerState { w.bytes(Self.states[s.ordinal]) }; w.byte(comma)
            if d.time.microseconds < warmupEnd { w.byte(UInt8(ascii: "1")) }
            w.byte(13); w.byte(10)  // CRLF
        }
        rows += 1
        if text.count >= 1 << 20 { flush() }
    }

    /// Hands buffered rows to the file. Call once more at the end of the run.
    public mutating func flush() {
        guard failure == nil else { text.removeAll(); return }
        do { try file.write(bytes: text.bytes) } catch { failure = error }
        text.removeAll()
    }
}
