import SimExamples

/// The M/M/c queue's options, shared by `mmc` and `bench mmc` so both accept, document and
/// validate them identically.
enum QueueOptions {
    static let specs: [OptionSpec] = [
        OptionSpec("servers", value: "c", help: "Number of servers.", default: "7"),
        OptionSpec("arrival-rate", value: "λ", help: "Arrivals per simulated second.", default: "6.0"),
        OptionSpec("service-rate", value: "μ", help: "Services per second per server.", default: "1.0"),
    ]

    /// The most events a run may handle: 10^11, over an hour at the kernel's speed.
    static let eventLimit = 1e11

    /// The validated parameters, or a usage error naming the offending option. The queue
    /// must be stable (λ < c·μ): an unstable one grows without bound, in memory as in
    /// waiting time, and has no Erlang C value to compare with. `seconds`, for an open-ended
    /// run, bounds its expected events (2 λ per simulated second) by `eventLimit`.
    static func parameters(_ o: ParsedOptions, customers: Int? = nil, seconds: Double? = nil) throws(UsageError) -> MMcParameters {
        let p = MMcParameters(
            servers: try o.integer("servers", range: 1...100_000, default: 7),
            arrivalRate: try o.number("arrival-rate", range: 1e-9...1e9, default: 6.0),
            serviceRate: try o.number("service-rate", range: 1e-9...1e9, default: 1.0),
            customers: customers)
        if let problem = p.validate() { throw UsageError(message: problem, command: o.command) }
        let capacity = Double(p.servers) * p.serviceRate
        guard p.arrivalRate < capacity else {
            throw UsageError(message: "The queue is unstable: arrival rate λ = \(p.arrivalRate) is not below servers × service rate c·μ = \(capacity), "
                             + "so it grows without bound and has no steady state; expected λ < c·μ (raise --servers or --service-rate).",
                             command: o.command)
        }
        if let seconds, 2 * p.arrivalRate * seconds > eventLimit {
            throw UsageError(message: "The run would handle about \(ScenarioRunner.scientific(2 * p.arrivalRate * seconds)) events "
                             + "(2 λ per simulated second); the limit is \(ScenarioRunner.scientific(eventLimit)). Run fewer steps or lower --arrival-rate.",
                             command: o.command)
        }
        return p
    }
}
