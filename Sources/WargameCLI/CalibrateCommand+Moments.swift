import Foundation
import WargameCalibration
import WargameReports
import WargameScenario

/// The parameters `calibrate` fits by simulated moments, with the directly fitted values
/// applied and over the observed window's length (docs/calibration.md):
/// - each bridge's background load (other applications' messages on its relayers) from its
///   mean round trip, at the base's relayer count, which is then checked against the
///   round trips' p95;
/// - one scale of every provider's capacity from the fill rate (filled / submitted), kept
///   when the load never reached capacity and the fill rate is the same at any larger one.
extension CalibrateCommand {
    /// How a target's value becomes scenario overrides.
    enum Knob { case background(bridge: Int), capacityScale }

    static func simulatedMoments(_ o: ParsedOptions, path: String, scenario: Scenario, telemetry: Telemetry, mapping: SeriesMapping,
                                 applying direct: [Override]) throws -> [ParameterEstimate] {
        let c = scenario.pipeline
        let capacitySeries = "\(mapping.ordersFilled.metric) / \(mapping.ordersSubmitted.metric)"
        func keptAll(_ why: String) -> [ParameterEstimate] {
            c.bridges.map { keptEstimate("bridges[\($0.name)].background_messages_per_s", $0.backgroundMessagesPerSecond,
                                         series: "\(mapping.bridgeRoundTrip.metric) (mean)", why) }
                + c.providers.map { keptEstimate("providers[\($0.id)].capacity", Double($0.capacity), series: capacitySeries, why) }
        }
        if o.string("moments-seeds") == "none" { return keptAll("simulated moments skipped (--moments-seeds none)") }
        let seeds = try parseSeeds(o.string("moments-seeds") ?? "1..8", command: name)
        guard seeds.count >= 3 else { throw UsageError(message: "Simulated moments need at least 3 seeds, found \(seeds.count).", command: name) }
        let jobs = try o.integer("jobs", range: 1...1_024, default: ProcessInfo.processInfo.activeProcessorCount)
        let stepSeconds = scenario.run.stepLength.seconds
        guard let window = telemetry.window, window >= stepSeconds else {
            return keptAll("the data do not say how long they cover (no arrival counts): a simulated moment needs the window")
        }
        var targets: [SimulatedMoments.Target] = [], knobs: [Knob] = [], kept: [ParameterEstimate] = []
        for (b, bridge) in c.bridges.enumerated() {
            let target = "bridges[\(bridge.name)].background_messages_per_s", base = bridge.backgroundMessagesPerSecond
            let labels = mapping.bridgeRoundTrip.label.map { [$0: bridge.name] } ?? [:]
            let series = Telemetry.key(mapping.bridgeRoundTrip.metric, labels.map { ($0.key, $0.value) })
            guard let h = telemetry.histogram(mapping.bridgeRoundTrip.metric, labels), let mean = h.mean else {
                kept.append(keptEstimate(target, base, series: series, "no series \(series) with its _sum in the data")); continue
            }
            guard h.count >= Double(Calibrator.minimumSamples) else {
                kept.append(keptEstimate(target, base, series: series, "too few round trips: \(Int(h.count)) (at least \(Calibrator.minimumSamples))")); continue
            }
            // The simulated round trips are in seconds; a production series may be in milliseconds.
            let scale = Calibrator.factor(from: mapping.bridgeRoundTrip.unit ?? .seconds, to: .seconds) ?? 1
            targets.append(.init(path: target, base: base, range: 0...max(4 * base, 10), observed: mean * scale, n: Int(h.count), series: series + " (mean)",
                                 given: "the load at the base's \(bridge.relayers) relayers: more relayers carrying more load can give the same round trips"))
            knobs.append(.background(bridge: b))
        }
        if let filled = telemetry.counter(mapping.ordersFilled.metric, [:]), let submitted = telemetry.counter(mapping.ordersSubmitted.metric, [:]),
           submitted >= Double(Calibrator.minimumTrials) {
            targets.append(.init(path: "providers[*].capacity", base: 1, range: 0.25...4, observed: filled / submitted, n: Int(submitted),
                                 series: capacitySeries, given: "one scale of every provider's capacity: the fill rate cannot tell the providers apart"))
            knobs.append(.capacityScale)
        } else {
            kept += c.providers.map { keptEstimate("providers[\($0.id)].capacity", Double($0.capacity), series: capacitySeries,
                                                   "no \(mapping.ordersFilled.metric) and \(mapping.ordersSubmitted.metric) counts in the data") }
        }
        guard !targets.isEmpty else { return kept }
        let steps = max(1, Int((window / stepSeconds).rounded()))
        let bridgeIndices = knobs.map { if case .background(let b) = $0 { return b } else { return -1 } }
        // Per target, the moment and (bridges) the round trips' p95 over the seeds, at one
        // vector of values; remembered, since the estimate `solve` ran last is asked again
        // for the relayer check (runs are deterministic, so a repeat is the same result).
        var memo: [[Double]: (moments: [[Double]], p95s: [[Double]])] = [:]  // looked up only
        func runs(_ values: [Double]) throws -> (moments: [[Double]], p95s: [[Double]]) {
            if let known = memo[values] { return known }
            let result = try simulate(values)
            memo[values] = result
            return result
        }
        func simulate(_ values: [Double]) throws -> (moments: [[Double]], p95s: [[Double]]) {
            var overrides = direct
            for (k, v) in zip(knobs, values) {
                switch k {
                case .background(let b): overrides.append(try Override(path: "bridges[\(c.bridges[b].name)].background_messages_per_s", value: Factor.number(v)))
                case .capacityScale:
                    for p in c.providers { overrides.append(try Override(path: "providers[\(p.id)].capacity", value: Factor.number((Double(p.capacity) * v).rounded()))) }
                }
            }
            let sc = try ScenarioLoader.load(path, overrides: overrides)
            let rows = try ParallelRuns.map(count: seeds.count, jobs: jobs, progress: nil) { i -> [(Double, Double?)?] in
                let r = try ScenarioRunner.execute(sc, seed: seeds[i], steps: steps)
                return bridgeIndices.map { b -> (Double, Double?)? in
                    guard b >= 0 else {
                        let t = r.report.totals
                        return t.submitted > 0 ? (Double(t.filled) / Double(t.submitted), nil) : nil
                    }
                    guard let h = r.inputs?.roundTrips[b], h.count > 0 else { return nil }
                    return (h.sum / Double(h.count), histogramQuantile(0.95, h))
                }
            }
            return (targets.indices.map { t in rows.compactMap { $0[t]?.0 } }, targets.indices.map { t in rows.compactMap { $0[t]?.1 ?? nil } })
        }
        // The bridges first, in lockstep (their loads barely interact), capacity held at the
        // base; then capacity alone with the loads at their estimates. Solved together, the
        // ends of the search ranges would meet: saturated relayers time orders out and the
        // fill rate at "4 × capacity" would be near zero.
        let bridgeTargets = knobs.indices.filter { bridgeIndices[$0] >= 0 }
        let capacityTarget = knobs.indices.first { bridgeIndices[$0] < 0 }
        func vector(bridges values: [Double], scale: Double) -> [Double] {
            var v = targets.map(\.base)
            for (k, x) in zip(bridgeTargets, values) { v[k] = x }
            if let c = capacityTarget { v[c] = scale }
            return v
        }
        let loads = bridgeTargets.isEmpty ? [] : try SimulatedMoments.solve(bridgeTargets.map { targets[$0] }) { values in
            let m = try runs(vector(bridges: values, scale: 1)).moments
            return bridgeTargets.map { m[$0] }
        }
        let fittedLoads = loads.map(\.value)
        let atEstimate = try runs(vector(bridges: fittedLoads, scale: 1))
        var out: [ParameterEstimate] = []
        for (j, k) in bridgeTargets.enumerated() {
            guard case .background(let b) = knobs[k] else { continue }
            out.append(loads[j])
            if let check = relayerCheck(loads[j], bridge: b, scenario: scenario, telemetry: telemetry, mapping: mapping, simulated: atEstimate.p95s[k]) {
                out.append(check)
            }
        }
        if let c = capacityTarget {
            let t = targets[c]
            // Not identified when even the largest capacity tried gives the observed fill rate.
            let atTop = try runs(vector(bridges: fittedLoads, scale: t.range.upperBound)).moments[c]
            let p = SimulatedMoments.pValue(t.observed, atTop)
            if p >= 0.05 {
                let why = "not identified: the fill rate over \(t.n) orders (\(NumberFormat.fixed(t.observed, 4))) is what \(NumberFormat.significant(t.range.upperBound, 2)) × the base capacities give too (p = \(NumberFormat.fixed(p, 3))): the load never reached capacity"
                out += scenario.pipeline.providers.map { keptEstimate("providers[\($0.id)].capacity", Double($0.capacity), series: capacitySeries, why) }
            } else {
                let scale = try SimulatedMoments.solve([t]) { values in [try runs(vector(bridges: fittedLoads, scale: values[0])).moments[c]] }
                out += capacities(scale[0], scenario: scenario, series: capacitySeries)
            }
        }
        return out + kept
    }

