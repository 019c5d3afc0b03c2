extension SLOSpec {
    /// The SLO in the war game's own form (`SLOImport.wargame` reads it back), as indented
    /// JSON starting at `indent`.
    public func json(indent: String = "") -> String {
        let i1 = indent + "  ", i2 = i1 + "  "
        func s(_ x: String) -> String { Self.jsonString(x) }
        func pairs(_ p: [Labels.Pair], _ at: String) -> String {
            p.isEmpty ? "{}" : "{ " + p.map { "\(s($0.name)): \(s($0.value))" }.joined(separator: ", ") + " }"
        }
        var sliFields: [(String, String)]
        switch sli {
        case .events(let e, let t): sliFields = [("error_query", s(e)), ("total_query", s(t))]
        case .errorRatio(let r): sliFields = [("error_ratio_query", s(r))]
        case .rates(let e, let t): sliFields = [("error_rate_query", s(e)), ("total_rate_query", s(t))]
        case .threshold(let q, let good, let bound): sliFields = [("threshold_query", s(q)), ("good_when", s(good.rawValue)), ("bound", SLORules.number(bound))]
        }
        func level(_ l: AlertLevel?) -> String {
            guard let l else { return "null" }
            return "{ \"labels\": \(pairs(l.labels, i2)), \"annotations\": \(pairs(l.annotations, i2)) }"
        }
        var out = "{\n"
        out += "\(i1)\"service\": \(s(service)),\n\(i1)\"name\": \(s(name)),\n"
        out += "\(i1)\"objective\": \(SLORules.number(objective)),\n\(i1)\"period\": \(s(PrometheusDuration.format(periodMs))),\n"
        out += "\(i1)\"sli\": {\n" + sliFields.map { "\(i2)\(s($0.0)): \($0.1)" }.joined(separator: ",\n") + "\n\(i1)},\n"
        out += "\(i1)\"labels\": \(pairs(labels, i1)),\n"
        out += "\(i1)\"alert\": {\n\(i2)\"name\": \(s(alertName)),\n\(i2)\"labels\": \(pairs(alertLabels, i2)),\n"
        out += "\(i2)\"annotations\": \(pairs(alertAnnotations, i2)),\n\(i2)\"page\": \(level(page)),\n\(i2)\"ticket\": \(level(ticket))\n\(i1)},\n"
        out += "\(i1)\"burn_rates\": [\n" + burnRates.map { b in
            "\(i2){ \"severity\": \(s(b.severity.rawValue)), \"long_window\": \(s(PrometheusDuration.format(b.longMs))), "
                + "\"short_window\": \(s(PrometheusDuration.format(b.shortMs))), \"factor\": \(SLORules.number(b.factor)) }"
        }.joined(separator: ",\n") + "\n\(i1)]\n"
        return out + indent + "}"
    }

    static func jsonString(_ x: String) -> String {
        var out = "\""
        for u in x.unicodeScalars {
            switch u {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            default:
                if u.value < 0x20 { out += "\\u00" + (u.value < 16 ? "0" : "") + String(u.value, radix: 16) } else { out.unicodeScalars.append(u) }
            }
        }
        return out + "\""
    }
}
