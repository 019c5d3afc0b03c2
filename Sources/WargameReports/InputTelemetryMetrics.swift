import SimKernel
import WargameModels

/// The families of `InputTelemetry`: one histogram per latency the model draws and one
/// counter per Bernoulli outcome, in base units, labelled like production's would be. The
/// names are the ones `calibrate`'s default mapping reads (`docs/calibration.md`).
extension PrometheusText {
    /// Histogram and counter family names, by what they measure.
    public enum InputFamily {
        public static let providerAck = "wargame_provider_ack_seconds"
        public static let providerAcks = "wargame_provider_acks_total"
        public static let bridgeRelay = "wargame_bridge_relay_seconds"
        public static let bridgeMessages = "wargame_bridge_messages_total"
        public static let bridgeRoundTrip = "wargame_bridge_round_trip_seconds"
        public static let policyCheck = "wargame_policy_check_seconds"
        public static let tsaRequest = "wargame_tsa_request_seconds"
        public static let tsaRequests = "wargame_tsa_requests_total"
        public static let ipfsPin = "wargame_ipfs_pin_seconds"
        public static let ipfsPins = "wargame_ipfs_pins_total"
        public static let orderSize = "wargame_order_gpu_seconds"
    }

    /// A family of histograms, one per label value, already in base units.
    public mutating func histograms(_ name: String, help: String, label: String?, _ all: @autoclosure () -> [(String, BucketHistogram)]) {
        family(name, "histogram", help)
        guard wanted else { return }
        let series = all()
        if scrapedAsBefore(series, sumDivisor: 1) { return }
        let (bucket, sum, count) = sampleNames ?? (name + "_bucket", name + "_sum", name + "_count")
        for (value, h) in series {
            let labels = label.map { [($0, value)] } ?? []
            if wantsBucket {
                // One label array per series, its `le` rewritten in place for each bucket.
                var l = labels + [("le", "")]
                var running = 0
                for (bound, c) in zip(h.bounds, h.counts) {
                    running += c
                    l[l.count - 1].1 = leText(bound)
                    sample(bucket, l, value: .count(running))
                }
                l[l.count - 1].1 = "+Inf"
                sample(bucket, l, value: .count(h.count))
            }
            if wantsSum { sample(sum, labels, value: .fixed(h.sum, 6)) }
            if wantsCount { sample(count, labels, value: .count(h.count)) }
        }
    }

    /// Outcome counters of labelled series: `{label="…", outcome="…"}`.
    mutating func outcomes(_ name: String, help: String, label: String?, _ series: [InputTelemetry.Series], names: [String]) {
        family(name, "counter", help)
        guard wanted else { return }
        if scrapedAsBefore(series, names: names) { return }
        for s in series {
            for (outcome, n) in zip(names, s.outcomes) { sample(name, (label.map { [($0, s.label)] } ?? []) + [("outcome", outcome)], value: .count(n)) }
        }
    }

    mutating func inputTelemetry(_ t: InputTelemetry) {
        typealias F = InputFamily
        histograms(F.providerAck, help: "Provider acknowledgement latency of every placement asked of a provider that was up.",
                   label: "provider", t.providers.map { ($0.label, $0.latency) })
        outcomes(F.providerAcks, help: "Placements asked of providers that were up, by outcome (accepted, refused, timeout).",
                 label: "provider", t.providers, names: InputTelemetry.ackOutcomes)
        histograms(F.bridgeRelay, help: "Relayer work of each of our bridge messages (before queueing and the network leg).",
                   label: "bridge", t.bridges.map { ($0.label, $0.latency) })
        histograms(F.bridgeRoundTrip, help: "Round trip of each successful bridge try, per bridge, warm-up included (wargame_bridge_rtt_seconds is the KPI's: all bridges, after warm-up).",
                   label: "bridge", zip(t.bridges, t.roundTrips).map { ($0.label, $1) })
        outcomes(F.bridgeMessages, help: "Bridge message tries by fate (delivered, lost).", label: "bridge", t.bridges, names: InputTelemetry.messageOutcomes)
        histograms(F.policyCheck, help: "vault-law evaluation time of each check that ran.", label: "check", t.checks.map { ($0.label, $0.latency) })
        histograms(F.tsaRequest, help: "RFC 3161 time-stamp request latency, outside outages.", label: "tsa", t.tsas.map { ($0.label, $0.latency) })
        outcomes(F.tsaRequests, help: "Time-stamp requests by outcome (success, failure, outage).", label: "tsa", t.tsas, names: InputTelemetry.requestOutcomes)
        histograms(F.ipfsPin, help: "IPFS pin latency, outside outages.", label: nil, [("", t.ipfs.latency)])
        outcomes(F.ipfsPins, help: "IPFS pins by outcome (success, failure, outage).", label: nil, [t.ipfs], names: InputTelemetry.requestOutcomes)
        histograms(F.orderSize, help: "Sizes of the orders made, GPU-seconds (÷ 3600: GPU hours).", label: nil, [("", t.orderSizes)])
    }
}
