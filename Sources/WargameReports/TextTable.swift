/// Left-aligned columns separated by two spaces, for terminal summaries. The last column is
/// not padded, so lines carry no trailing spaces.
public enum TextTable {
    public static func render(_ rows: [[String]], indent: String = "") -> String {
        guard let columns = rows.map(\.count).max() else { return "" }
        let widths = (0..<columns).map { c in rows.map { c < $0.count ? $0[c].count : 0 }.max()! }
        return rows.map { r in
            indent + r.indices.map { $0 == r.count - 1 ? r[$0] : r[$0] + String(repeating: " ", count: widths[$0] - r[$0].count + 2) }.joined()
        }.joined(separator: "\n") + "\n"
    }
}
