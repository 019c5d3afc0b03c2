import Testing
@testable import WargameMonitoring

/// Alertmanager's routing, grouping timers and inhibition, on alerts with known times.
@Suite struct AlertmanagerTests {
    static let config = """
        route:
          receiver: ops
          group_by: [alertname]
          group_wait: 30s
          group_interval: 5m
          routes:
            - matchers: ['severity=~"page|critical"']
              receiver: pager
              group_wait: 10s
              continue: true
            - match:
                team: storage
              receiver: storage
            - matchers: ['{team="storage", severity="warning"}']
              receiver: never
        receivers:
          - name: ops
          - name: pager
            pagerduty_configs:
              - routing_key: x
          - name: storage
          - name: never
        inhibit_rules:
          - source_matchers: ['alertname="SystemDown"']
            target_matchers: ['severity="warning"']
            equal: [region]
        """

    func load(_ text: String = Self.config) throws -> AlertmanagerConfig { try AlertmanagerConfig.load(path: "am.yml", text: text) }

    func alert(_ labels: [(String, String)], fired: Int64, resolved: Int64? = nil) -> RoutedAlert {
        RoutedAlert(labels: Labels(labels), firedAtMs: fired * 1_000, resolvedAtMs: resolved.map { $0 * 1_000 })
    }

    @Test func routesLikeAlertmanager() throws {
        let c = try load()
        #expect(c.receivers.map(\.name) == ["ops", "pager", "storage", "never"] && c.receivers[1].kinds == ["pagerduty"])
        // continue: the page also goes down the later routes; the first non-continuing match stops.
        #expect(c.receivers(for: Labels([("severity", "page"), ("team", "storage")])) == ["pager", "storage"])
        #expect(c.receivers(for: Labels([("severity", "warning"), ("team", "storage")])) == ["storage"])
        #expect(c.receivers(for: Labels([("severity", "critical")])) == ["pager"])
        #expect(c.receivers(for: Labels([("alertname", "X")])) == ["ops"])  // no child matches: the root
        #expect(c.route.routes[0].groupIntervalMs == 300_000 && c.route.routes[0].groupWaitMs == 10_000)  // inherited and own
    }

    @Test func groupWaitThenGroupInterval() throws {
        let c = try load()
        let alerts = [
            alert([("alertname", "A")], fired: 100),
            alert([("alertname", "A"), ("instance", "2")], fired: 110),  // same group, within the wait: same flush
            alert([("alertname", "A"), ("instance", "3")], fired: 200),  // after the first flush: next interval
            alert([("alertname", "B")], fired: 100, resolved: 120),      // resolved before its group's first flush
        ]
        let n = c.notifications(alerts, untilMs: 10_000_000)
        #expect(n.map { [$0.alert, Int($0.atMs / 1_000)] } == [[0, 130], [1, 130], [2, 430]])
        #expect(n.allSatisfy { $0.receiver == "ops" && $0.route == "route" && $0.group == "{alertname=\"A\"}" })
    }

    @Test func aGroupWhoseAlertsResolvedStartsAgain() throws {
        let c = try load()
        let alerts = [alert([("alertname", "A")], fired: 100, resolved: 200), alert([("alertname", "A"), ("i", "2")], fired: 1_100)]
        // The group is gone after its flush at 430 found nothing firing; the next alert waits
        // group_wait again (a group still alive would have flushed it at 1,330).
        #expect(c.notifications(alerts, untilMs: 10_000_000).map { Int($0.atMs / 1_000) } == [130, 1_130])
        // And the simulation stops at the run's end.
        #expect(c.notifications(alerts, untilMs: 500_000).map { Int($0.atMs / 1_000) } == [130])
    }

    @Test func inhibitionMutesWhileTheSourceFires() throws {
        let c = try load()
        let alerts = [
            alert([("alertname", "SystemDown"), ("region", "eu")], fired: 0, resolved: 1_000),
            alert([("alertname", "Slow"), ("severity", "warning"), ("region", "eu")], fired: 10),   // muted until 1,000
            alert([("alertname", "Lag"), ("severity", "warning"), ("region", "us")], fired: 10),    // other region: not muted
        ]
        let n = c.notifications(alerts, untilMs: 10_000_000)
        #expect(n.first { $0.alert == 2 }?.atMs == 40_000)
        // Muted at 40, 340, 640, 940; notified at the first flush after the source resolved.
        #expect(n.first { $0.alert == 1 }?.atMs == 1_240_000)
        // An alert matching both sides is not muted by another that does too.
        let twoSided = try load(Self.config.replacingOccurrences(of: "source_matchers: ['alertname=\"SystemDown\"']", with: "source_matchers: ['severity=\"warning\"']"))
        let both = [alert([("alertname", "W1"), ("severity", "warning")], fired: 0), alert([("alertname", "W2"), ("severity", "warning")], fired: 0)]
        #expect(twoSided.notifications(both, untilMs: 1_000_000).count == 2)
    }

    @Test(arguments: [
        ("route:\n  receiver: nobody\nreceivers:\n  - name: ops", "route.receiver", "undefined receiver \"nobody\""),
        ("route:\n  receiver: ops\n  matchers: ['a=\"b\"']\nreceivers:\n  - name: ops", "route", "root route must not have any matchers"),
        ("route:\n  receiver: ops\n  routes:\n    - matchers: ['a=~\"(\"']\nreceivers:\n  - name: ops", "route.routes[0].matchers[0]", "invalid regular expression"),
        ("route:\n  receiver: ops\n  routes:\n    - mute_time_intervals: [night]\nreceivers:\n  - name: ops", "route.routes[0].mute_time_intervals", "not supported"),
        ("route:\n  receiver: ops\n  group_wait: soon\nreceivers:\n  - name: ops", "route.group_wait", "expected a duration"),
        ("route:\n  receiver: ops\nreceivers:\n  - name: ops\n    color: red", "receivers[0].color", "unknown receiver field"),
    ])
    func refusesByPath(text: String, path: String, message: String) {
        do throws(SpecError) {
            _ = try AlertmanagerConfig.load(path: "am.yml", text: text)
            Issue.record("accepted")
        } catch {
            #expect(error.path == path && error.message.contains(message), "\(error)")
        }
    }

    @Test func parsesMatcherStrings() throws {
        let m = try AlertmanagerMatchers.parse(#"{severity="page", team=~"a|b" ,x!=y, msg="a,\"b\""}"#)
        #expect(m.map { "\($0.name)\($0.op.rawValue)\($0.value)" } == ["severity=page", "team=~a|b", "x!=y", "msg=a,\"b\""])
        #expect(m[1].matches("b") && !m[1].matches("ab"))  // anchored
        #expect(throws: PromQLError.self) { try AlertmanagerMatchers.parse("severity") }
        #expect(throws: PromQLError.self) { try AlertmanagerMatchers.parse(#"a="unterminated"#) }
    }
}
