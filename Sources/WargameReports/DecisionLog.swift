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
                                "reason", "attempt", "bridge_rtt_ms", "policy_ms", "price_per_gpu_hour", "breaker_state"]

    let file: OutputFile
    var text = ByteText(capacity: 1 << 21)
    let stepMicroseconds: Int64
    // Pre-encoded names, so a row costs no String work.
    let regions: [[UInt8]]
    let providers: [[UInt8]]
    static let kinds: [DecisionKind: [UInt8]] = Dictionary(uniqueKeysWithValues: DecisionKind.allCases.map { ($0, Array($0.rawValue.utf8)) })
    static let reasons: [Reason: [UInt8]] = Dictionary(uniqueKeysWithValues: Reason.allCases.map { ($0, Array($0.rawValue.utf8)) })
    static let states: [BreakerState: [UInt8]] = Dictionary(uniqueKeysWithValues: BreakerState.allCases.map { ($0, Array($0.rawValue.utf8)) })
    public private(set) var rows = 0
    /// The first write failure, reported when the run ends (a sink cannot throw).
    public private(set) var failure: OutputError?

    public init(file: OutputFile, stepLength: SimDuration, regions: [String], providers: [String]) throws(OutputError) {
        self.file = file
        stepMicroseconds = stepLength.microseconds
        self.regions = regions.map { Array(CSVWriter.escape($0).utf8) }
        self.providers = providers.map { Array(CSVWriter.escape($0).utf8) }
        try file.write(CSVWriter.line(Self.header))
    }

    public mutating func record(_ d: Decision) {
        let comma = UInt8(ascii: ",")
        text.append(Double(d.time.microseconds) / 1_000, decimals: 3); text.append(comma)
        text.append(d.time.microseconds / stepMicroseconds); text.append(comma)
        if d.orderID >= 0 { text.append(d.orderID) }; text.append(comma)
        if d.tenant >= 0 { text.append(d.tenant) }; text.append(comma)
        if d.region >= 0 { text.append(regions[d.region]) }; text.append(comma)
        if d.orderID >= 0 && d.kind != .provenance { text.append(d.gpuHours, decimals: 4) }; text.append(comma)
        text.append(Self.kinds[d.kind]!); text.append(comma)
        if d.provider >= 0 { text.append(providers[d.provider]) }; text.append(comma)
        text.append(Self.reasons[d.reason]!); text.append(comma)
        if d.attempt > 0 { text.append(d.attempt) }; text.append(comma)
        if let rtt = d.bridgeRTT { text.append(rtt.milliseconds, decimals: 3) }; text.append(comma)
        if let p = d.policyDecisionTime { text.append(p.milliseconds, decimals: 3) }; text.append(comma)
        if let price = d.pricePerGPUHour { text.append(price, decimals: 4) }; text.append(comma)
        if let s = d.breakerState { text.append(Self.states[s]!) }
        text.append(UInt8(13)); text.append(UInt8(10))  // CRLF (an Int literal would print "13")
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
