import Foundation

/// A team's service-level objective as the war game runs it: an SLI in PromQL over the
/// simulated series, an objective over a period, and the multiwindow multi-burn-rate alerts
/// of the SRE workbook (chapter 5, "Alerting on SLOs"). Read from Sloth or OpenSLO
/// (`SLOImport`) or written in a scenario; compiled into Prometheus rules (`SLORules`) that
/// run beside the team's own, so an SLO's alerts are evaluated exactly like any other rule.
public struct SLOSpec: Sendable, Equatable {
    public var service: String
    public var name: String
    /// The target ratio of good events, 0 < objective < 1 (Sloth's 99.9 is 0.999).
    public var objective: Double
    /// The SLO's period (Sloth's and OpenSLO's default: 30 days).
    public var periodMs: Int64 = 30 * 86_400_000
    public var sli: SLI
    /// Labels on every series and alert of the SLO.
    public var labels: [Labels.Pair] = []
    public var alertName: String
    public var alertLabels: [Labels.Pair] = []
    public var alertAnnotations: [Labels.Pair] = []
    /// The page and ticket alerts' own labels and annotations; nil when disabled.
    public var page: AlertLevel? = AlertLevel()
    public var ticket: AlertLevel? = AlertLevel()
    public var burnRates: [BurnRate] = BurnRate.workbook

    public init(service: String, name: String, objective: Double, sli: SLI, alertName: String) {
        self.service = service
        self.name = name
        self.objective = objective
        self.sli = sli
        self.alertName = alertName
    }

    /// Sloth's `sloth_id`: the SLO's name in every generated series and in the scorecard.
    public var id: String { service + "-" + name }
    /// The share of events allowed to be bad, to 12 significant digits (0.999 leaves 0.001,
    /// not 0.0010000000000000009): the figure the alert thresholds print and verdicts use.
    public var errorBudget: Double { Double(String(format: "%.12g", 1 - objective)) ?? 1 - objective }

    /// How the SLI is measured. `{{.window}}` in a query stands for each alert window
    /// (Sloth's convention).
    public enum SLI: Sendable, Equatable {
        /// Bad events over all events, each a rate over `{{.window}}` (Sloth's `events`).
        case events(errorQuery: String, totalQuery: String)
        /// The error ratio itself over `{{.window}}` (Sloth's `raw`).
        case errorRatio(String)
        /// Per-second rates over fixed windows (an OpenSLO query such as
        /// `sum(rate(x[5m]))`): recorded at each evaluation and averaged over each window.
        case rates(errorQuery: String, totalQuery: String)
        /// A value and the bound it must stay within (OpenSLO's `thresholdMetric`): each
        /// evaluation is good or bad, and the error ratio is the share of bad ones.
        case threshold(query: String, good: Comparison, bound: Double)
    }

    public enum Comparison: String, Sendable, CaseIterable {
        case lt, lte, gt, gte
        /// The PromQL operator that holds when the objective's comparison does not.
        var violated: String {
            switch self {
            case .lt: ">="
            case .lte: ">"
            case .gt: "<="
            case .gte: "<"
            }
        }
    }

    public struct AlertLevel: Sendable, Equatable {
        public var labels: [Labels.Pair] = []
        public var annotations: [Labels.Pair] = []
        /// How long the burn must last before the alert fires (its rule's `for:`; 0: at once).
        public var forMs: Int64 = 0
        public init(labels: [Labels.Pair] = [], annotations: [Labels.Pair] = [], forMs: Int64 = 0) {
            self.labels = labels
            self.annotations = annotations
            self.forMs = forMs
        }
    }

    /// One multiwindow condition: the error ratio over both windows above `factor` × the
    /// budget. The long window measures, the short one makes the alert stop soon after the
    /// burn does. A short window equal to the long one is a single-window condition (an
    /// OpenSLO burn-rate condition's `lookbackWindow`).
    public struct BurnRate: Sendable, Equatable {
        public enum Severity: String, Sendable, CaseIterable { case page, ticket }
        public var severity: Severity
        public var longMs: Int64
        public var shortMs: Int64
        public var factor: Double
        /// At or above the threshold (OpenSLO's `op: gte`) rather than above it.
        public var inclusive: Bool

        public init(_ severity: Severity, long: Int64, short: Int64, factor: Double, inclusive: Bool = false) {
            self.severity = severity
            self.longMs = long
            self.shortMs = short
            self.factor = factor
            self.inclusive = inclusive
        }

        /// The SRE workbook's table for a 30-day SLO: 2 % of the budget in 1 h and 5 % in
        /// 6 h page; 10 % in 1 d and 10 % in 3 d open tickets.
        public static let workbook: [BurnRate] = [
            BurnRate(.page, long: 3_600_000, short: 300_000, factor: 14.4),
            BurnRate(.page, long: 6 * 3_600_000, short: 1_800_000, factor: 6),
            BurnRate(.ticket, long: 86_400_000, short: 2 * 3_600_000, factor: 3),
            BurnRate(.ticket, long: 3 * 86_400_000, short: 6 * 3_600_000, factor: 1),
        ]
    }

    /// Every window a rule needs a ratio over, shortest first.
    public var windows: [Int64] { Array(Set(burnRates.flatMap { [$0.longMs, $0.shortMs] })).sorted() }

    /// The recorded error ratio over `window`.
    public static func ratioMetric(_ window: Int64) -> String { "slo:sli_error:ratio_rate" + PrometheusDuration.format(window) }

    public static let windowPlaceholder = "{{.window}}"

    /// `text` with Sloth's placeholder (with or without inner spaces) replaced by `window`.
    public static func substitute(_ text: String, window: String) -> String {
        text.replacingOccurrences(of: "{{ .window }}", with: window).replacingOccurrences(of: windowPlaceholder, with: window)
    }

    public static func hasPlaceholder(_ text: String) -> Bool {
        text.contains(windowPlaceholder) || text.contains("{{ .window }}")
    }
}
