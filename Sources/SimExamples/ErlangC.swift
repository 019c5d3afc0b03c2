/// Closed forms for the M/M/c queue, the yardstick the kernel is validated against.
///
/// Erlang C gives the probability that an arrival must wait, from which the mean wait
/// follows: Wq = C(c, a) / (cμ − λ) with offered load a = λ/μ (Kleinrock, Queueing
/// Systems vol. 1, §3.5). C is computed from Erlang B by its stable recursion
/// B(k) = a·B(k−1) / (k + a·B(k−1)), then C = B / (1 − ρ(1 − B)), avoiding factorials.
public struct ErlangC: Sendable, Equatable {
    public let servers: Int
    public let arrivalRate: Double
    public let serviceRate: Double

    public init(servers: Int, arrivalRate: Double, serviceRate: Double) {
        self.servers = servers
        self.arrivalRate = arrivalRate
        self.serviceRate = serviceRate
    }

    /// Offered load per server, ρ = λ / (cμ); the queue is stable only for ρ < 1.
    public var utilisation: Double { arrivalRate / (Double(servers) * serviceRate) }
    public var isStable: Bool { utilisation < 1 }

    /// P(an arrival waits), Erlang's C formula; 1 for an unstable queue.
    public var waitProbability: Double {
        guard isStable else { return 1 }
        let a = arrivalRate / serviceRate
        var b = 1.0
        for k in 1...servers { b = a * b / (Double(k) + a * b) }
        return b / (1 - utilisation * (1 - b))
    }

    /// Mean wait in queue Wq, in seconds when rates are per second.
    public var meanWaitInQueue: Double {
        isStable ? waitProbability / (Double(servers) * serviceRate - arrivalRate) : .infinity
    }
    /// Mean time in system W = Wq + 1/μ.
    public var meanTimeInSystem: Double { meanWaitInQueue + 1 / serviceRate }
    /// Mean number in system L = λW (Little's law).
    public var meanNumberInSystem: Double { arrivalRate * meanTimeInSystem }
    /// Mean number waiting Lq = λWq.
    public var meanNumberInQueue: Double { arrivalRate * meanWaitInQueue }
}
