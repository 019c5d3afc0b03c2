/// Reads RFC 4180 CSV back — the files this project writes, for merging shards and
/// rebuilding reports: quoted fields (with doubled quotes, commas and line breaks inside),
/// CRLF or LF record ends.
public enum CSVReader {
    /// One record and the (1-based) line it starts on, for messages that point at a cell.
    public struct Record: Sendable, Equatable {
        public let line: Int
        public let fields: [String]
    }

    /// Text that is not well-formed CSV, and the line where that shows.
    public struct SyntaxError: Error, Sendable, Equatable {
        public let line: Int
        public let message: String
    }

    /// The records, or nil for text that is not well-formed CSV.
    public static func parse(_ text: String) -> [[String]]? {
        (try? records(text))?.map(\.fields)
    }

    public static func records(_ text: String) throws(SyntaxError) -> [Record] {
        let bytes = Array(text.utf8)
        var records: [Record] = [], record: [String] = [], field: [UInt8] = []
        var quoted = false, afterQuote = false, inRecord = false
        var line = 1, recordLine = 1
        func endField() {
            record.append(String(decoding: field, as: UTF8.self))
            field.removeAll()
            afterQuote = false
        }
        var i = 0
        while i < bytes.count {
            let b = bytes[i]
            i += 1
            if quoted {
                if b == 10 { line += 1 }
                if b != UInt8(ascii: "\"") {
                    field.append(b)
                } else if i < bytes.count, bytes[i] == UInt8(ascii: "\"") {
                    field.append(b)
                    i += 1
                } else {
                    quoted = false
                    afterQuote = true
                }
                continue
            }
            switch b {
            case UInt8(ascii: ","):
                endField()
                inRecord = true
            case 13, 10:
                if b == 13 {
                    guard i < bytes.count, bytes[i] == 10 else { throw SyntaxError(line: line, message: "a carriage return not followed by a line feed") }
                    i += 1
                }
                endField()
                records.append(Record(line: recordLine, fields: record))
                record = []
                inRecord = false
                line += 1
                recordLine = line
            case UInt8(ascii: "\""):
                guard field.isEmpty, !afterQuote else { throw SyntaxError(line: line, message: "a quote inside an unquoted field") }
                quoted = true
                inRecord = true
            default:
                guard !afterQuote else { throw SyntaxError(line: line, message: "text after a closing quote") }
                field.append(b)
                inRecord = true
            }
        }
        if quoted { throw SyntaxError(line: recordLine, message: "a quoted field that never ends") }
        if inRecord {
            endField()
            records.append(Record(line: recordLine, fields: record))
        }
        return records
    }
}
