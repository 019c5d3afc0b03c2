import WargameScenario

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
    public var ordersFilled = Source("wargame_orders_filled_total")
    /// The label of outcome counters, and the values the model's outcomes go by.
    public var outcomeLabel = "outcome"

    public init() {}

    /// The sources by the names a mapping file uses, in a fixed order (computed: key paths
    /// are not `Sendable`, so they cannot be stored in a static).
    static var sources: [(name: String, keyPath: WritableKeyPath<SeriesMapping, Source>)] { [
        ("provider_ack", \.providerAck), ("provider_acks", \.providerAcks), ("bridge_relay", \.bridgeRelay),
        ("bridge_messages", \.bridgeMessages), ("bridge_round_trip", \.bridgeRoundTrip), ("policy_check", \.policyCheck),
        ("tsa_request", \.tsaRequest), ("tsa_requests", \.tsaRequests), ("ipfs_pin", \.ipfsPin), ("ipfs_pins", \.ipfsPins),
        ("order_size", \.orderSize), ("orders_submitted", \.ordersSubmitted), ("orders_filled", \.ordersFilled),
    ] }
    public static var names: [String] { sources.map(\.name) }

    public subscript(name: String) -> Source? {
        get { Self.sources.first { $0.name == name }.map { self[keyPath: $0.keyPath] } }
        set {
            guard let newValue, let k = Self.sources.first(where: { $0.name == name })?.keyPath else { return }
            self[keyPath: k] = newValue
        }
    }
}

extension SeriesMapping {
    /// A mapping file: `{"version": 1, "series": {NAME: {"metric": …, "label": …, "unit": …}},
    /// "outcome_label": …}`, every part optional but `version`; what it leaves out keeps the
    /// default. Mistakes name the file and the JSON path.
    public static func load(_ path: String) throws(TelemetryError) -> SeriesMapping {
        let json: JSON
        do { json = try JSONParser.parse(try TelemetryReader.text(path)) } catch let e as JSONSyntaxError {
            throw TelemetryError(file: path, location: "line \(e.line), column \(e.column)", message: e.message)
        } catch let e as TelemetryError { throw e } catch { throw TelemetryError(file: path, location: "", message: "\(error)") }
        func fail(_ at: String, _ message: String) -> TelemetryError { TelemetryError(file: path, location: at, message: message) }
        guard case .object(let top) = json else { throw fail("", "expected an object, found \(json.described)") }
        var m = SeriesMapping()
        for member in top {
            switch member.key {
            case "version":
                guard case .number(let n) = member.value, n.int == 1 else { throw fail("version", "expected 1, found \(member.value.described)") }
            case "outcome_label":
                guard case .string(let s) = member.value, !s.isEmpty else { throw fail("outcome_label", "expected a label name, found \(member.value.described)") }
                m.outcomeLabel = s
            case "series":
                guard case .object(let entries) = member.value else { throw fail("series", "expected an object of sources by name, found \(member.value.described)") }
                for entry in entries {
                    let at = "series." + entry.key
                    guard var source = m[entry.key] else {
                        throw fail(at, "expected one of " + names.joined(separator: ", ") + ", found \"\(entry.key)\"")
                    }
                    guard case .object(let fields) = entry.value else { throw fail(at, "expected an object with metric, label, unit, found \(entry.value.described)") }
                    for f in fields {
                        switch (f.key, f.value) {
                        case ("metric", .string(let s)) where !s.isEmpty: source.metric = s
                        case ("label", .string(let s)) where !s.isEmpty: source.label = s
                        case ("label", .null): source.label = nil
                        case ("unit", .string(let s)):
                            guard let u = Unit(rawValue: s), source.unit != nil else {
                                throw fail(at + ".unit", source.unit == nil ? "expected no unit (\(entry.key) counts events), found \"\(s)\""
                                                                              : "expected one of " + Unit.allCases.map(\.rawValue).joined(separator: ", ") + ", found \"\(s)\"")
                            }
                            source.unit = u
                        case ("metric", _), ("label", _), ("unit", _):
                            throw fail(at + "." + f.key, "expected a non-empty string, found \(f.value.described)")
                        default:
                            throw fail(at + "." + f.key, "expected metric, label or unit, found \"\(f.key)\"")
                        }
                    }
                    m[entry.key] = source
                }
            default:
                throw fail(member.key, "expected version, series or outcome_label, found \"\(member.key)\"")
            }
        }
        guard top.contains(where: { $0.key == "version" }) else { throw fail("version", "expected \"version\": 1, found none") }
        return m
    }
}
