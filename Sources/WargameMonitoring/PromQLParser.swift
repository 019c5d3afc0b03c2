/// Parses the PromQL subset (see `PromQLExpr`) with Prometheus's precedence and type
/// rules, and refuses anything outside it by name — a rule that would silently mean
/// something else in the war game than in production is worse than no rule.
public enum PromQL {
    public static func parse(_ text: String) throws(PromQLError) -> PromQLExpr {
        var p = Parser(lexer: PromQLLexer(text))
        let e = try p.expression(minPrecedence: 1)
        let t = try p.lexer.next()
        guard t == .end else { throw PromQLError(message: "unexpected \(p.describe(t)) after a complete expression") }
        return e
    }

    /// Prometheus's other aggregations and functions, refused as "not supported" rather
    /// than "unknown", so the message says the construct is real but outside the subset.
    static let otherAggregations: Set<String> = ["topk", "bottomk", "quantile", "stddev", "stdvar", "count_values", "group", "limitk", "limit_ratio"]
    static let otherFunctions: Set<String> = [
        "absent_over_time", "ceil", "changes", "clamp", "day_of_month", "day_of_week", "day_of_year", "days_in_month", "deriv", "exp",
        "floor", "histogram_count", "histogram_sum", "histogram_fraction", "histogram_stddev", "histogram_stdvar", "holt_winters",
        "double_exponential_smoothing", "hour", "idelta", "label_join", "label_replace", "ln", "log2", "log10", "minute", "month",
        "predict_linear", "present_over_time", "quantile_over_time", "resets", "round", "sgn", "sort", "sort_desc", "sort_by_label",
        "sort_by_label_desc", "sqrt", "stddev_over_time", "stdvar_over_time", "timestamp", "year", "last_over_time", "mad_over_time",
        "acos", "acosh", "asin", "asinh", "atan", "atanh", "cos", "cosh", "sin", "sinh", "tan", "tanh", "deg", "rad", "pi", "info",
    ]
}

struct Parser {
    var lexer: PromQLLexer

    func describe(_ t: PromQLLexer.Token) -> String {
        switch t {
        case .identifier(let s): "\"\(s)\""
        case .number(let v): "the number \(v)"
        case .string(let s): "the string \"\(s)\""
        case .punct(let p): "\"\(p)\""
        case .end: "the end of the expression"
        }
    }

    mutating func expect(_ p: String) throws(PromQLError) {
        let t = try lexer.next()
        guard t == .punct(p) else { throw PromQLError(message: "expected \"\(p)\", found \(describe(t))") }
    }

    mutating func binaryOperator() throws(PromQLError) -> BinaryOp? {
        switch try lexer.peek() {
        case .punct(let p): BinaryOp(rawValue: p).flatMap { $0.isSet ? nil : $0 }
        case .identifier(let s): ["and", "or", "unless"].contains(s.lowercased()) ? BinaryOp(rawValue: s.lowercased()) : nil
        default: nil
        }
    }

    mutating func expression(minPrecedence: Int) throws(PromQLError) -> PromQLExpr {
        var lhs = try unary()
        while let op = try binaryOperator(), op.precedence >= minPrecedence {
            _ = try lexer.next()
            var returnBool = false
            if case .identifier(let s) = try lexer.peek(), s == "bool" {
                _ = try lexer.next()
                guard op.isComparison else { throw PromQLError(message: "bool modifier can only be used on comparison operators, found \(op.rawValue)") }
                returnBool = true
            }
            var matching: VectorMatching? = nil
            if case .identifier(let s) = try lexer.peek(), s == "on" || s == "ignoring" {
                _ = try lexer.next()
                matching = VectorMatching(card: op.isSet ? .manyToMany : .oneToOne, on: s == "on", labels: try labelList(), include: [])
                if case .identifier(let g) = try lexer.peek(), g == "group_left" || g == "group_right" {
                    _ = try lexer.next()
                    guard !op.isSet else { throw PromQLError(message: "no grouping allowed for \"\(op.rawValue)\" operation") }
                    matching!.card = g == "group_left" ? .manyToOne : .oneToMany
                    if case .punct("(") = try lexer.peek() { matching!.include = try labelList() }
                    if let both = matching!.include.first(where: { matching!.on && matching!.labels.contains($0) }) {
                        throw PromQLError(message: "label \"\(both)\" must not occur in ON and GROUP clause at once")
                    }
                }
            }
            let rhs = try expression(minPrecedence: op == .pow ? op.precedence : op.precedence + 1)
            lhs = try Self.binary(op, lhs, rhs, matching, returnBool)
        }
        return lhs
    }

