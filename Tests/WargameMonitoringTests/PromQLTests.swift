import Testing
@testable import WargameMonitoring

@Suite struct PromQLTests {
    /// A store with one counter scraped every minute.
    func store(_ values: [Double], name: String = "c_total", labels: [(String, String)] = []) -> SeriesStore {
        let s = SeriesStore(retentionMs: 3_600_000, names: nil)
        for (i, v) in values.enumerated() {
            s.beginScrape(at: Int64(i + 1) * 60_000)
            s.add(name: name, labels: labels, value: v)
            s.endScrape()
        }
        return s
    }

    func value(_ expr: String, _ s: SeriesStore, at t: Int64) throws -> [Sample] {
        let e = PromQLEngine(store: s)
        return try e.evaluate(try PromQL.parse(expr), at: t).samples
    }

    /// Prometheus's extrapolation: 0, 60, 120 at 1, 2, 3 min; rate over [2m] at 3 min
    /// covers 2 min exactly (1 per second); a counter reset adds the value before it.
    @Test func rateExtrapolatesAndHandlesResets() throws {
        let s = store([0, 60, 120, 30])
        #expect(try value("rate(c_total[2m])", s, at: 180_000).map(\.value) == [1])
        #expect(try value("increase(c_total[3m])", s, at: 240_000).map(\.value) == [150])  // 120 + 30 after the reset
        #expect(try value("irate(c_total[5m])", s, at: 240_000).map(\.value) == [0.5])     // reset: 30 over 60 s
        #expect(try value("delta(c_total[2m])", s, at: 240_000).map(\.value) == [-30])
    }

    @Test func instantSelectorsLookBackFiveMinutesAndStopAtStaleness() throws {
        let s = store([1, 2])
        #expect(try value("c_total", s, at: 120_000 + 300_000).count == 1)       // exactly 5 m back: still seen (2.x)
        #expect(try value("c_total", s, at: 120_000 + 300_001).isEmpty)
        s.beginScrape(at: 180_000)
        s.endScrape()                                                           // the series is gone: stale
        #expect(try value("c_total", s, at: 180_000).isEmpty)
        #expect(try value("absent(c_total{job=\"x\"})", s, at: 180_000) == [Sample(labels: Labels([("job", "x")]), value: 1)])
    }

    @Test func aggregationsAndMatchingKeepPrometheusLabels() throws {
        let s = SeriesStore(retentionMs: 3_600_000, names: nil)
        s.beginScrape(at: 60_000)
        s.add(name: "m", labels: [("job", "a"), ("i", "1")], value: 1)
        s.add(name: "m", labels: [("job", "a"), ("i", "2")], value: 3)
        s.add(name: "m", labels: [("job", "b"), ("i", "1")], value: 5)
        s.add(name: "n", labels: [("job", "a")], value: 10)
        s.add(name: "o", labels: [("job", "a"), ("i", "1")], value: 2)
        s.endScrape()
        #expect(try value("sum by (job) (m)", s, at: 60_000).map(\.value) == [4, 5])
        #expect(try value("avg without (i) (m)", s, at: 60_000).map { $0.labels } == [Labels([("job", "a")]), Labels([("job", "b")])])
        #expect(try value("count(m)", s, at: 60_000).map(\.value) == [3])
        #expect(try value("m / on(job) group_left n", s, at: 60_000).map(\.value) == [0.1, 0.3])
        #expect(try value("m > 2", s, at: 60_000).map { $0.labels.metricName } == ["m", "m"])
        #expect(try value("m > bool 2", s, at: 60_000).map(\.value) == [0, 1, 1])
        #expect(try value("m and on(job) n", s, at: 60_000).count == 2)
        #expect(try value("m unless on(job) n", s, at: 60_000).count == 1)
        #expect(throws: PromQLError.self) { try value("m / on(job) n", s, at: 60_000) }  // many-to-one not explicit
        #expect(throws: PromQLError.self) { try value("abs({__name__=~\"m|o\", i=\"1\", job=\"a\"})", s, at: 60_000) }
    }

