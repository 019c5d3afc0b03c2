import Foundation
import Testing
@testable import SimKernel

/// The invariants `LogLinearHistogram` documents, checked exhaustively where the space is
/// small and on fixed-seed samples where it is not.
@Suite struct LogLinearHistogramTests {
    static let p = LogLinearHistogram.precisionBits

    /// Every value lies in its bucket; buckets are contiguous (consecutive values map to the
    /// same or the next index), exact below 2^P, and no wider than 2^−(P−1) of their lower
    /// bound above it. Exhaustive over the first four octaves past the exact range.
    @Test func bucketsTileTheIntegersWithBoundedWidth() {
        var previous = -1
        for v in 0..<(UInt64(1) << UInt64(Self.p + 4)) {
            let i = LogLinearHistogram.index(v)
            #expect(i == previous || i == previous + 1, "index jumps at \(v)")
            if i != previous && i != previous + 1 { return }
            previous = i
            let (lower, width) = LogLinearHistogram.bucket(i)
            if !(UInt64(lower) <= v && v < UInt64(lower + width)) { Issue.record("\(v) outside bucket \(i) = [\(lower), \(lower + width))"); return }
            if v < 1 << UInt64(Self.p) && width != 1 { Issue.record("\(v) below 2^P has width \(width)"); return }
            if width > 1 && Double(width) > Double(lower) / Double(1 << (Self.p - 1)) { Issue.record("bucket \(i) too wide: \(width) at \(lower)"); return }
        }
        // Far out, at every octave up to 2^62: the same properties at the octave's edges.
        for e in (Self.p + 4)...62 {
            for v in [UInt64(1) << UInt64(e), (UInt64(1) << UInt64(e)) - 1, (UInt64(1) << UInt64(e)) + 12_345] {
                let (lower, width) = LogLinearHistogram.bucket(LogLinearHistogram.index(v))
                #expect(UInt64(lower) <= v && v < UInt64(lower) + UInt64(width), "\(v)")
                #expect(Double(width) <= Double(lower) / Double(1 << (Self.p - 1)))
            }
        }
    }

    /// Quantiles are within `relativeError` of the exact order statistic of the same rank
    /// (⌊q(n−1)⌋), on lognormal latencies spanning 1 µs to hours, and exact where every
    /// value is below 2^P.
    @Test(arguments: [1, 2, 3, 4, 5])
    func quantilesAreWithinTheRelativeErrorOfTheExactOrderStatistic(seed: UInt64) {
        var rng = Xoshiro256StarStar(seed: seed)
        var h = LogLinearHistogram(), small = LogLinearHistogram()
        var values: [Int64] = [], smallValues: [Int64] = []
        for _ in 0..<20_000 {
            let v = Int64(exp(rng.nextDouble() * 23))  // 1 µs … ≈ 2.7 h
            values.append(v); h.add(v)
            let s = Int64(rng.nextDouble() * 65_536)
            smallValues.append(s); small.add(s)
        }
        values.sort(); smallValues.sort()
        for q in [0, 0.001, 0.05, 0.25, 0.5, 0.9, 0.95, 0.99, 0.999, 1] {
            let exact = Double(values[Int((q * Double(values.count - 1)).rounded(.down))])
            let got = h.quantile(q)!
            #expect(abs(got - exact) <= exact * LogLinearHistogram.relativeError, "q \(q): \(got) vs \(exact)")
            #expect(small.quantile(q)! == Double(smallValues[Int((q * Double(smallValues.count - 1)).rounded(.down))]))
        }
        #expect(h.min == values.first && h.max == values.last)
    }

    /// Merging is exact (buckets align) and order-independent; memory follows the range of
    /// the values, not their number.
    @Test func mergeEqualsAddingEveryValueAndMemoryFollowsTheRange() {
        var a = LogLinearHistogram(), b = LogLinearHistogram(), both = LogLinearHistogram()
        var rng = Xoshiro256StarStar(seed: 9)
        for k in 0..<50_000 {
            let v = Int64(200_000 + rng.nextDouble() * 100_000)  // 200–300 ms in µs
            if k % 3 == 0 { a.add(v) } else { b.add(v) }
            both.add(v)
        }
        var merged = b
        merged.merge(a)
        var other = a
        other.merge(b)
        #expect(merged == both && other == both)
        let span = LogLinearHistogram.index(300_000) - LogLinearHistogram.index(200_000) + 1
        #expect(both.bucketCount <= span)
        for _ in 0..<50_000 { both.add(Int64(200_000 + rng.nextDouble() * 100_000)) }
        #expect(both.bucketCount <= span, "a million more values in the same range allocate nothing")
    }

    @Test func emptinessNegativesAndTheResolutionFunction() {
        var h = LogLinearHistogram()
        #expect(h.quantile(0.5) == nil && h.min == nil && h.count == 0)
        h.add(-5)
        #expect(h.quantile(0.5) == 0 && h.min == 0)
        #expect(LogLinearHistogram.resolution(at: 65_535) == 1)
        #expect(LogLinearHistogram.resolution(at: 65_536) == 2)
        #expect(LogLinearHistogram.resolution(at: 270_000) == 8)
        var w = WindowSamples()
        #expect(w.quantile(0.95) == nil)
        for v in [5, 3, 9, 1] as [Int64] { w.add(v) }
        #expect(!w.isSorted && w.quantile(0) == 1 && w.quantile(1) == 9 && w.quantile(0.5) == 3)
        w.sort()
        #expect(w.isSorted && w.values == [1, 3, 5, 9])
    }
}
