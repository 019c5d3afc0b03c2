import Foundation

/// A value inside a template: Go's text/template sees strings, float64s, and the invalid
/// value a missing map key gives (printed `<no value>`).
enum TemplateValue: Equatable {
    case string(String)
    case number(Double)
    case labels([String: String])
    case missing

    var text: String {
        switch self {
        case .string(let s): s
        case .number(let x): GoFormat.shortest(x)
        case .labels(let m): "map[" + m.keys.sorted().map { "\($0):\(m[$0]!)" }.joined(separator: " ") + "]"
        case .missing: "<no value>"
        }
    }

    var typeName: String {
        switch self {
        case .string: "string"
        case .number: "float64"
        case .labels: "map[string]string"
        case .missing: "<nil>"
        }
    }
}

/// The part of Go's text/template that alert labels and annotations use: text with
/// `{{ … }}` actions over `$labels`, `$value` (and `.Labels`, `.Value`), string and number
/// literals, pipelines, and the functions `humanize`, `humanize1024`, `humanizePercentage`,
/// `humanizeDuration`, `printf`, `toUpper`, `toLower`, `index`. Anything else is refused
/// when the rule file is read, never mis-rendered during a run.
public struct AlertTemplate: Sendable, Equatable {
    indirect enum Operand: Sendable, Equatable {
        case labels(String?)        // $labels or $labels.name
        case externalLabels(String?)
        case value
        case string(String)
        case number(Double)
        case pipeline([Command])
    }

    struct Command: Sendable, Equatable {
        var function: String?
        var operands: [Operand]
    }

    enum Part: Sendable, Equatable {
        case text(String)
        case action([Command])
    }

    let parts: [Part]
    public let source: String

    static let functions: Set<String> = ["humanize", "humanize1024", "humanizePercentage", "humanizeDuration", "printf", "toUpper", "toLower", "index"]

    /// Whether the template has no actions (a label that is the same on every alert).
    public var isConstant: Bool { !parts.contains { if case .action = $0 { true } else { false } } }

    public init(_ source: String) throws(PromQLError) {
        self.source = source
        var parts: [Part] = []
        var rest = Substring(source)
        while let open = rest.range(of: "{{") {
            var text = String(rest[..<open.lowerBound])
            var inner = rest[open.upperBound...]
            if inner.hasPrefix("-") && inner.dropFirst().first.map({ $0 == " " || $0 == "\t" || $0 == "\n" }) == true {
                while let l = text.last, l == " " || l == "\t" || l == "\n" || l == "\r" { text.removeLast() }
                inner = inner.dropFirst()
            }
            if !text.isEmpty { parts.append(.text(text)) }
            guard let close = inner.range(of: "}}") else { throw PromQLError(message: "unclosed action \"{{\" in \"\(source)\"") }
            var body = inner[..<close.lowerBound]
            var after = inner[close.upperBound...]
            if body.hasSuffix("-"), body.dropLast().last.map({ $0 == " " || $0 == "\t" || $0 == "\n" }) == true {
                body = body.dropLast()
                after = after.drop { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" }
            }
            let trimmed = String(body).trimmingCharacters(in: .whitespacesAndNewlines)
            if !(trimmed.hasPrefix("/*") && trimmed.hasSuffix("*/")) {
                var p = TemplateParser(chars: Array(trimmed))
                parts.append(.action(try p.pipeline(source: source)))
            }
            rest = after
        }
        if !rest.isEmpty { parts.append(.text(String(rest))) }
        self.parts = parts
    }

    /// The expanded text for one alert. Prometheus prints an expansion error in place of
    /// the text (`<error expanding template: …>`); so does this.
    public func expand(labels: Labels, value: Double) -> String {
        var out = ""
        var map: [String: String] = [:]
        for p in labels.pairs { map[p.name] = p.value }
        for part in parts {
            switch part {
            case .text(let t): out += t
            case .action(let commands):
                switch Self.run(commands, labels: map, value: value) {
                case .success(let v): out += v.text
                case .failure(let e): return "<error expanding template: \(e.message)>"
                }
            }
        }
        return out
    }

    static func run(_ commands: [Command], labels: [String: String], value: Double) -> Result<TemplateValue, PromQLError> {
        var piped: TemplateValue? = nil
        for c in commands {
            var args: [TemplateValue] = []
            for o in c.operands {
                switch operand(o, labels: labels, value: value) {
                case .success(let v): args.append(v)
                case .failure(let e): return .failure(e)
                }
            }
            if let p = piped { args.append(p) }
            guard let f = c.function else {
                piped = args.first
                continue
            }
            switch apply(f, args) {
            case .success(let v): piped = v
            case .failure(let e): return .failure(e)
            }
        }
        return .success(piped ?? .missing)
    }

    static func operand(_ o: Operand, labels: [String: String], value: Double) -> Result<TemplateValue, PromQLError> {
        switch o {
        case .labels(nil): .success(.labels(labels))
        // A missing label prints as nothing (promtool agrees), not Go's "<no value>".
        case .labels(let name?): .success(.string(labels[name] ?? ""))
        case .externalLabels(nil): .success(.labels([:]))
        case .externalLabels(.some): .success(.string(""))
        case .value: .success(.number(value))
        case .string(let s): .success(.string(s))
        case .number(let x): .success(.number(x))
        case .pipeline(let cs): run(cs, labels: labels, value: value)
        }
    }
}
