import SimExamples

/// The M/M/c queue's options, shared by `mmc` and `bench mmc` so both accept, document and
/// validate them identically.
enum QueueOptions {
    static let specs: [OptionSpec] = [
        OptionSpec("servers", value: "c", help: "Number of servers.", default: "7"),
        OptionSpec("arrival-rate", value: "λ", help: "Arrivals per simulated second.", default: "6.0"),
        OptionSpec("service-rate", value: "μ", help: "Services per second per server.", default: "1.0"),
    ]

    /// The validated parameters, or a usage error naming the offending option.
    static func parameters(_ o: ParsedOptions, customers: Int? = nil) throws(UsageError) -> MMcParameters {
        let p = MMcParameters(
            servers: try o.integer("servers", range: 1...100_000, default: 7),
            arrivalRate: try o.number("arrival-rate", range: 1e-9...1e9, default: 6.0),
            serviceRate: try o.number("service-rate", range: 1e-9...1e9, default: 1.0),
            customers: customers)
        if let problem = p.validate() { throw UsageError(message: problem, command: o.command) }
        return p
    }
}