    @Test func histogramQuantileInterpolatesInsideItsBucket() {
        let b: [(upper: Double, count: Double)] = [(0.1, 10), (0.5, 30), (.infinity, 40)]
        #expect(PromQLEngine.bucketQuantile(0.5, b) == 0.1 + 0.4 * (10.0 / 20))
        #expect(PromQLEngine.bucketQuantile(0.99, b) == 0.5)  // in the +Inf bucket: the last finite bound
        #expect(PromQLEngine.bucketQuantile(0.5, [(0.1, 1)]).isNaN)
    }

    @Test(arguments: [
        ("sum(x) by (job) offset 5m", "offset modifier"),
        ("rate(x[5m:1m])", "subqueries"),
        ("1 > 2", "BOOL"),
        ("x and 1", "set operator"),
        ("quantile(0.9, x)", "quantile is not supported"),
        ("x @ 100", "@ modifier"),
        ("rate(x)", "range vector"),
        ("{}", "non-empty matcher"),
    ])
    func refusesWhatPrometheusRefusesOrTheSubsetLacks(_ expr: String, _ words: String) {
        #expect { _ = try PromQL.parse(expr) } throws: { ($0 as? PromQLError)?.message.contains(words) == true }
    }

    @Test func precedenceAndAssociativityFollowPrometheus() throws {
        let s = store([2])
        #expect(try value("-2 ^ 2", s, at: 60_000).map(\.value) == [-4])
        #expect(try value("2 ^ 3 ^ 2", s, at: 60_000).map(\.value) == [512])
        #expect(try value("1 + 2 * 3 > bool 6", s, at: 60_000).map(\.value) == [1])
        #expect(GoMath.pow(3, 4) == 81 && GoMath.pow(2, -2) == 0.25 && GoMath.pow(-2, 3) == -8)
        #expect(GoMath.pow(-8, 1.0 / 3).isNaN && GoMath.pow(4, 0.5) == 2)
    }
}

@Suite struct AlertTemplateTests {
    func expand(_ t: String, value: Double, labels: [(String, String)] = [("job", "api")]) throws -> String {
        try AlertTemplate(t).expand(labels: Labels(labels), value: value)
    }

    /// Outputs of Prometheus's template functions (template.go) for the same inputs.
    @Test func humanizeFunctionsPrintAsPrometheusDoes() throws {
        #expect(try expand("{{ $value | humanize }}", value: 1_234_567) == "1.235M")
        #expect(try expand("{{ humanize $value }}", value: 0.0012) == "1.2m")
        #expect(try expand("{{ $value | humanizePercentage }}", value: 0.1234) == "12.34%")
        #expect(try expand("{{ $value | humanizeDuration }}", value: 3_661) == "1h 1m 1s")
        #expect(try expand("{{ $value | humanizeDuration }}", value: 0.25) == "250ms")
        #expect(try expand("{{ $value | humanize1024 }}", value: 2048) == "2ki")
        #expect(try expand("{{ $value }}", value: 1e6) == "1e+06")
        #expect(try expand("{{ $value }}", value: 123_456) == "123456")
        #expect(try expand("{{ $value }}", value: .nan) == "NaN")
        #expect(try expand("{{ printf \"%.2f\" $value }}", value: 3.14159) == "3.14")
        #expect(try expand("{{ $labels.job }}/{{ $labels.missing }}/{{- \" x\" }}", value: 0) == "api// x")
    }

    @Test func unsupportedConstructsAreRefusedWhenRead() {
        for t in ["{{ range $labels }}x{{ end }}", "{{ $labels.job | title }}", "{{ query \"up\" }}", "{{ .Foo }}"] {
            #expect(throws: PromQLError.self, "\(t)") { _ = try AlertTemplate(t) }
        }
    }
}
