/// Streams rows as RFC 4180 CSV: a header row, CRLF line endings, and fields quoted only
/// when they contain a comma, a double quote, CR or LF (quotes doubled inside).
///
/// The column count is fixed by the header and checked on every row, so a schema slip is
/// a test failure rather than a silently misaligned file.
public struct CSVWriter {
    public let header: [String]
    let file: OutputFile
    public private(set) var rowsWritten = 0

    public init(file: OutputFile, header: [String]) throws(OutputError) {
        self.file = file
        self.header = header
        try file.write(CSVWriter.line(header))
    }

    public mutating func writeRow(_ fields: [String]) throws(OutputError) {
        precondition(fields.count == header.count,
                     "CSV row has \(fields.count) fields, header has \(header.count): \(fields)")
        try file.write(CSVWriter.line(fields))
        rowsWritten += 1
    }

    /// One record, CRLF-terminated.
    public static func line(_ fields: [String]) -> String {
        fields.map(escape).joined(separator: ",") + "\r\n"
    }

    /// A field, quoted if RFC 4180 requires it.
    public static func escape(_ field: String) -> String {
        let needsQuotes = field.utf8.contains { $0 == UInt8(ascii: ",") || $0 == UInt8(ascii: "\"") || $0 == 13 || $0 == 10 }
        guard needsQuotes else { return field }
        return "\"" + field.replacingOccurrences(of: "\"", with: "\"\"") + "\""
    }
}
