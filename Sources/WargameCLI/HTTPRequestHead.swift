/// An HTTP/1.x request head (RFC 9112 §2–§5), parsed from the bytes received so far.
///
/// A pure function of its input, so the event loop can call it after every read and the
/// fuzzer can call it on anything. It rejects as early as the grammar allows — a method
/// byte that is not a token character, a target that is not origin-form, a control byte
/// in a header — so random bytes or a TLS ClientHello (first byte 0x16) get their 400 on
/// the first read instead of after a timeout. Heads are capped at `maximumBytes` and
/// `maximumFields` header lines. A single LF is accepted as a line end (RFC 9112 §2.2).
/// Public for the fuzz targets in `Fuzz/`.
public struct HTTPRequestHead: Equatable, Sendable {
    public let method: String
    /// The path of the origin-form target, without its query.
    public let path: String
    /// `1.0` or `1.1`.
    public let version: String
    public let fields: [Field]

    public struct Field: Equatable, Sendable {
        public let name: String
        public let value: String
    }

    public enum Parse: Equatable, Sendable {
        /// Valid so far; more bytes needed.
        case incomplete
        /// A whole head, which took `length` bytes.
        case complete(HTTPRequestHead, length: Int)
        /// Not HTTP, or beyond a limit: answer 400 and close.
        case invalid(String)
    }

    public static let maximumBytes = 8_192
    public static let maximumFields = 100

    public static func parse(_ bytes: [UInt8]) -> Parse {
        var lines: [ArraySlice<UInt8>] = []
        var start = 0
        var end: Int?
        for i in bytes.indices where bytes[i] == 10 {
            var line = bytes[start..<i]
            if line.last == 13 { line = line.dropLast() }
            start = i + 1
            if line.isEmpty {
                if lines.isEmpty { return .invalid("a request must start with its request line") }
                end = start
                break
            }
            lines.append(line)
        }
        // Judge what is there, complete lines and the partial one alike.
        guard let first = lines.first else { return prefixProblem(bytes[start...]).map(Parse.invalid) ?? .incomplete }
        if (end ?? bytes.count) > maximumBytes { return .invalid("request head larger than \(maximumBytes) bytes") }
        if lines.count > maximumFields + 1 { return .invalid("more than \(maximumFields) header fields") }
        if let problem = requestLineProblem(first) { return .invalid(problem) }
        for line in lines.dropFirst() where fieldProblem(line) != nil { return .invalid(fieldProblem(line)!) }
        guard let end else { return .incomplete }

        let parts = first.split(separator: 32, omittingEmptySubsequences: false)
        let target = parts[1]
        let path = target.prefix { $0 != UInt8(ascii: "?") }
        let fields = lines.dropFirst().map { line -> Field in
            let colon = line.firstIndex(of: UInt8(ascii: ":"))!
            return Field(name: text(line[line.startIndex..<colon]), value: text(trimmed(line[(colon + 1)...])))
        }
        let head = HTTPRequestHead(method: text(parts[0]), path: text(path), version: text(parts[2].dropFirst(5)), fields: fields)
        return .complete(head, length: end)
    }

    /// What is wrong with the start of a request line still being received, if anything.
    static func prefixProblem(_ partial: ArraySlice<UInt8>) -> String? {
        if partial.count > maximumBytes { return "request line longer than \(maximumBytes) bytes" }
        for b in partial {
            if b == 32 { return nil }  // the method ended; the target is judged when the line is whole
            if b == 13 { continue }
            if !isTokenByte(b) { return "not an HTTP request (byte 0x\(String(b, radix: 16)) in the method)" }
        }
        return nil
    }

    static func requestLineProblem(_ line: ArraySlice<UInt8>) -> String? {
        let parts = line.split(separator: 32, omittingEmptySubsequences: false)
        guard parts.count == 3, !parts[0].isEmpty, parts[0].allSatisfy(isTokenByte) else {
            return "malformed request line (expected METHOD SP /path SP HTTP/1.x)"
        }
        let target = parts[1]
        guard target.first == UInt8(ascii: "/"), target.allSatisfy({ $0 > 32 && $0 < 127 }) else {
            return "malformed request target (expected an absolute path)"
        }
        guard Array(parts[2]) == Array("HTTP/1.1".utf8) || Array(parts[2]) == Array("HTTP/1.0".utf8) else {
            return "unsupported protocol version (expected HTTP/1.0 or HTTP/1.1)"
        }
        return nil
    }

    static func fieldProblem(_ line: ArraySlice<UInt8>) -> String? {
        guard let colon = line.firstIndex(of: UInt8(ascii: ":")), colon > line.startIndex,
              line[line.startIndex..<colon].allSatisfy(isTokenByte) else {
            return "malformed header field (expected name: value)"
        }
        // Field values: visible characters, space, tab, or obs-text (≥ 0x80).
        guard line[(colon + 1)...].allSatisfy({ $0 == 9 || ($0 >= 32 && $0 != 127) }) else {
            return "control character in a header field"
        }
        return nil
    }

    /// tchar (RFC 9110 §5.6.2).
    static func isTokenByte(_ b: UInt8) -> Bool {
        switch b {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"): true
        default: Array("!#$%&'*+-.^_`|~".utf8).contains(b)
        }
    }

    static func trimmed(_ s: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        var s = s
        while let f = s.first, f == 32 || f == 9 { s = s.dropFirst() }
        while let l = s.last, l == 32 || l == 9 { s = s.dropLast() }
        return s
    }

    static func text(_ s: ArraySlice<UInt8>) -> String { String(decoding: s, as: UTF8.self) }
}
