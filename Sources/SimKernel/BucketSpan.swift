/// Counts per integer bucket index, allocated only over the span of indices touched (from
/// the smallest seen to the largest): the storage both `QuantileSketch` and
/// `LogLinearHistogram` keep, so their memory follows the range of the values, not their
/// number. Invariant: `counts[k]` is the count of bucket `offset + k`; outside the span, 0.
@usableFromInline struct BucketSpan: Sendable, Equatable {
    @usableFromInline var counts: [Int64] = []
    /// Bucket index of `counts[0]`.
    @usableFromInline var offset = 0

    @inlinable init() {}

    /// Adds `n` to bucket `i`. Amortised O(1): the span grows only for a new extreme.
    @inlinable mutating func add(_ n: Int64, at i: Int) {
        let k = i - offset
        if k >= 0 && k < counts.count {
            counts[k] += n
        } else {
            growToInclude(i)
            counts[i - offset] += n
        }
    }

    @usableFromInline mutating func growToInclude(_ i: Int) {
        if counts.isEmpty {
            offset = i
            counts = [0]
        } else if i < offset {
            counts.insert(contentsOf: repeatElement(0, count: offset - i), at: 0)
            offset = i
        } else if i - offset >= counts.count {
            counts.append(contentsOf: repeatElement(0, count: i - offset - counts.count + 1))
        }
    }

    /// Adds every count of another span (bucket indices are absolute, so they align). Only
    /// its non-empty buckets extend this span.
    mutating func merge(_ other: BucketSpan) {
        for k in other.counts.indices where other.counts[k] > 0 { add(other.counts[k], at: k + other.offset) }
    }

    /// The index of the bucket holding the sample of 0-based rank `rank`, counting `before`
    /// samples below the span; nil when the span holds fewer.
    func bucket(ofRank rank: Int64, before: Int64 = 0) -> Int? {
        var seen = before
        for k in counts.indices where counts[k] > 0 {
            seen += counts[k]
            if seen > rank { return k + offset }
        }
        return nil
    }

    /// Zeroes every count, keeping the allocated span.
    mutating func clear() {
        for k in counts.indices { counts[k] = 0 }
    }

    var allocated: Int { counts.count }
}
