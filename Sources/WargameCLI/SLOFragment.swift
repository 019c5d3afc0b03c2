import WargameMonitoring
import WargameReports

/// A team SLO in the war game's own form — what `SLOImport.wargame` reads back from a
/// scenario's `monitoring.slos` — for `wargame slo import` to print.
extension SLOSpec {
    var fragment: JSONValue {
        func pairs(_ p: [Labels.Pair]) -> JSONValue { .object(p.map { ($0.name, .string($0.value)) }) }
        func level(_ l: AlertLevel?) -> JSONValue {
            l.map { l in
                .object([("labels", pairs(l.labels)), ("annotations", pairs(l.annotations))]
                        + (l.forMs > 0 ? [("for", .string(PrometheusDuration.format(l.forMs)))] : []))
            } ?? .null
        }
        let sli: [(String, JSONValue)]
        switch self.sli {
        case .events(let e, let t): sli = [("error_query", .string(e)), ("total_query", .string(t))]
        case .errorRatio(let r): sli = [("error_ratio_query", .string(r))]
        case .rates(let e, let t): sli = [("error_rate_query", .string(e)), ("total_rate_query", .string(t))]
        case .threshold(let q, let good, let bound): sli = [("threshold_query", .string(q)), ("good_when", .string(good.rawValue)), ("bound", .shortest(bound))]
        }
        return .object([
            ("service", .string(service)), ("name", .string(name)), ("objective", .shortest(objective)),
            ("period", .string(PrometheusDuration.format(periodMs))), ("sli", .object(sli)), ("labels", pairs(labels)),
            ("alert", .object([("name", .string(alertName)), ("labels", pairs(alertLabels)), ("annotations", pairs(alertAnnotations)),
                               ("page", level(page)), ("ticket", level(ticket))])),
            ("burn_rates", .array(burnRates.map { b in
                .object([("severity", .string(b.severity.rawValue)), ("long_window", .string(PrometheusDuration.format(b.longMs))),
                         ("short_window", .string(PrometheusDuration.format(b.shortMs))), ("factor", .shortest(b.factor))]
                        + (b.inclusive ? [("op", .string("gte"))] : []))
            })),
        ])
    }
}
