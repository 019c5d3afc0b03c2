/// A team SLO's verdict over a run (`--slo-spec`, `monitoring.slos`): its error ratio is the
/// mean of the shortest alert window's recorded ratio over the measured evaluations — the
/// time average Sloth's own period ratio (`slo:sli_error:ratio_rate30d`) takes — held
/// against the error budget (1 − objective).
public struct TeamSLOResult: Sendable, Equatable {
    public let id: String
    public let objective: Double
    public let errorBudget: Double
    /// nil when no evaluation had traffic to measure (the SLO then holds vacuously).
    public let errorRatio: Double?
    public let evaluations: Int

    public init(id: String, objective: Double, errorBudget: Double, errorRatio: Double?, evaluations: Int) {
        self.id = id
        self.objective = objective
        self.errorBudget = errorBudget
        self.errorRatio = errorRatio
        self.evaluations = evaluations
    }

    /// The share of the budget the run spent (1 = exactly used up).
    public var budgetConsumed: Double? { errorRatio.map { $0 / errorBudget } }
    public var verdict: Verdict { errorRatio.map { $0 <= errorBudget ? .pass : .breach } ?? .pass }

    public func json() -> JSONValue {
        .object([("id", .string(id)), ("objective", .number(objective, decimals: 6)),
                 ("error_ratio", errorRatio.map { .number($0, decimals: 6) } ?? .null),
                 ("error_budget_consumed", budgetConsumed.map { .number($0, decimals: 4) } ?? .null),
                 ("evaluations", .int(Int64(evaluations))), ("verdict", .string(verdict.rawValue))])
    }

    public var row: [String] {
        [id, NumberFormat.fixed(objective * 100, 3) + " %", errorRatio.map { NumberFormat.fixed($0, 6) } ?? "—",
         budgetConsumed.map { NumberFormat.fixed($0 * 100, 1) + " %" } ?? "—", verdict == .pass ? "PASS" : "FAIL"]
    }

    public static let header = ["Team SLO", "Objective", "Error ratio", "Budget used", "Verdict"]
}
