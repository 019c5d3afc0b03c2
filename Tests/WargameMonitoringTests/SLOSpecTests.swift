import Testing
@testable import WargameMonitoring

/// Sloth and OpenSLO specs read into `SLOSpec`s (or refused, by field), compiled into rules,
/// and those rules' multiwindow alerts evaluated on counters with a known error ratio.
@Suite struct SLOSpecTests {
    static let sloth = """
        version: "prometheus/v1"
        service: "aurora"
        labels:
          owner: "sre"
        slos:
          - name: "orders-kept"
            objective: 99
            sli:
              events:
                error_query: sum(rate(bad_total[{{.window}}]))
                total_query: sum(rate(all_total[{{.window}}]))
            alerting:
              name: OrdersBurn
              labels:
                team: "market"
              page_alert:
                labels:
                  severity: page
              ticket_alert:
                disable: true
        """

    @Test func readsSloth() throws {
        let specs = try SLOImport.load(path: "s.yaml", text: Self.sloth)
        #expect(specs.count == 1)
        let s = specs[0]
        #expect(s.id == "aurora-orders-kept" && s.objective == 0.99 && s.errorBudget == 0.01)
        #expect(s.sli == .events(errorQuery: "sum(rate(bad_total[{{.window}}]))", totalQuery: "sum(rate(all_total[{{.window}}]))"))
        #expect(s.labels == [Labels.Pair("owner", "sre")] && s.alertName == "OrdersBurn")
        #expect(s.page == SLOSpec.AlertLevel(labels: [Labels.Pair("severity", "page")]) && s.ticket == nil)
        #expect(s.windows == [300_000, 1_800_000, 3_600_000, 7_200_000, 21_600_000, 86_400_000, 259_200_000])
    }

    static let openSLO = """
        apiVersion: openslo/v1
        kind: SLO
        metadata:
          name: fast
          labels:
            tier: [gold, web]
        spec:
          service: api
          indicatorRef: fast-sli
          timeWindow:
            - duration: 28d
              isRolling: true
          objectives:
            - target: 0.995
        ---
        apiVersion: openslo/v1
        kind: SLI
        metadata:
          name: fast-sli
        spec:
          ratioMetric:
            counter: true
            good:
              metricSource:
                type: Prometheus
                spec:
                  query: req_bucket{le="0.1"}
            total:
              metricSource:
                type: prometheus
                spec:
                  query: req_count
        ---
        apiVersion: openslo/v1
        kind: SLO
        metadata:
          name: p95
        spec:
          service: api
          budgetingMethod: Timeslices
          indicator:
            metadata:
              name: p95
            spec:
              thresholdMetric:
                metricSource:
                  type: Prometheus
                  spec:
                    query: histogram_quantile(0.95, sum by (le) (rate(req_bucket[5m])))
          objectives:
            - op: lte
              value: 0.25
              targetPercent: 99
        """

