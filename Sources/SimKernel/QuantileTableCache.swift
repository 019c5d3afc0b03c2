#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Quantile tables by distribution, shared by every run in the process.
///
/// Why: a sweep or study runs the same distributions for every seed, and a table costs
/// 2,049 evaluations of Q and Q′ (about 0.7 M instructions) — for a 60-step replication,
/// more than its draws save through the table. A table is a pure function of the
/// distribution's parameters, so sharing one can never change a result; the cache only
/// decides how often it is built. Bounded: the 32 most recently used (64 KB each), so a
/// sensitivity analysis over many latencies does not grow memory without limit.
public final class QuantileTableCache: @unchecked Sendable {
    /// The process's cache.
    public static let shared = QuantileTableCache(capacity: 32)

    struct Key: Equatable {
        let mu: UInt64, sigma: UInt64
    }

    public let capacity: Int
    /// Guards `entries`: parallel replications ask for tables from several threads.
    private let mutex: UnsafeMutablePointer<pthread_mutex_t>
    /// Most recently used last.
    private var entries: [(key: Key, table: QuantileTable)] = []
    private var buildCount = 0

    public init(capacity: Int) {
        precondition(capacity > 0, "QuantileTableCache: capacity \(capacity)")
        self.capacity = capacity
        mutex = .allocate(capacity: 1)
        mutex.initialize(to: pthread_mutex_t())
        pthread_mutex_init(mutex, nil)
    }

    deinit {
        pthread_mutex_destroy(mutex)
        mutex.deallocate()
    }

    /// `d`'s table (`LogNormal.makeTable()`), built at most once while it stays cached.
    public func table(for d: LogNormal) -> QuantileTable {
        let key = Key(mu: d.mu.bitPattern, sigma: d.sigma.bitPattern)
        if let hit = locked({ () -> QuantileTable? in
            guard let i = entries.firstIndex(where: { $0.key == key }) else { return nil }
            let e = entries.remove(at: i)
            entries.append(e)
            return e.table
        }) { return hit }
        let built = d.makeTable()  // outside the lock: other threads' lookups go on meanwhile
        locked {
            buildCount += 1
            if !entries.contains(where: { $0.key == key }) { entries.append((key, built)) }
            if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
        }
        return built
    }

    /// Tables currently held.
    public var count: Int { locked { entries.count } }
    /// Tables built so far (a cache miss builds one; racing threads may each build it).
    public var builds: Int { locked { buildCount } }

    private func locked<R>(_ body: () -> R) -> R {
        pthread_mutex_lock(mutex)
        defer { pthread_mutex_unlock(mutex) }
        return body()
    }
}
