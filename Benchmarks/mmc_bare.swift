// The M/M/c queue as a bare, single-threaded Swift loop: the reference `make bench`
// measures the kernel (`wargame bench mmc`) against. It is what a hand-written simulation
// of this one model costs on this machine — no kernel, no generic event loop, no integer
// time — so the ratio of the two says what the kernel's generality costs.
//
//   swiftc -O -wmo Benchmarks/mmc_bare.swift -o .build/mmc_bare
//   .build/mmc_bare [servers] [arrival_rate] [service_rate] [customers] [seed]
//   defaults: 7 6.0 1.0 1000000 1 — the same as `wargame bench mmc`
//
// The model is the kernel's: N customers arrive as a Poisson process, wait in one FIFO
// line for the first of c servers, and are served for an exponential time; the run ends
// when every customer has left. Events are the N arrivals plus the N departures, as in
// `bench mmc`. Pending events sit in a binary min-heap keyed by (time, sequence), so ties
// leave in the order they were scheduled; the line is a ring buffer of arrival times.
// Random numbers: xoshiro256** seeded through SplitMix64, exponentials by inversion of
// 1 − U with 53-bit uniforms. No Foundation, so the resident-memory figure is the loop's.
// Output is one `name: value` line per figure, the format `bench mmc` prints.

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

struct Generator {
    var a: UInt64, b: UInt64, c: UInt64, d: UInt64

    init(seed: UInt64) {
        var x = seed
        func splitmix() -> UInt64 {
            x &+= 0x9E37_79B9_7F4A_7C15
            var z = x
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
        a = splitmix(); b = splitmix(); c = splitmix(); d = splitmix()
    }

    @inline(__always) mutating func next() -> UInt64 {
        let out = ((b &* 5) << 7 | (b &* 5) >> 57) &* 9
        let t = b << 17
        c ^= a; d ^= b; b ^= c; a ^= d
        c ^= t
        d = d << 45 | d >> 19
        return out
    }

    /// An exponential variate with the given rate.
    @inline(__always) mutating func exponential(rate: Double) -> Double {
        -log(1 - Double(next() >> 11) * 0x1.0p-53) / rate
    }
}

/// A pending event: when, the order it was scheduled in, and whether it is an arrival.
struct Pending {
    var time: Double
    var sequence: UInt64
    var isArrival: Bool

    @inline(__always) func before(_ other: Pending) -> Bool {
        time < other.time || (time == other.time && sequence < other.sequence)
    }
}

/// A binary min-heap of pending events; the root is the next to happen.
struct EventHeap {
    var items: [Pending] = []
    var scheduled: UInt64 = 0

    init() { items.reserveCapacity(64) }

    var isEmpty: Bool { items.isEmpty }

    @inline(__always) mutating func push(at time: Double, arrival: Bool) {
        scheduled &+= 1
        items.append(Pending(time: time, sequence: scheduled, isArrival: arrival))
        var child = items.count - 1
        let moving = items[child]
        while child > 0 {
            let parent = (child - 1) / 2
            guard moving.before(items[parent]) else { break }
            items[child] = items[parent]
            child = parent
        }
        items[child] = moving
    }

    @inline(__always) mutating func pop() -> Pending {
        let top = items[0]
        let last = items.removeLast()
        if items.isEmpty { return top }
        var hole = 0
        let n = items.count
        while true {
            let left = 2 * hole + 1
            if left >= n { break }
            let right = left + 1
            let smaller = right < n && items[right].before(items[left]) ? right : left
            guard items[smaller].before(last) else { break }
            items[hole] = items[smaller]
            hole = smaller
        }
        items[hole] = last
        return top
    }
}

/// The waiting line: a ring buffer of arrival times that doubles when full.
struct Line {
    var slots = [Double](repeating: 0, count: 1024)
    var head = 0, count = 0

    @inline(__always) mutating func append(_ t: Double) {
        if count == slots.count {
            slots = (0..<count).map { slots[(head + $0) & (slots.count - 1)] } + [Double](repeating: 0, count: count)
            head = 0
        }
        slots[(head + count) & (slots.count - 1)] = t
        count += 1
    }