    static func binary(_ op: BinaryOp, _ l: PromQLExpr, _ r: PromQLExpr, _ m: VectorMatching?, _ returnBool: Bool) throws(PromQLError) -> PromQLExpr {
        for side in [l, r] where side.type != .scalar && side.type != .vector {
            throw PromQLError(message: "binary expression must contain only scalar and instant vector types, found a \(side.type.rawValue) beside \"\(op.rawValue)\"")
        }
        let bothVectors = l.type == .vector && r.type == .vector
        if op.isSet && !bothVectors { throw PromQLError(message: "set operator \"\(op.rawValue)\" not allowed in binary scalar expression") }
        if op.isComparison && !returnBool && l.type == .scalar && r.type == .scalar {
            throw PromQLError(message: "comparisons between scalars must use BOOL modifier")
        }
        if m != nil && !bothVectors { throw PromQLError(message: "vector matching only allowed between instant vectors") }
        let matching = bothVectors ? (m ?? VectorMatching(card: op.isSet ? .manyToMany : .oneToOne, on: false, labels: [], include: [])) : nil
        return .binary(op, l, r, matching, returnBool: returnBool)
    }

    mutating func unary() throws(PromQLError) -> PromQLExpr {
        if case .punct(let p) = try lexer.peek(), p == "-" || p == "+" {
            _ = try lexer.next()
            let e = try expression(minPrecedence: BinaryOp.pow.precedence)
            guard e.type == .scalar || e.type == .vector else { throw PromQLError(message: "unary expression only allowed on expressions of type scalar or instant vector, found \(e.type.rawValue)") }
            if p == "+" { return e }
            if case .number(let v) = e { return .number(-v) }
            return .negate(e)
        }
        return try postfix(try primary())
    }

    mutating func postfix(_ e: PromQLExpr) throws(PromQLError) -> PromQLExpr {
        var e = e
        while true {
            let t = try lexer.peek()
            if t == .punct("[") {
                _ = try lexer.next()
                let range = try lexer.duration()
                if try lexer.peek() == .punct(":") { throw PromQLError(message: "subqueries (expr[range:step]) are not supported") }
                try expect("]")
                guard case .vector(let v) = e, v.offsetMs == 0 else {
                    throw PromQLError(message: "ranges only allowed for vector selectors (subqueries are not supported)")
                }
                guard range > 0 else { throw PromQLError(message: "a range must be positive, found 0") }
                e = .matrix(v, rangeMs: range)
            } else if t == .identifier("offset") {
                _ = try lexer.next()
                var negative = false
                lexer.skipSpace()
                if lexer.k < lexer.chars.count && lexer.chars[lexer.k] == "-" { lexer.k += 1; negative = true }
                let d = try lexer.duration()
                switch e {
                case .vector(let v) where v.offsetMs == 0: e = .vector(VectorSelector(matchers: v.matchers, offsetMs: negative ? -d : d))
                case .matrix(let v, let r) where v.offsetMs == 0: e = .matrix(VectorSelector(matchers: v.matchers, offsetMs: negative ? -d : d), rangeMs: r)
                default: throw PromQLError(message: "offset modifier must be preceded by an instant or range selector (once)")
                }
            } else if t == .punct("@") {
                throw PromQLError(message: "the @ modifier is not supported")
            } else {
                return e
            }
        }
    }

    mutating func primary() throws(PromQLError) -> PromQLExpr {
        let t = try lexer.next()
        switch t {
        case .number(let v): return .number(v)
        case .string: throw PromQLError(message: "string literals are not supported (no function of the subset takes one)")
        case .punct("("):
            let e = try expression(minPrecedence: 1)
            try expect(")")
            return .parens(e)
        case .punct("{"):
            let matchers = try matcherList()
            guard matchers.contains(where: { !$0.matches("") }) else {
                throw PromQLError(message: "vector selector must contain at least one non-empty matcher")
            }
            return .vector(VectorSelector(matchers: matchers, offsetMs: 0))
        case .identifier(let name):
            return try named(name)
        default:
            throw PromQLError(message: "unexpected \(describe(t))")
        }
    }

