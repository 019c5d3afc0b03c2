import Testing
@testable import WargameMonitoring

/// What a compiled expression's nodes remember (`Site`) and the store's bulk scrape change
/// the cost of an evaluation, never its result: every generated expression, compiled once
/// and evaluated at every scrape of series that appear late, go away and carry NaNs, gives
/// exactly what a fresh compilation over a store fed sample by sample gives — the same
/// samples, or the same error.
@Suite struct PromQLSiteTests {
    /// Matchings that fail only at some evaluations, or always: a cached plan must not hide
    /// the error, nor outlive the series that made it valid.
    static let fragile = [
        "temperature_celsius + on(job) up",
        "temperature_celsius * on(job, zone) group_left max by (job, zone) (temperature_celsius)",
        "sum by (zone) (temperature_celsius) - on(zone) group_right temperature_celsius",
        "up == on(job) (temperature_celsius > 50)",
        // Two samples of one match group whose results differ only by name: one-to-one fails.
        "{__name__=~\"temperature_celsius|up\", zone=~\"eu|\"} >= ignoring(zone) up",
        "rate(requests_total[2m]) / ignoring(code) rate(requests_total[2m])",
        "sum by (job) (rate(requests_total[90s])) > bool on(job) sum by (job) (rate(requests_total[3m]))",
        "histogram_quantile(0.9, rate(latency_seconds_bucket[2m]))",
        "max_over_time(temperature_celsius[2m]) - min_over_time(temperature_celsius[2m] offset 1m)",
    ]

    typealias Key = (name: String, labels: [(String, String)])

    /// The first position whose series differs between two scrapes (`Int.max`: none).
    static func firstChange(_ a: [Key], _ b: [Key]) -> Int {
        for k in 0..<min(a.count, b.count) {
            let same = a[k].name == b[k].name && a[k].labels.elementsEqual(b[k].labels) { $0.0 == $1.0 && $0.1 == $1.1 }
            if !same { return k }
        }
        return a.count == b.count ? Int.max : min(a.count, b.count)
    }

    @Test(arguments: [3, 4, 5] as [UInt64])
    func rememberedPlacesGiveWhatAFreshEvaluationGives(seed: UInt64) throws {
        var gen = PromQLGenerator(seed: seed)
        let scrapes = 40
        let series = gen.series(scrapes: scrapes)
        let generated = (0..<150).map { _ in gen.vector(depth: 3) } + Self.fragile
        let parsed = generated.compactMap { text in (try? PromQL.parse(text)).map { (text, $0) } }
        let (texts, exprs) = (parsed.map(\.0), parsed.map(\.1))
        #expect(exprs.count >= 140)
        let programs = exprs.map(PromQLProgram.init)
        let (fresh, bulk) = (SeriesStore(retentionMs: 3_600_000, names: nil), SeriesStore(retentionMs: 3_600_000, names: nil))
        let (a, b) = (PromQLEngine(store: fresh), PromQLEngine(store: bulk))
        var last: [Key] = []
        var errors = 0, samples = 0
        for s in 0..<scrapes {
            let t = Int64(s + 1) * 60_000
            var now: [Key] = [], values: [Double] = []
            fresh.beginScrape(at: t)
            for (labels, texts) in series where texts[s] != "_" {
                let pairs = labels.pairs.filter { $0.name != "__name__" }.map { ($0.name, $0.value) }
                let v = GoMath.parseFloat(texts[s]) ?? .nan
                fresh.add(name: labels.metricName, labels: pairs, value: v)
                now.append((labels.metricName, pairs))
                values.append(v)
            }
            fresh.endScrape()
            let firstChange = Self.firstChange(last, now)
            bulk.scrape(at: t, names: now.map(\.name), labels: now.map(\.labels), values: values, count: now.count, firstChange: firstChange)
            last = now
            for (k, e) in exprs.enumerated() {
                var x: Result<PromQLValue, PromQLError>, y: Result<PromQLValue, PromQLError>
                do { x = .success(try a.evaluate(e, at: t)) } catch { x = .failure(error) }
                do { y = .success(try b.evaluate(programs[k], at: t)) } catch { y = .failure(error) }
                #expect(x == y, "\(texts[k]) at scrape \(s)")
                if case .failure = x { errors += 1 }
                if case .success(.vector(let v)) = x { samples += v.count }
            }
        }
        // The comparison covered failing evaluations and plenty of samples.
        #expect(errors > 0)
        #expect(samples > 10_000)
    }
}
