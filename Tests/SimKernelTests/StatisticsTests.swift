import Foundation
import Testing
@testable import SimKernel

@Suite struct StatisticsTests {
    @Test func counterCounts() {
        var c = Counter()
        c.increment()
        c.increment(by: 41)
        #expect(c.value == 42)
    }

    @Test func tallyMatchesTwoPassFormulas() {
        var rng = Xoshiro256StarStar(seed: 8)
        // A large offset makes the naive Σx² formula lose every digit; Welford must not.
        let xs = (0..<10_001).map { _ in 1e9 + rng.nextDouble() }
        var t = Tally()
        xs.forEach { t.add($0) }
        let mean = xs.reduce(0, +) / Double(xs.count)
        let variance = xs.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(xs.count - 1)
        #expect(t.count == xs.count)
        #expect(abs(t.mean - mean) < 1e-5)  // ~100 ulps at 1e9; the mean is not the hard part
        #expect(abs(t.variance - variance) / variance < 1e-6)
        #expect(t.min == xs.min() && t.max == xs.max())
    }

    @Test func tallyMergeEqualsSequentialAdds() {
        var rng = Xoshiro256StarStar(seed: 9)
        let xs = (0..<1_000).map { _ in rng.nextDouble() * 100 }
        var whole = Tally(), left = Tally(), right = Tally()
        xs.forEach { whole.add($0) }
        xs[..<300].forEach { left.add($0) }
        xs[300...].forEach { right.add($0) }
        left.merge(right)
        #expect(left.count == whole.count)
        #expect(abs(left.mean - whole.mean) < 1e-10)
        #expect(abs(left.variance - whole.variance) < 1e-8)
        #expect(left.min == whole.min && left.max == whole.max)
        var empty = Tally()
        empty.merge(whole)
        #expect(empty == whole)
    }

    @Test func batchMeansOfIndependentDataMatchTheClassicalStandardError() {
        var rng = Xoshiro256StarStar(seed: 10)
        var b = BatchMeans(batchSize: 100)
        for _ in 0..<100_000 { b.add(rng.nextDouble()) }
        #expect(b.batches.count == 1_000)
        // For iid data both estimate σ/√n; with 1,000 batches they agree to about 2·√(1/2000).
        let ratio = b.standardError / b.overall.standardError
        #expect(abs(ratio - 1) < 0.1)
    }

    /// The sketch's p50/p95/p99 are within 1 % of the exact sample quantiles of the same rank.
    @Test(arguments: ["exponential", "lognormal", "uniform", "pareto"])
    func quantileSketchIsWithinOnePercent(name: String) throws {
        let d: any Distribution = switch name {
        case "exponential": try Exponential(rate: 1 / 0.2)
        case "lognormal": try LogNormal(median: 120, p95: 900)
        case "uniform": try Uniform(lower: 10, upper: 20)
        default: try Pareto(scale: 0.001, shape: 1.2)
        }
        var rng = RandomStreams(seed: 12).stream(name)
        var sketch = QuantileSketch()
        var xs: [Double] = []
        for _ in 0..<100_000 {
            let x = d.sample(&rng)
            sketch.add(x)
            xs.append(x)
        }
        xs.sort()
        for q in [0.5, 0.95, 0.99] {
            let exact = xs[Int(q * Double(xs.count - 1))]
            let estimate = try #require(sketch.quantile(q))
            #expect(abs(estimate - exact) / exact <= 0.01, "\(name) q\(q): \(estimate) vs \(exact)")
        }
        #expect(sketch.quantile(0) == xs.first && sketch.quantile(1) == xs.last)
    }