    @inline(__always) mutating func removeFirst() -> Double {
        let t = slots[head]
        head = (head + 1) & (slots.count - 1)
        count -= 1
        return t
    }
}

/// Erlang C: the mean wait in line of a stable M/M/c queue.
func erlangCWait(servers c: Int, arrival lambda: Double, service mu: Double) -> (wait: Double, probability: Double) {
    let a = lambda / mu, rho = a / Double(c)
    var term = 1.0, sum = 1.0
    for k in 1..<c { term *= a / Double(k); sum += term }
    let last = term * a / Double(c) / (1 - rho)
    let p = last / (sum + last)
    return (p / (Double(c) * mu - lambda), p)
}

func fixed(_ x: Double, _ decimals: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: 64)
    _ = withVaList([decimals, x]) { vsnprintf(&buffer, 64, "%.*f", $0) }
    return String(cString: buffer)
}

func seconds() -> Double {
    var t = timespec()
    clock_gettime(CLOCK_MONOTONIC, &t)
    return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
}

let args = CommandLine.arguments
let servers = args.count > 1 ? Int(args[1]) ?? 7 : 7
let lambda = args.count > 2 ? Double(args[2]) ?? 6 : 6
let mu = args.count > 3 ? Double(args[3]) ?? 1 : 1
let customers = args.count > 4 ? Int(args[4]) ?? 1_000_000 : 1_000_000
let seed = args.count > 5 ? UInt64(args[5]) ?? 1 : 1
guard servers >= 1, lambda > 0, mu > 0, lambda < Double(servers) * mu, customers >= 1 else {
    print("usage: mmc_bare [servers] [arrival_rate] [service_rate] [customers] [seed], a stable queue (arrival_rate < servers × service_rate)")
    exit(2)
}

/// The run itself, in a function: top-level variables are globals, which the optimiser
/// must load and store through memory with exclusivity checks on every access.
func simulate(servers: Int, lambda: Double, mu: Double, customers: Int, seed: UInt64)
    -> (events: UInt64, served: Int, waited: Int, totalWait: Double, seconds: Double) {
    var rng = Generator(seed: seed)
    var heap = EventHeap()
    var line = Line()
    var busy = 0, arrived = 0, served = 0, waited = 0
    var events: UInt64 = 0
    var totalWait = 0.0
    let start = seconds()
    heap.push(at: rng.exponential(rate: lambda), arrival: true)
    while !heap.isEmpty {
        let e = heap.pop()
        events &+= 1
        if e.isArrival {
            arrived += 1
            if arrived < customers { heap.push(at: e.time + rng.exponential(rate: lambda), arrival: true) }
            if busy < servers {
                busy += 1
                served += 1
                heap.push(at: e.time + rng.exponential(rate: mu), arrival: false)
            } else {
                line.append(e.time)
            }
        } else if line.count > 0 {
            let since = line.removeFirst()
            totalWait += e.time - since
            waited += 1
            served += 1
            heap.push(at: e.time + rng.exponential(rate: mu), arrival: false)
        } else {
            busy -= 1
        }
    }
    return (events, served, waited, totalWait, seconds() - start)
}

let r = simulate(servers: servers, lambda: lambda, mu: mu, customers: customers, seed: seed)
let (events, served, waited, totalWait, elapsed) = r

var usage = rusage()
#if canImport(Glibc)
getrusage(__rusage_who_t(RUSAGE_SELF.rawValue), &usage)
let peakMB = Double(usage.ru_maxrss) / 1024
#else
getrusage(RUSAGE_SELF, &usage)
let peakMB = Double(usage.ru_maxrss) / 1_048_576
#endif
let theory = erlangCWait(servers: servers, arrival: lambda, service: mu)
print("handler: bare loop")
print("customers: \(served)")
print("events: \(events)")
print("loop_seconds: \(fixed(elapsed, 4))")
print("events_per_second: \(fixed(Double(events) / elapsed, 0))")
print("ns_per_event: \(fixed(elapsed / Double(events) * 1e9, 2))")
print("wq_simulated: \(fixed(totalWait / Double(served), 5))")
print("wq_erlang_c: \(fixed(theory.wait, 5))")
print("p_wait_simulated: \(fixed(Double(waited) / Double(served), 5))")
print("p_wait_erlang_c: \(fixed(theory.probability, 5))")
print("peak_rss_mb: \(fixed(peakMB, 1))")
