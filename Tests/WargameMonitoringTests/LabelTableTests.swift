import Testing
@testable import WargameMonitoring

/// `LabelTable` against `Dictionary` as the reference, through both of its modes (a scan
/// up to `linearLimit` entries, probing after), and `LabelDerivations` against the
/// derivations it remembers.
@Suite struct LabelTableTests {
    /// Label sets that share names and values in many combinations (so their fingerprints'
    /// low bits, the first probe slot, collide often).
    func labelSets(_ n: Int) -> [Labels] {
        (0..<n).map { i in Labels([("__name__", "m\(i % 3)"), ("le", "\(i % 7)"), ("check", "c\(i / 21)")]) }
    }

    @Test(arguments: [0, 1, 8, 9, 16, 17, 100, 1_000])
    func agreesWithDictionary(count: Int) {
        let keys = labelSets(count)
        #expect(Set(keys).count == count)
        var table = LabelTable<Int>()
        var reference: [Labels: Int] = [:]
        for (i, k) in keys.enumerated() {
            #expect(table[k] == nil)
            #expect(table.insert(k, i * 10) == i)
            reference[k] = i * 10
            // Every key inserted so far is found, at its insertion index.
            if i % 37 == 0 || i == count - 1 {
                for (j, old) in keys[...i].enumerated() {
                    #expect(table.index(of: old) == j)
                    #expect(table[old] == reference[old])
                }
            }
        }
        #expect(table.entries.map(\.key) == keys)  // insertion order
        for absent in labelSets(count + 50).suffix(50) { #expect(table[absent] == nil) }
        table.removeAll()
        #expect(table.count == 0 && keys.allSatisfy { table[$0] == nil })
    }

    @Test func presizedTableStillGrows() {
        var table = LabelTable<Int>(capacity: 20)
        let keys = labelSets(200)
        for (i, k) in keys.enumerated() { table.insert(k, i) }
        #expect(keys.enumerated().allSatisfy { table[$0.element] == $0.offset })
    }

    @Test func derivationsAreTheDerivedLabels() {
        let d = LabelDerivations(limit: 5)  // small, so the memo restarts during the test
        let ops = [d.op(.dropping, ["le"]), d.op(.keeping, ["check", "le"]), d.withoutName, d.op(.dropping, ["le"])]
        #expect(ops[0] == ops[3])  // the same operation has one id
        for _ in 0..<3 {
            for l in labelSets(30) {
                #expect(d.derive(l, ops[0]) == l.dropping(["le"]))
                #expect(d.derive(l, ops[1]) == l.keeping(["check", "le"]))
                #expect(d.derive(l, ops[2]) == l.withoutName)
                #expect(d.bound(l) == Double(l["le"]))
            }
        }
        #expect(d.bound(Labels([("le", "+Inf")])) == .infinity)
        #expect(d.bound(Labels([("le", "x")])) == nil)
    }

    @Test func droppingNothingKeepsTheLabelSet() {
        let l = Labels([("a", "1"), ("b", "2")])
        #expect(l.dropping(["c"]) == l)
        #expect(l.dropping(["a"]) == Labels([("b", "2")]))
        #expect(l.dropping(["a"]).description == "{b=\"2\"}")
    }
}