    /// The relayer count is not fitted — one mean identifies the load per relayer, not both —
    /// but the round trips' p95 at the fitted load says whether the base count is consistent.
    static func relayerCheck(_ load: ParameterEstimate, bridge b: Int, scenario: Scenario, telemetry: Telemetry, mapping: SeriesMapping,
                             simulated: [Double]) -> ParameterEstimate? {
        let bridge = scenario.pipeline.bridges[b], labels = mapping.bridgeRoundTrip.label.map { [$0: bridge.name] } ?? [:]
        let scale = Calibrator.factor(from: mapping.bridgeRoundTrip.unit ?? .seconds, to: .seconds) ?? 1
        guard load.fitted, simulated.count >= 3,
              let observed = telemetry.histogram(mapping.bridgeRoundTrip.metric, labels)?.quantile(0.95).map({ $0 * scale }) else { return nil }
        let p = SimulatedMoments.pValue(observed, simulated)
        let mean = simulated.reduce(0, +) / Double(simulated.count)
        let figures = "observed \(NumberFormat.significant(observed * 1_000, 4)) ms, simulated \(NumberFormat.significant(mean * 1_000, 4)) ms, p = \(NumberFormat.fixed(p, 3))"
        let why = p >= 0.05
            ? "not fitted (a mean round trip identifies the load per relayer, not both); the base \(bridge.relayers) relayers are consistent with the round trips' p95 at the fitted load, a check of little power (\(figures))"
            : "not fitted (a mean round trip identifies the load per relayer, not both), and the base \(bridge.relayers) relayers are NOT consistent with the round trips' p95 at the fitted load (\(figures)): compare relayer counts with wargame study --vary 'bridges[\(bridge.name)].relayers=…'"
        return keptEstimate("bridges[\(bridge.name)].relayers", Double(bridge.relayers),
                            series: Telemetry.key(mapping.bridgeRoundTrip.metric, labels.map { ($0.key, $0.value) }) + " (p95)", why)
    }

