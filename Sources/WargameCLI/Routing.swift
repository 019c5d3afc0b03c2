import SimKernel
import WargameModels
import WargameMonitoring
import WargameReports

/// A run's fired alerts through the team's Alertmanager configuration: who was notified of
/// what, when, and per incident which receivers it reached first.
struct Routing {
    let notifications: [AlertNotification]
    /// Per incident: each receiver an attributed alert reached, first reach first, and how
    /// long after the incident began.
    let perIncident: [[(receiver: String, after: SimDuration)]]

    init(_ config: AlertmanagerConfig, episodes: [AlertEpisode], until: SimTime, attribution: IncidentAttribution, incidents: [Incident]) {
        let routed = episodes.map(Self.routed)
        let all = config.notifications(routed, untilMs: until.microseconds / 1_000)
        notifications = all
        let attributed = episodes.map { attribution.incidents(of: $0) }
        perIncident = incidents.indices.map { k in
            var first: [(receiver: String, after: SimDuration)] = []
            for n in all where attributed[n.alert].contains(k) && !first.contains(where: { $0.receiver == n.receiver }) {
                first.append((n.receiver, Self.time(n.atMs) - incidents[k].start))
            }
            return first
        }
    }

    /// An episode as Alertmanager receives it: `alertname` and its labels.
    static func routed(_ e: AlertEpisode) -> RoutedAlert {
        RoutedAlert(labels: Labels([("alertname", e.rule)] + e.labels), firedAtMs: e.firedAt.microseconds / 1_000,
                    resolvedAtMs: e.resolvedAt.map { $0.microseconds / 1_000 })
    }

    static func time(_ ms: Int64) -> SimTime { .zero + SimDuration(microseconds: ms * 1_000) }

    static let header = ["notified_at_s", "receiver", "alert", "labels", "fired_at_s", "route", "group", "incident"]

    /// `notifications.csv`: one row per first notification of an alert to a receiver, in time order.
    func csv(_ episodes: [AlertEpisode], attribution: IncidentAttribution) -> String {
        var out = CSVWriter.line(Self.header)
        for n in notifications {
            let e = episodes[n.alert]
            out += CSVWriter.line([NumberFormat.fixed(Self.time(n.atMs).seconds, 3), n.receiver, e.rule, e.labelsCell,
                                   NumberFormat.fixed(e.firedAt.seconds, 3), n.route, n.group, attribution.cell(e)])
        }
        return out
    }
}
