import Foundation
import Testing
@testable import WargameReports

@Suite struct MSERTests {
    @Test func theStatisticIsTheFormula() throws {
        // Batch means 3, 2, 3, 2 (m = 4); candidates d = 0, 1, 2.
        let r = try #require(MSER.truncation([1, 2, 3, 4, 5, 2, 2, 2, 2, 2, 3, 3, 3, 3, 3, 2, 2, 2, 2, 2]))
        #expect(r.statistic.count == 3)
        #expect(abs(r.statistic[0] - 1.0 / 16) < 1e-12)   // SSE 1 over 4²
        #expect(abs(r.statistic[1] - 2.0 / 27) < 1e-12)   // tail 2,3,2: SSE 2/3 over 3²
        #expect(abs(r.statistic[2] - 0.5 / 4) < 1e-12)    // tail 3,2: SSE 1/2 over 2²
        #expect(r.batches == 0 && r.observations == 0 && !r.atBoundary)
    }

    @Test func aDecayingTransientIsCutWhereItFadesIntoTheNoise() throws {
        // 50·e^(−t/8) falls below the ±1 oscillation near t = 32 and to 0.1 at t = 50.
        let series = (0..<400).map { t in 50 * exp(-Double(t) / 8) + sin(Double(t) * 1.7) }
        let r = try #require(MSER.truncation(series))
        #expect(r.observations == 50)
        #expect(r.observations % 5 == 0)
    }

    @Test func aSeriesThatNeverSettlesIsFlaggedAtTheBoundary() throws {
        let r = try #require(MSER.truncation((0..<100).map { Double($0) }))  // a steady trend
        #expect(r.atBoundary)
        #expect(MSER.truncation([1, 2, 3]) == nil)  // fewer than four batches
    }
}

@Suite struct CSVReaderTests {
    @Test func readsBackWhatTheWriterWrites() throws {
        let rows = [["point", "regions", "note"], ["1", "[\"eu\",\"us\"]", "say \"hi\""], ["2", "", "two\r\nlines"], ["3", "a,b", ""]]
        let text = rows.map(CSVWriter.line).joined()
        #expect(CSVReader.parse(text) == rows)
        #expect(CSVReader.parse("a,b\nc,d\n") == [["a", "b"], ["c", "d"]])
        #expect(CSVReader.parse("a,b") == [["a", "b"]])
        #expect(CSVReader.parse("") == [])
    }

    @Test func refusesMalformedText() {
        #expect(CSVReader.parse("\"open") == nil)
        #expect(CSVReader.parse("a\"b\r\n") == nil)
        #expect(CSVReader.parse("\"a\"b\r\n") == nil)
        #expect(CSVReader.parse("a\rb") == nil)
    }
}

@Suite struct StudyAnalysisTests {
    // Two factors × two levels × three seeds; fill_rate_p50 = 0.9 + 0.01·seed + 0.05 at level "b" of f.
    static let header = StudyTable.header(factors: ["f", "g"], slos: [SLO(name: "fill", kpi: .fillRateP50, comparison: .atLeast, threshold: 0.93)])

    static func rows() -> [[String]] {
        var out: [[String]] = []
        var point = 0
        for f in ["a", "b"] {
            for g in ["x", "y"] {
                point += 1
                for seed in 1...3 {
                    let v = 0.9 + 0.01 * Double(seed) + (f == "b" ? 0.05 : 0)
                    var r = [String(point), f, g, String(seed)] + Array(repeating: "", count: KPI.allCases.count) + [v >= 0.93 ? "pass" : "breach"]
                    r[4] = NumberFormat.fixed(v, 4)
                    out.append(r)
                }
            }
        }
        return out
    }

    @Test func pointsPassFractionsAndPairedMainEffects() throws {
        let a = StudyAnalysis(header: Self.header, rows: Self.rows())
        #expect(a.factors == ["f", "g"] && a.levels == [["a", "b"], ["x", "y"]])
        #expect(a.points.map(\.point) == [1, 2, 3, 4])
        #expect(a.points.map { $0.slos[0].passes } == [1, 1, 3, 3])
        let f = a.effects[0][0]
        #expect(abs(f[0].summary!.mean - 0.92) < 1e-9 && abs(f[1].summary!.mean - 0.97) < 1e-9)
        // The same +0.05 on every seed: a paired difference with zero width, significant.
        let d = try #require(f[1].vsFirst)
        #expect(abs(d.mean - 0.05) < 1e-9 && d.width < 1e-9 && d.significant)
        let g = try #require(a.effects[1][0][1].vsFirst)
        #expect(abs(g.mean) < 1e-9 && !g.significant)
        // A KPI with no data anywhere has no effect rather than a made-up one.
        #expect(a.effects[0][1][1].vsFirst == nil && a.effects[0][1][0].summary == nil)
    }
}