    @Test func readsOpenSLO() throws {
        let specs = try SLOImport.load(path: "o.yaml", text: Self.openSLO)
        #expect(specs.map(\.id) == ["api-fast", "api-p95"])
        // A counter's bare selector is rated over each window; "good" becomes total − good.
        #expect(specs[0].sli == .events(errorQuery: "(sum(rate(req_count[{{.window}}]))) - (sum(rate(req_bucket{le=\"0.1\"}[{{.window}}])))",
                                        totalQuery: "sum(rate(req_count[{{.window}}]))"))
        #expect(specs[0].periodMs == 28 * 86_400_000 && specs[0].objective == 0.995)
        #expect(specs[0].labels == [Labels.Pair("tier", "gold,web")] && specs[0].alertName == "FastBudgetBurn")
        #expect(specs[1].sli == .threshold(query: "histogram_quantile(0.95, sum by (le) (rate(req_bucket[5m])))", good: .lte, bound: 0.25))
        #expect(abs(specs[1].objective - 0.99) < 1e-15 && specs[1].periodMs == 30 * 86_400_000)
    }

    /// Each refusal names the field: a spec Wargame half-understood would rehearse another SLO.
    @Test(arguments: [
        ("sli:\n      plugin:\n        id: x", "slos[0].sli.plugin", "plugins are not supported"),
        ("objective: 100", "slos[0].objective", "above 0 and below 100"),
        ("sli:\n      events:\n        error_query: sum(rate(bad_total[5m]))\n        total_query: sum(rate(all_total[{{.window}}]))",
         "slos[0].sli.events.error_query", "expected {{.window}}"),
        ("sli:\n      raw:\n        error_ratio_query: sum(rate(x[{{.window}}]) by (a)", "slos[0].sli.raw.error_ratio_query", "found \"by\""),
        ("budget: 3", "slos[0].budget", "unknown or unsupported field \"budget\""),
    ])
    func refusesSlothFieldsByPath(patch: String, path: String, message: String) throws {
        var lines = Self.sloth.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        let key = patch.split(separator: ":")[0]
        if let i = lines.firstIndex(where: { $0.trimmingCharacters(in: .whitespaces).hasPrefix(key + ":") && $0.hasPrefix("    ") && !$0.hasPrefix("      ") }) {
            // Replace the whole field (its indented block too).
            var j = i + 1
            while j < lines.count && lines[j].hasPrefix("      ") { j += 1 }
            lines.replaceSubrange(i..<j, with: ["    " + patch])
        } else {
            lines.append("    " + patch)
        }
        do {
            _ = try SLOImport.load(path: "s.yaml", text: lines.joined(separator: "\n"))
            Issue.record("accepted \(patch)")
        } catch {
            #expect(error.path == path)
            #expect(error.message.contains(message), "\(error.message)")
            #expect(error.line > 0)
        }
    }

    @Test func refusesOpenSLOFieldsByPath() {
        func refusal(_ text: String) -> SpecError? {
            do { _ = try SLOImport.load(path: "o.yaml", text: text); return nil } catch { return error }
        }
        let targets = Self.openSLO.replacingOccurrences(of: "  indicatorRef: fast-sli", with: "  indicatorRef: fast-sli\n" + Self.policies(
            "  - kind: AlertPolicy\n    metadata: {name: p}\n    spec:\n      notificationTargets: [{targetRef: pagerduty}]\n      conditions: []"))
        #expect(refusal(targets)?.path == "documents[0].spec.alertPolicies[0].spec.notificationTargets")
        #expect(refusal(targets)?.message.contains("--alertmanager-config") == true)
        let datadog = Self.openSLO.replacingOccurrences(of: "type: prometheus", with: "type: Datadog")
        #expect(refusal(datadog)?.message.contains("expected Prometheus") == true)
        let occurrences = Self.openSLO.replacingOccurrences(of: "budgetingMethod: Timeslices", with: "budgetingMethod: Occurrences")
        #expect(refusal(occurrences)?.path == "documents[2].spec.budgetingMethod")
        let source = Self.openSLO.replacingOccurrences(of: "kind: SLI", with: "kind: DataSource")
        #expect(refusal(source)?.message.contains("DataSource is not supported") == true)
        let missing = Self.openSLO.replacingOccurrences(of: "indicatorRef: fast-sli", with: "indicatorRef: slow-sli")
        #expect(refusal(missing)?.path == "documents[0].spec.indicatorRef")
        #expect(refusal("kind: SLO\n")?.message.contains("expected a Sloth spec") == true)
    }

    static func policies(_ items: String) -> String { "  alertPolicies:\n" + items }

    /// OpenSLO alert policies, inline and by reference: each burn-rate condition read
    /// literally (one window, its op, alertAfter as the rule's for:), page-like severities
    /// paging, the condition's severity word the alert's label.
    @Test func readsOpenSLOAlertPolicies() throws {
        let inline = """
              - kind: AlertPolicy
                metadata: {name: fast-burn}
                spec:
                  alertWhenBreaching: true
                  conditions:
                    - kind: AlertCondition
                      metadata: {name: fast}
                      spec:
                        severity: critical
                        condition: {kind: burnrate, op: gte, threshold: 14.4, lookbackWindow: 1h, alertAfter: 5m}
              - alertPolicyRef: slow-burn
            """
        let text = Self.openSLO.replacingOccurrences(of: "  indicatorRef: fast-sli", with: "  indicatorRef: fast-sli\n" + Self.policies(inline)) + """

            ---
            apiVersion: openslo/v1
            kind: AlertPolicy
            metadata: {name: slow-burn}
            spec:
              conditions:
                - conditionRef: slow
            ---
            apiVersion: openslo/v1
            kind: AlertCondition
            metadata: {name: slow}
            spec:
              severity: ticket
              condition: {kind: burnrate, op: gt, threshold: 2, lookbackWindow: 6h}
            """
        let spec = try #require(try SLOImport.load(path: "o.yaml", text: text).first)
        #expect(spec.burnRates == [SLOSpec.BurnRate(.page, long: 3_600_000, short: 3_600_000, factor: 14.4, inclusive: true),
                                   SLOSpec.BurnRate(.ticket, long: 6 * 3_600_000, short: 6 * 3_600_000, factor: 2)])
        #expect(spec.page == SLOSpec.AlertLevel(labels: [Labels.Pair("severity", "critical")], forMs: 300_000))
        #expect(spec.ticket == SLOSpec.AlertLevel(labels: [Labels.Pair("severity", "ticket")], forMs: 0))
        let rules = SLORules.text([spec])
        let file = try RuleFile.load(path: "slo.yml", text: rules)
        let page = try #require(file.rules.first { $0.kind == .alert && $0.labels.contains { $0.name == "severity" && $0.template.source == "critical" } })
        #expect(page.forMs == 300_000)
        #expect(page.exprText.contains("sloth_slo=\"fast\"} >= (14.4 * 0.005)) without (sloth_window)"))
        #expect(!page.exprText.contains(" and "), "one window: \(page.exprText)")
        // Conditions of one level must agree on what their one rule carries.
        let clash = text.replacingOccurrences(of: "severity: ticket", with: "severity: page")
        #expect(throws: SpecError.self) { try SLOImport.load(path: "o.yaml", text: clash) }
    }

    /// The compiled rules load as a Prometheus rule file, with Sloth's series and one alert
    /// per enabled severity whose thresholds are factor × budget.
    @Test func compilesToRules() throws {
        let specs = try SLOImport.load(path: "s.yaml", text: Self.sloth)
        let file = try RuleFile.load(path: "slo.yml", text: SLORules.text(specs))
        let records = file.rules.filter { $0.kind == .record }.map(\.name)
        #expect(records == specs[0].windows.map(SLOSpec.ratioMetric))
        let alerts = file.rules.filter { $0.kind == .alert }
        #expect(alerts.count == 1 && alerts[0].name == "OrdersBurn")  // the ticket alert is disabled
        #expect(alerts[0].exprText.contains("(14.4 * 0.01)") && alerts[0].exprText.contains("(6 * 0.01)"))
        #expect(!alerts[0].exprText.contains("(3 * 0.01)"))
        let labels = Dictionary(uniqueKeysWithValues: alerts[0].labels.map { ($0.name, $0.template.source) })
        // The alert's own labels; the SLO's (owner, sloth_id…) come with the recorded series.
        #expect(labels == ["severity": "page", "sloth_severity": "page", "team": "market"])
    }

    /// 100 requests a minute; from minute 60, `errorsPerMinute` of them fail. The page alert
    /// (5m and 1h both above 14.4 × 1 %) fires when the hour has seen enough of it.
    func firstPage(errorsPerMinute: Int, minutes: Int = 150) throws -> Int64? {
        let specs = try SLOImport.load(path: "s.yaml", text: Self.sloth)
        let engine = RuleEngine(files: [try RuleFile.load(path: "slo.yml", text: SLORules.text(specs))], defaultIntervalMs: 60_000)
        var bad = 0, all = 0
        for m in 0...minutes {
            let t = Int64(m) * 60_000
            engine.store.beginScrape(at: t)
            engine.store.add(name: "bad_total", labels: [], value: Double(bad))
            engine.store.add(name: "all_total", labels: [], value: Double(all))
            engine.store.endScrape()
            if let fired = engine.evaluate(upTo: t).fired.first { return fired.firedAt }
            all += 100
            if m >= 60 { bad += errorsPerMinute }
        }
        return nil
    }

    @Test func multiwindowPageNeedsBothWindows() throws {
        // 100 % errors: the 1 h ratio passes 14.4 % after 9 minutes of it (the short window at once).
        let total = try #require(try firstPage(errorsPerMinute: 100))
        #expect(total > 60 * 60_000 && total <= 72 * 60_000)
        // 20 % errors: the 1 h ratio never reaches 14.4 %, but the 6 h/30 m pair (6 %) pages
        // once the 6 h window (all of the data) is 6 % bad: 20 % over x min of 60 + x ≥ 6 %.
        let slow = try #require(try firstPage(errorsPerMinute: 20))
        #expect(slow > 75 * 60_000)
        // 1 % errors: exactly the budget, no page.
        #expect(try firstPage(errorsPerMinute: 1) == nil)
    }
}
