import Testing
import SimKernel
import WargameModels
@testable import WargameReports

/// The rules of attribution on hand-made episodes.
@Suite struct AttributionRuleTests {
    func incident(_ name: String, _ kind: Incident.Kind, from: Int64, minutes: Int64) -> Incident {
        Incident(name: name, kind: kind, start: .zero + .minutes(from), duration: .minutes(minutes))
    }

    func episode(_ rule: String, fired: Int64, resolved: Int64?) -> AlertEpisode {
        AlertEpisode(rule: rule, severity: .warning, pendingAt: .zero + .minutes(fired), firedAt: .zero + .minutes(fired),
                     resolvedAt: resolved.map { .zero + .minutes($0) })
    }

    /// An alert already firing when a second incident starts is the first's: the second is
    /// detected only when one of its alerts fires anew, and it recovers only when all of its
    /// linked alerts are clear.
    @Test func anAlertAlreadyFiringCountsOnlyWhenItFiresAnew() {
        let incidents = [incident("tsa", .tsaOutage(primary: true, backup: false), from: 0, minutes: 60),
                         incident("ipfs", .ipfsOutage, from: 10, minutes: 30)]
        var policy = ResponsePolicy()
        policy.rto = .minutes(60)
        let attribution = IncidentAttribution(incidents: incidents, detection: incidents.map { .defaults(for: $0.kind) },
                                              rules: AlertRule.defaults, policy: policy)
        let alerts = [episode("CoverageLow", fired: 5, resolved: 20), episode("CoverageLow", fired: 25, resolved: 50),
                      episode("BridgeRTTHigh", fired: 12, resolved: 30)]
        let wg = WarGameOutcome(actions: [], alerts: alerts, incidents: incidents, attribution: attribution, totals: RunTotals(), policy: policy)
        #expect(wg.attributions == [[0], [0, 1], []])
        #expect(wg.incidents[0].detection == .minutes(5) && wg.incidents[1].detection == .minutes(15))
        #expect(wg.incidents[1].recovery == .minutes(40))
        #expect(wg.quality.unattributed == 1 && wg.quality.firings == 3)
        #expect(wg.quality.pages == 0 && wg.quality.precision == nil && wg.quality.incidentsPaged == 0)
    }

    @Test func selectorsParseAndMatchAsPrometheusMatchers() throws {
        let rule = AlertRule.defaults.first { $0.name == "BridgeRTTCritical" }!
        for (text, hit) in [("BridgeRTTCritical", true), ("BridgeRTTHigh", false), (#"{signal="bridge_rtt_p95_ms"}"#, true),
                            (#"{alertname=~"Bridge.*", severity!="critical"}"#, false), (#"{alertname=~"RTT"}"#, false),
                            (#"{alertname!~"Fill.*",severity="critical"}"#, true), (#"{team="x"}"#, false), (#"{team!="x"}"#, true)] {
            #expect(try AlertSelector.parse(text).matches(rule.labels) == hit, "\(text)")
        }
        #expect(try AlertSelector.parse(#"{ signal = "a\"b" }"#).matchers[0].value == "a\"b")
        #expect(throws: SelectorError.self) { try AlertSelector.parse("{signal}") }
        #expect(throws: SelectorError.self) { try AlertSelector.parse("two words") }
    }
}
