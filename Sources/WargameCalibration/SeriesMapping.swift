/// Which observed series feeds which parameter: the default reads the families Wargame
/// itself exposes (`wargame_*` on `/metrics` and in `metrics.prom`); a production whose
/// names differ gives a mapping file (`docs/calibration.md`) naming its own.
public struct SeriesMapping: Sendable, Equatable {
    /// The unit a latency series is in; values are converted to the scenario field's unit.
    public enum Unit: String, Sendable, CaseIterable {
        case seconds, milliseconds
        /// GPU-seconds and GPU hours, for order sizes.
        case gpuSeconds = "gpu_seconds", gpuHours = "gpu_hours"

        /// The name suffix Prometheus's conventions give a series in this unit.
        var suffixes: [String] {
            switch self {
            case .seconds: ["_seconds"]
            case .milliseconds: ["_milliseconds", "_ms"]
            case .gpuSeconds: ["_gpu_seconds"]
            case .gpuHours: ["_gpu_hours"]
            }
        }
    }

    /// A metric, the label that tells its series apart (`provider`, `bridge`, …; nil for
    /// a single series) and, for latencies, its unit.
    public struct Source: Sendable, Equatable {
        public var metric: String
        public var label: String?
        public var unit: Unit?
        public init(_ metric: String, label: String? = nil, unit: Unit? = nil) {
            self.metric = metric; self.label = label; self.unit = unit
        }
    }

    public var providerAck = Source("wargame_provider_ack_seconds", label: "provider", unit: .seconds)
    public var providerAcks = Source("wargame_provider_acks_total", label: "provider")
    public var bridgeRelay = Source("wargame_bridge_relay_seconds", label: "bridge", unit: .seconds)
    public var bridgeMessages = Source("wargame_bridge_messages_total", label: "bridge")
    public var bridgeRoundTrip = Source("wargame_bridge_round_trip_seconds", label: "bridge", unit: .seconds)
    public var policyCheck = Source("wargame_policy_check_seconds", label: "check", unit: .seconds)
    public var tsaRequest = Source("wargame_tsa_request_seconds", label: "tsa", unit: .seconds)
    public var tsaRequests = Source("wargame_tsa_requests_total", label: "tsa")
    public var ipfsPin = Source("wargame_ipfs_pin_seconds", unit: .seconds)
    public var ipfsPins = Source("wargame_ipfs_pins_total")
    public var orderSize = Source("wargame_order_gpu_seconds", unit: .gpuSeconds)
    public var ordersSubmitted = Source("wargame_orders_submitted_total")
    /// The label of outcome counters, and the values the model's outcomes go by.
    public var outcomeLabel = "outcome"

    public init() {}

    /// The sources by the names a mapping file uses, in a fixed order.
    public static let names = ["provider_ack", "provider_acks", "bridge_relay", "bridge_messages", "bridge_round_trip", "policy_check", "tsa_request",
                               "tsa_requests", "ipfs_pin", "ipfs_pins", "order_size", "orders_submitted"]

    public subscript(name: String) -> Source? {
        get {
            switch name {
            case "provider_ack": providerAck
            case "provider_acks": providerAcks
            case "bridge_relay": bridgeRelay
            case "bridge_messages": bridgeMessages
            case "bridge_round_trip": bridgeRoundTrip
            case "policy_check": policyCheck
            case "tsa_request": tsaRequest
            case "tsa_requests": tsaRequests
            case "ipfs_pin": ipfsPin
            case "ipfs_pins": ipfsPins
            case "order_size": orderSize
            case "orders_submitted": ordersSubmitted
            default: nil
            }
        }
        set {
            guard let newValue else { return }
            switch name {
            case "provider_ack": providerAck = newValue
            case "provider_acks": providerAcks = newValue
            case "bridge_relay": bridgeRelay = newValue
            case "bridge_messages": bridgeMessages = newValue
            case "bridge_round_trip": bridgeRoundTrip = newValue
            case "policy_check": policyCheck = newValue
            case "tsa_request": tsaRequest = newValue
            case "tsa_requests": tsaRequests = newValue
            case "ipfs_pin": ipfsPin = newValue
            case "ipfs_pins": ipfsPins = newValue
            case "order_size": orderSize = newValue
            case "orders_submitted": ordersSubmitted = newValue
            default: break
            }
        }
    }
}
