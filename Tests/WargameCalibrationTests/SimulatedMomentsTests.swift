import Foundation
import SimKernel
import Testing
@testable import WargameCalibration

@Suite struct SimulatedMomentsTests {
    /// A model whose moment is 2θ plus seed noise (sd 0.5, the same noise at every θ:
    /// common random numbers). The observation is a draw at θ = 5.
    static let noise: [Double] = {
        var rng = RandomStreams(seed: 3).stream("test.smm")
        return (0..<8).map { _ in 0.5 * Normal.standard(&rng) }
    }()

    @Test func solvesForTheValueThatMatchesTheMomentWithAnInterval() throws {
        let target = SimulatedMoments.Target(path: "x", base: 3, range: 0...20, observed: 2 * 5 + 0.3, n: 100, series: "s")
        var evaluations = 0
        let e = try SimulatedMoments.solve([target]) { values in
            evaluations += 1
            return [Self.noise.map { 2 * values[0] + $0 }]
        }
        let est = try #require(e.first?.estimate)
        let mean = Self.noise.reduce(0, +) / 8
        #expect(abs(est.value - (10.3 - mean) / 2) < 20.0 / 1_024, "estimate \(est.value)")  // ten bisections of 0…20
        #expect(est.contains(5), "interval \(est.low)…\(est.high)")
        // The interval is the t prediction interval mapped through 2θ: half-width t₇·sd·√(1 + 1/8) / 2.
        let sd = (Self.noise.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / 7).squareRoot()
        let half = Special.studentQuantile(0.975, degreesOfFreedom: 7) * sd * (1 + 1.0 / 8).squareRoot() / 2
        #expect(abs((est.high - est.low) / 2 - half) < 0.05 * half, "half-width \((est.high - est.low) / 2), expected \(half)")
        #expect(e[0].method == .simulatedMoments && e[0].gof?.test == .prediction)
        #expect(evaluations < 40)
    }

    @Test func aMomentOutsideWhatTheRangeGivesIsNotIdentified() throws {
        let target = SimulatedMoments.Target(path: "x", base: 3, range: 0...20, observed: 1_000, n: 100, series: "s")
        let e = try SimulatedMoments.solve([target]) { values in [Self.noise.map { 2 * values[0] + $0 }] }
        #expect(e[0].estimate == nil && e[0].value == 3)
        #expect(e[0].notes.first?.contains("lies outside what 0…20 give") == true)
    }

    /// `_bucket`, `_count` and `_sum` fetched by separate queries make one histogram.
    @Test func histogramPartsFromSeparateResponsesMeet() throws {
        var t = Telemetry()
        func response(_ name: String, _ le: String?, _ v: String) -> String {
            let label = le.map { #","le":"\#($0)""# } ?? ""
            return #"{"status":"success","data":{"resultType":"matrix","result":[{"metric":{"__name__":"\#(name)","bridge":"ibc"\#(label)},"values":[[0,"0"],[60,"\#(v)"]]}]}}"#
        }
        try PrometheusResponse.parse(response("rt_seconds_sum", nil, "25.5"), file: "a", arrivalsMetric: "none", into: &t)
        try PrometheusResponse.parse(response("rt_seconds_bucket", "0.2", "60"), file: "b", arrivalsMetric: "none", into: &t)
        try PrometheusResponse.parse(response("rt_seconds_count", nil, "100"), file: "c", arrivalsMetric: "none", into: &t)
        let h = try #require(t.histogram("rt_seconds", ["bridge": "ibc"]))
        #expect(h.count == 100 && h.sum == 25.5 && h.mean == 0.255)
        #expect(h.buckets.counts == [60] && h.buckets.overflow == 40)
    }
}
