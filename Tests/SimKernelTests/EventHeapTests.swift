import Testing
@testable import SimKernel

/// Counts live instances, to prove the heap's manual memory moves neither leak nor
/// double-release non-trivial payloads.
final class Tracked {
    nonisolated(unsafe) static var live = 0
    let id: Int
    init(_ id: Int) { self.id = id; Tracked.live += 1 }
    deinit { Tracked.live -= 1 }
}

@Suite struct EventHeapTests {
    @Test func emptyHeapHasNoMinimumAndPopsNil() {
        var heap = EventHeap<Int>()
        #expect(heap.count == 0)
        #expect(heap.min == nil)
        #expect(heap.popMin() == nil)
    }

    @Test(arguments: 0..<200)
    func popsInTimeThenInsertionOrder(seed: UInt64) {
        var rng = Xoshiro256StarStar(seed: seed)
        var heap = EventHeap<Int>(minimumCapacity: 4)
        let n = 1 + rng.nextInt(below: 300)
        var keys: [(Int64, UInt64)] = []
        for seq in 0..<n {
            // Few distinct times, so ties are common and the seq tie-break is exercised.
            let t = Int64(rng.nextInt(below: 20))
            heap.insert(.init(time: t, seq: UInt64(seq), payload: seq))
            keys.append((t, UInt64(seq)))
            heap.checkInvariants()
        }
        keys.sort { $0.0 < $1.0 || ($0.0 == $1.0 && $0.1 < $1.1) }
        for expected in keys {
            let e = heap.popMin()!
            #expect(e.time == expected.0 && e.seq == expected.1)
            #expect(e.payload == Int(e.seq))
            heap.checkInvariants()
        }
        #expect(heap.count == 0)
    }

    @Test(arguments: 0..<100)
    func interleavedInsertAndPopKeepTheInvariant(seed: UInt64) {
        var rng = Xoshiro256StarStar(seed: seed &+ 1_000)
        var heap = EventHeap<Void>()
        var reference: [(Int64, UInt64)] = []
        var seq: UInt64 = 0
        for _ in 0..<500 {
            if reference.isEmpty || rng.nextDouble() < 0.6 {
                let t = Int64(rng.nextInt(below: 1_000))
                heap.insert(.init(time: t, seq: seq, payload: ()))
                reference.append((t, seq))
                seq += 1
            } else {
                let i = reference.indices.min { reference[$0].0 < reference[$1].0
                    || (reference[$0].0 == reference[$1].0 && reference[$0].1 < reference[$1].1) }!
                let want = reference.remove(at: i)
                let got = heap.popMin()!
                #expect(got.time == want.0 && got.seq == want.1)
            }
            #expect(heap.count == reference.count)
        }
        heap.checkInvariants()
    }

    @Test func popBeforeLimitLeavesLaterEntries() {
        var heap = EventHeap<String>()
        heap.insert(.init(time: 10, seq: 0, payload: "a"))
        heap.insert(.init(time: 20, seq: 1, payload: "b"))
        #expect(heap.popMin(before: 10) == nil)
        #expect(heap.popMin(before: 11)?.payload == "a")
        #expect(heap.popMin(before: 20) == nil)
        #expect(heap.count == 1)
    }

    /// The heap moves payloads with raw pointer operations; a non-trivial payload must be
    /// neither leaked nor released twice, through grows, pops, `removeAll` and `deinit`.
    @Test func nonTrivialPayloadsAreReleasedExactlyOnce() {
        let before = Tracked.live
        do {
            var heap = EventHeap<Tracked>(minimumCapacity: 2)  // forces several grows
            for i in 0..<100 { heap.insert(.init(time: Int64((i * 37) % 17), seq: UInt64(i), payload: Tracked(i))) }
            #expect(Tracked.live == before + 100)
            var popped: [Int] = []
            for _ in 0..<30 { popped.append(heap.popMin()!.payload.id) }
            #expect(Tracked.live == before + 70)
            heap.checkInvariants()
            heap.removeAll()
            #expect(Tracked.live == before)
            for i in 0..<10 { heap.insert(.init(time: 1, seq: UInt64(200 + i), payload: Tracked(i))) }
            #expect(Tracked.live == before + 10)
            #expect(popped.count == 30)
        }
        #expect(Tracked.live == before)  // deinit released the last ten
    }
}