    /// One estimate per provider from the capacity scale — or, when the observation does not
    /// reject any larger scale (the load never reached capacity), the base values with the
    /// lower bound the data do give.
    static func capacities(_ scale: ParameterEstimate, scenario: Scenario, series: String) -> [ParameterEstimate] {
        let providers = scenario.pipeline.providers
        guard let e = scale.estimate else {
            return providers.map {
                ParameterEstimate(path: "providers[\($0.id)].capacity", base: Double($0.capacity), estimate: nil, method: .simulatedMoments,
                                  distribution: "simulated", n: scale.n, gof: nil, ranking: [], series: series, notes: scale.notes)
            }
        }
        if e.high >= 4 * 0.999 {
            let why = "not identified: the fill rate over \(scale.n) orders is the same at every capacity above \(NumberFormat.significant(e.low, 3)) × the base (the load never reached it); capacity is at least that"
            return providers.map { keptEstimate("providers[\($0.id)].capacity", Double($0.capacity), series: series, why) }
        }
        return providers.map { p in
            let base = Double(p.capacity)
            return ParameterEstimate(path: "providers[\(p.id)].capacity", base: base,
                                     estimate: Estimate((base * e.value).rounded(), (base * e.low).rounded(.down), (base * e.high).rounded(.up)),
                                     method: .simulatedMoments, distribution: "simulated", n: scale.n, gof: scale.gof, ranking: [], series: series,
                                     notes: scale.notes + ["scale \(NumberFormat.significant(e.value, 4)) (\(NumberFormat.significant(e.low, 4))–\(NumberFormat.significant(e.high, 4))) of the base capacities"])
        }
    }
}
