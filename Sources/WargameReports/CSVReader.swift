/// Reads RFC 4180 CSV back — the files this project writes, for merging shards and
/// rebuilding reports: quoted fields (with doubled quotes, commas and line breaks inside),
/// CRLF or LF record ends. Returns nil for text that is not well-formed CSV.
public enum CSVReader {
    public static func parse(_ text: String) -> [[String]]? {
        let bytes = Array(text.utf8)
        var records: [[String]] = [], record: [String] = [], field: [UInt8] = []
        var quoted = false, afterQuote = false, inRecord = false
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
                    guard i < bytes.count, bytes[i] == 10 else { return nil }
                    i += 1
                }
                endField()
                records.append(record)
                record = []
                inRecord = false
            case UInt8(ascii: "\""):
                guard field.isEmpty, !afterQuote else { return nil }
                quoted = true
                inRecord = true
            default:
                guard !afterQuote else { return nil }
                field.append(b)
                inRecord = true
            }
        }
        if quoted { return nil }
        if inRecord {
            endField()
            records.append(record)
        }
        return records
    }
}
