import Testing
@testable import WargameMonitoring

@Suite struct YAMLTests {
    @Test func readsARuleFileWithCompactListsBlockScalarsAndComments() throws {
        let text = """
        # production rules
        groups:
        - name: aurora   # the group
          interval: 1m
          rules:
            - alert: HighDrops
              expr: |
                sum(rate(wargame_orders_dropped_total[5m]))
                  > 0.5
              for: 10m
              labels: {severity: page, team: "sre"}
              annotations:
                summary: 'Dropped {{ $value | humanize }} orders/s: it''s bad'
                description: >-
                  folded
                  text
            - record: job:x:rate5m
              expr: sum(rate(x[5m]))
        """
        let doc = try YAML.parse(text)
        let group = try #require(doc["groups"]?.items?.first)
        #expect(group["name"]?.string == "aurora")
        let rules = try #require(group["rules"]?.items)
        #expect(rules.count == 2)
        #expect(rules[0]["expr"]?.string == "sum(rate(wargame_orders_dropped_total[5m]))\n  > 0.5\n")
        #expect(rules[0]["labels"]?["team"]?.string == "sre")
        #expect(rules[0]["labels"]?["severity"]?.string == "page")
        #expect(rules[0]["annotations"]?["summary"]?.string == "Dropped {{ $value | humanize }} orders/s: it's bad")
        #expect(rules[0]["annotations"]?["description"]?.string == "folded text")
        #expect(rules[1]["record"]?.string == "job:x:rate5m")
        #expect(rules[1]["expr"]?.line == 18)
    }

    @Test func plainScalarsContinueOnMoreIndentedLines() throws {
        let doc = try YAML.parse("expr: sum(x)\n  > 3\nnext: [a, 'b', \"c\\n\"]\nempty:\nlist:\n- 1\n- - 2\n")
        #expect(doc["expr"]?.string == "sum(x) > 3")
        #expect(doc["next"]?.items?.map(\.string) == ["a", "b", "c\n"])
        #expect(doc["empty"]?.isNull == true)
        #expect(doc["list"]?.items?.count == 2)
        #expect(doc["list"]?.items?[1].items?.first?.string == "2")
    }

    @Test func readsNestingUpToTheLimits() throws {
        let flow = try YAML.parse("a: " + String(repeating: "[", count: 63) + "1" + String(repeating: "]", count: 63) + "\n")
        var node = try #require(flow["a"]), levels = 0
        while let items = node.items { node = items[0]; levels += 1 }
        #expect(levels == 63 && node.string == "1")
        let block = try YAML.parse((0..<200).map { String(repeating: "  ", count: $0) + "k:" }.joined(separator: "\n") + " 1\n")
        #expect(block.entries?.count == 1)
    }

    @Test func splitsDocumentsAndKeepsChomping() throws {
        let docs = try YAML.documents("a: |+\n  x\n\n---\nb: |-\n  y\n---\n")
        #expect(docs.count == 2)
        #expect(docs[0]["a"]?.string == "x\n\n")
        #expect(docs[1]["b"]?.string == "y")
    }

    @Test(arguments: [
        ("a: 1\na: 2\n", 2, "duplicate key"),
        ("a: &x 1\n", 1, "anchors"),
        ("a:\n\t- b\n", 2, "tab"),
        ("a: \"open\n", 1, "unterminated"),
        ("a: [1, 2\n", 1, "unclosed"),
        ("a:\n  b: 1\n c: 2\n", 3, "unexpected indentation"),
        // Nesting is bounded (a stack overflow is a crash, not an error): flow, compact, block.
        ("a: " + String(repeating: "[", count: 100_000) + String(repeating: "]", count: 100_000) + "\n", 1, "nested more than 64 deep"),
        ("a: " + String(repeating: "{b: ", count: 65) + "1" + String(repeating: "}", count: 65) + "\n", 1, "nested more than 64 deep"),
        (String(repeating: "- ", count: 100_000) + "x\n", 1, "nested more than 256 deep"),
        ((0..<300).map { String(repeating: "  ", count: $0) + "k:" }.joined(separator: "\n") + " 1\n", 257, "nested more than 256 deep"),
    ])
    func refusesWhatItCannotRead(_ text: String, _ line: Int, _ words: String) {
        #expect {
            _ = try YAML.parse(text)
        } throws: { e in
            guard let e = e as? YAMLError else { return false }
            return e.line == line && e.message.contains(words)
        }
    }
}