    mutating func named(_ name: String) throws(PromQLError) -> PromQLExpr {
        let next = try lexer.peek()
        let opensCall = next == .punct("(")
        let groupingNext = next == .identifier("by") || next == .identifier("without")
        if let op = AggregateOp(rawValue: name.lowercased()), opensCall || groupingNext { return try aggregate(op) }
        if PromQL.otherAggregations.contains(name.lowercased()), opensCall || groupingNext {
            throw PromQLError(message: "the aggregation \(name) is not supported (supported: sum, avg, min, max, count)")
        }
        if opensCall {
            guard let f = PromQLFunction(rawValue: name) else {
                if PromQL.otherFunctions.contains(name) { throw PromQLError(message: "the function \(name)() is not supported") }
                throw PromQLError(message: "unknown function \(name)()")
            }
            return try call(f)
        }
        if ["by", "without", "on", "ignoring", "group_left", "group_right", "bool", "offset", "and", "or", "unless"].contains(name) {
            throw PromQLError(message: "unexpected keyword \"\(name)\"")
        }
        var matchers = [try LabelMatch(name: "__name__", op: .equal, value: name)]
        if try lexer.peek() == .punct("{") {
            _ = try lexer.next()
            let more = try matcherList()
            if more.contains(where: { $0.name == "__name__" }) { throw PromQLError(message: "metric name must not be set twice: \"\(name)\" and a __name__ matcher") }
            matchers += more
        }
        return .vector(VectorSelector(matchers: matchers, offsetMs: 0))
    }

    mutating func aggregate(_ op: AggregateOp) throws(PromQLError) -> PromQLExpr {
        var grouping = try groupingClause()
        try expect("(")
        let e = try expression(minPrecedence: 1)
        if try lexer.peek() == .punct(",") { throw PromQLError(message: "\(op.rawValue) takes no parameter") }
        try expect(")")
        if grouping == nil { grouping = try groupingClause() } else if try groupingClause() != nil {
            throw PromQLError(message: "\(op.rawValue) has two grouping clauses")
        }
        guard e.type == .vector else { throw PromQLError(message: "expected type instant vector in aggregation expression, got \(e.type.rawValue)") }
        return .aggregate(op, e, grouping)
    }

    mutating func groupingClause() throws(PromQLError) -> Grouping? {
        guard case .identifier(let s) = try lexer.peek(), s == "by" || s == "without" else { return nil }
        _ = try lexer.next()
        return Grouping(without: s == "without", labels: try labelList())
    }

    mutating func call(_ f: PromQLFunction) throws(PromQLError) -> PromQLExpr {
        try expect("(")
        var args: [PromQLExpr] = []
        if try lexer.peek() != .punct(")") {
            while true {
                args.append(try expression(minPrecedence: 1))
                if try lexer.peek() == .punct(",") { _ = try lexer.next(); continue }
                break
            }
        }
        try expect(")")
        let want = f.arguments
        guard args.count == want.count else {
            throw PromQLError(message: "expected \(want.count) argument\(want.count == 1 ? "" : "s") in call to \"\(f.rawValue)\", got \(args.count)")
        }
        for (a, w) in zip(args, want) where a.type != w {
            throw PromQLError(message: "expected type \(w.rawValue) in call to function \"\(f.rawValue)\", got \(a.type.rawValue)")
        }
        return .call(f, args)
    }

    mutating func labelList() throws(PromQLError) -> [String] {
        try expect("(")
        var labels: [String] = []
        while true {
            let t = try lexer.next()
            if t == .punct(")") { break }
            guard case .identifier(let l) = t else { throw PromQLError(message: "expected a label name, found \(describe(t))") }
            labels.append(l)
            let sep = try lexer.next()
            if sep == .punct(")") { break }
            guard sep == .punct(",") else { throw PromQLError(message: "expected \",\" or \")\" in a label list, found \(describe(sep))") }
        }
        return labels
    }

    mutating func matcherList() throws(PromQLError) -> [LabelMatch] {
        var out: [LabelMatch] = []
        while true {
            let t = try lexer.next()
            if t == .punct("}") { break }
            guard case .identifier(let name) = t else { throw PromQLError(message: "expected a label name in a selector, found \(describe(t))") }
            let opToken = try lexer.next()
            guard case .punct(let o) = opToken, let op = LabelMatch.Op(rawValue: o) else {
                throw PromQLError(message: "expected =, !=, =~ or !~ after \(name), found \(describe(opToken))")
            }
            let valueToken = try lexer.next()
            guard case .string(let value) = valueToken else { throw PromQLError(message: "expected a quoted label value after \(name)\(o), found \(describe(valueToken))") }
            out.append(try LabelMatch(name: name, op: op, value: value))
            let sep = try lexer.next()
            if sep == .punct("}") { break }
            guard sep == .punct(",") else { throw PromQLError(message: "expected \",\" or \"}\" in a selector, found \(describe(sep))") }
        }
        return out
    }
}
