import Foundation

/// A label regex as Prometheus applies it: anchored at both ends (`^(?:re)$`). Literal
/// alternations (`a|b|c`), the commonest regexes in alert rules, are matched as a set
/// without the regex engine; `.*` matches everything.
///
/// ICU's syntax (NSRegularExpression) and Go's RE2 agree on the constructs rule files use
/// (classes, alternation, repetition, groups); RE2-only syntax fails to compile here and is
/// refused as an invalid regex.
final class AnchoredRegex: @unchecked Sendable {
    // Immutable after init; NSRegularExpression is thread-safe for matching.
    private let literals: Set<String>?
    private let any: Bool
    private let regex: NSRegularExpression?

    init?(_ pattern: String) {
        let meta = CharacterSet(charactersIn: "\\^$.*+?()[]{}")
        if pattern == ".*" {
            any = true; literals = nil; regex = nil
        } else if pattern.unicodeScalars.allSatisfy({ !meta.contains($0) }) {
            any = false; regex = nil
            literals = Set(pattern.split(separator: "|", omittingEmptySubsequences: false).map(String.init))
        } else {
            guard let r = try? NSRegularExpression(pattern: "^(?:" + pattern + ")$", options: []) else { return nil }
            any = false; literals = nil; regex = r
        }
    }

    func matches(_ s: String) -> Bool {
        if any { return !s.contains("\n") }
        if let literals { return literals.contains(s) }
        let ns = s as NSString
        return regex!.firstMatch(in: s, options: [], range: NSRange(location: 0, length: ns.length)) != nil
    }
}
