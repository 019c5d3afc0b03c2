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

    /// A GitHub-flavoured Markdown table: the first row is the header; `|` inside a cell
    /// is escaped so it cannot split the cell.
    public static func markdown(_ rows: [[String]]) -> String {
        guard let header = rows.first else { return "" }
        func line(_ r: [String]) -> String { "| " + r.map { $0.replacingOccurrences(of: "|", with: "\\|") }.joined(separator: " | ") + " |\n" }
        return line(header) + "|" + String(repeating: "---|", count: header.count) + "\n" + rows.dropFirst().map(line).joined()
    }
}
