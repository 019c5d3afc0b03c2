import Foundation

/// One factor of a study design, `--vary PATH=V1,V2,…` or `--vary PATH=LO..HI:STEP`: a
/// scenario field and the values it takes, each applied as a `--set` override.
public struct Factor: Sendable, Equatable {
    public let path: String
    public let values: [JSON]

    /// The most levels one factor may have (a design is their product).
    public static let maximumLevels = 1_000

    public init(path: String, values: [JSON]) {
        self.path = path
        self.values = values
    }

    /// Parses a `--vary` argument. Values are JSON or bare words, separated by commas
    /// (`score,p2c`); a whole JSON array gives values that contain commas (`=[[1,2],[3,4]]`);
    /// `LO..HI:STEP` is an arithmetic range, of integers when all three are integers.
    public init(parsing text: String) throws(OverrideError) {
        guard let eq = text.firstIndex(of: "=") else {
            throw OverrideError(text: text, message: "expected PATH=V1,V2,… or PATH=LO..HI:STEP, found no '='")
        }
        let path = String(text[..<eq]), spec = String(text[text.index(after: eq)...])
        guard Override.steps(path) != nil else {
            throw OverrideError(text: text, message: "expected a path such as demand.orders_per_second or providers[akash].capacity, found \"\(path)\"")
        }
        self.path = path
        if let range = try Self.range(spec, text: text) {
            values = range
        } else if spec.hasPrefix("["), case .array(let items)? = try? JSONParser.parse(spec) {
            values = items
        } else {
            var out: [JSON] = []
            for part in spec.split(separator: ",", omittingEmptySubsequences: false) {
                out.append(try Override.value(String(part), text: text))
            }
            values = out
        }
        if values.isEmpty { throw OverrideError(text: text, message: "expected at least one value, found none") }
        if values.count > Self.maximumLevels {
            throw OverrideError(text: text, message: "expected at most \(Self.maximumLevels) values, found \(values.count)")
        }
        // Two levels that are the same value (`1,1.0`) would run one design point twice.
        for (i, v) in values.enumerated() {
            if let earlier = values[..<i].first(where: { $0.sameValue(as: v) }) {
                throw OverrideError(text: text, message: earlier.compact == v.compact ? "expected distinct values, found \(v.compact) twice"
                                    : "expected distinct values, found \(earlier.compact) and \(v.compact), which are the same value")
            }
        }
    }

    /// `LO..HI:STEP` → its values, or nil when `spec` is not a range.
    static func range(_ spec: String, text: String) throws(OverrideError) -> [JSON]? {
        guard let dots = spec.range(of: ".."), let colon = spec.lastIndex(of: ":"), colon > dots.upperBound else { return nil }
        let lo = String(spec[..<dots.lowerBound]), hi = String(spec[dots.upperBound..<colon]), step = String(spec[spec.index(after: colon)...])
        if let a = Int(lo), let b = Int(hi), let s = Int(step) {
            guard s > 0, a <= b else { throw OverrideError(text: text, message: "expected LO ≤ HI and STEP > 0, found \(spec)") }
            guard (b - a) / s < maximumLevels else { throw OverrideError(text: text, message: "expected at most \(maximumLevels) values, found \((b - a) / s + 1)") }
            return stride(from: a, through: b, by: s).map { Self.number(Double($0)) }
        }
        guard let a = Double(lo), let b = Double(hi), let s = Double(step), a.isFinite, b.isFinite, s.isFinite else {
            throw OverrideError(text: text, message: "expected numbers in LO..HI:STEP, found \(spec)")
        }
        guard s > 0, a <= b else { throw OverrideError(text: text, message: "expected LO ≤ HI and STEP > 0, found \(spec)") }
        let n = Int(((b - a) / s + 1e-9).rounded(.down))
        guard n < maximumLevels else { throw OverrideError(text: text, message: "expected at most \(maximumLevels) values, found \(n + 1)") }
        // a + k·s, rounded to 12 significant digits so 0.1 + 2·0.1 reads 0.3, not 0.30000000000000004.
        return (0...n).map { k in Self.number(Double(String(format: "%.12g", a + Double(k) * s))!) }
    }

    /// A JSON number with its shortest literal (`2`, `0.3`).
    public static func number(_ x: Double) -> JSON {
        let whole = x == x.rounded() && abs(x) < 1e15
        return .number(JSONNumber(value: x, literal: whole ? String(Int64(x)) : String(x), isInteger: whole))
    }
}

extension JSON {
    /// A value as a table cell: strings without quotes, anything else as compact JSON.
    public var cell: String {
        if case .string(let s) = self { return s }
        return compact
    }
}