    @Test func quantileSketchMemoryIsBoundedAndMergeIsExact() {
        var a = QuantileSketch(), b = QuantileSketch(), both = QuantileSketch()
        var rng = Xoshiro256StarStar(seed: 13)
        for i in 0..<200_000 {
            // Twenty orders of magnitude, beyond the clamped range on both sides.
            let x = pow(10, rng.nextDouble() * 24 - 10)
            if i % 2 == 0 { a.add(x) } else { b.add(x) }
            both.add(x)
        }
        // ln(1e12 / 1e-9) / ln(γ) ≈ 4,835 buckets at most, whatever the sample count.
        #expect(both.bucketCount <= 4_900)
        a.merge(b)
        for q in [0.01, 0.5, 0.9, 0.999] { #expect(a.quantile(q) == both.quantile(q)) }
        #expect(a.count == both.count)
    }

    @Test func quantileSketchHandlesZerosAndEmptiness() {
        var s = QuantileSketch()
        #expect(s.quantile(0.5) == nil)
        for _ in 0..<90 { s.add(0) }
        for _ in 0..<10 { s.add(5) }
        #expect(s.quantile(0.5) == 0)
        #expect(abs(s.quantile(0.95)! - 5) / 5 <= 0.005)
        s.reset()
        #expect(s.count == 0 && s.quantile(0.5) == nil)
    }

    @Test func timeWeightedAverageIntegratesAPiecewiseConstantFunction() {
        // 2 for 10 s, 5 for 30 s, 0 for 60 s: area 20 + 150 = 170, mean 1.7 over 100 s.
        var w = TimeWeightedAverage(value: 2, at: .zero)
        w.update(5, at: .zero + .seconds(10))
        w.add(-5, at: .zero + .seconds(40))
        let end = SimTime.zero + .seconds(100)
        #expect(w.integral(until: end) == 170)
        #expect(w.mean(until: end) == 1.7)
        #expect(w.max == 5 && w.min == 0 && w.current == 0)
    }

    @Test func windowedSeriesEmitsOneSummaryPerStepIncludingEmptyOnes() {
        var series = WindowedSeries(length: .seconds(60))
        var windows: [WindowSummary] = []
        let record = { (v: Double, s: Int64, series: inout WindowedSeries) in
            series.record(v, at: .zero + .seconds(s)) { windows.append($0) }
        }
        record(1, 0, &series)
        record(3, 59, &series)
        record(10, 185, &series)  // skips step 2 entirely
        series.flush(through: .zero + .seconds(240)) { windows.append($0) }
        #expect(windows.map(\.index) == [0, 1, 2, 3])
        #expect(windows.map(\.tally.count) == [2, 0, 0, 1])
        #expect(windows[0].tally.mean == 2)
        #expect(windows[3].start == .zero + .seconds(180) && windows[3].end == .zero + .seconds(240))
    }

    @Test func fifoQueueKeepsOrderAcrossCompaction() {
        var q = FIFOQueue<Int>()
        var expected = 0
        for i in 0..<10_000 {
            q.append(i)
            if i % 3 != 0 { #expect(q.popFirst() == expected); expected += 1 }
        }
        #expect(q.count == 10_000 - expected)
        #expect(q.first == expected)
        #expect(Array(q.elements) == Array(expected..<10_000))
        while let x = q.popFirst() { #expect(x == expected); expected += 1 }
        #expect(q.isEmpty && expected == 10_000)
    }
}

@Suite struct KernelConstantsTests {
    /// The sketch's constants are literals (no lazy globals on the hot path); they must stay
    /// exactly their definitions.
    @Test func quantileSketchConstantsAreTheirDefinitions() {
        let a = QuantileSketch.relativeAccuracy
        #expect(QuantileSketch.gamma == (1 + a) / (1 - a))
        #expect(QuantileSketch.inverseLogGamma == 1 / log((1 + a) / (1 - a)))
    }

    /// Bucket indices are ⌈ln x / ln γ⌉, computed without `ceil`: the same as `rounded(.up)`
    /// on every kind of argument, integers included.
    @Test func bucketIndexIsTheCeiling() {
        var rng = Xoshiro256StarStar(seed: 5)
        var xs: [Double] = [1, 2, 1e-9 * 1.0001, 1e12, 0.5, pow(QuantileSketch.gamma, 7), pow(QuantileSketch.gamma, -7)]
        for _ in 0..<10_000 { xs.append(exp(rng.nextDouble() * 40 - 20)) }
        for x in xs {
            #expect(QuantileSketch.bucketIndex(x) == Int((log(min(x, 1e12)) * QuantileSketch.inverseLogGamma).rounded(.up)))
        }
    }

    /// `UInt64Set` against `Set<UInt64>` under random inserts and removes, with keys that
    /// collide on their low bits (long probe runs, wrap-around) and the key 0.
    @Test(arguments: 0..<20)
    func uint64SetMatchesSet(seed: UInt64) {
        var rng = Xoshiro256StarStar(seed: 900 &+ seed)
        var fast = UInt64Set(), model = Set<UInt64>()
        for step in 0..<3_000 {
            // Few distinct low bits, so keys pile up in the same home slots.
            let key = rng.nextInt(below: 10) == 0 ? 0 : (UInt64(rng.nextInt(below: 400)) << 32) | UInt64(rng.nextInt(below: 8))
            if rng.nextDouble() < 0.6 {
                #expect(fast.insert(key) == model.insert(key).inserted)
            } else {
                #expect(fast.remove(key) == (model.remove(key) != nil))
            }
            #expect(fast.count == model.count)
            if step % 100 == 0 {
                fast.checkInvariants()
                for k in model { #expect(fast.contains(k)) }
            }
        }
        fast.checkInvariants()
        fast.removeAll()
        #expect(fast.count == 0 && !fast.contains(0))
    }
}
