import SimKernel

/// A fault injected into a healthy system at a time, for a duration: the "war" in a war
/// game. Several may overlap.
public struct Incident: Sendable, Equatable {
    public enum Kind: Sendable, Equatable {
        /// Providers lose capacity (1 = down, unannounced: breakers must find out).
        case providerOutage(providers: [Int], capacityLost: Double)
        /// A provider's price is multiplied by `factor`.
        case priceSpike(provider: Int, factor: Double)
        /// A provider's job failure probability rises to `probability`.
        case failureRate(provider: Int, probability: Double)
        /// Bridges (`nil` = all) run slower by `multiplier`.
        case bridgeCongestion(bridge: Int?, multiplier: Double)
        /// A bridge is left with `relayersLeft` relayers.
        case relayerOutage(bridge: Int, relayersLeft: Int)
        /// Bridges (`nil` = all) lose messages with `probability`.
        case bridgeLoss(bridge: Int?, probability: Double)
        /// Demand multiplied, for every tenant or one (an abusive tenant).
        case demandSurge(multiplier: Double, tenant: Int?)
        /// Time-stamping authorities unreachable.
        case tsaOutage(primary: Bool, backup: Bool)
        /// IPFS pinning unavailable.
        case ipfsOutage
        /// A stream of duplicated nonces: this share of orders replays the previous one.
        case replayAttack(probability: Double)
        /// Clock skew: this share of orders carries an invalid signature.
        case invalidSignatures(probability: Double)
        /// A shard's workers stall: it can run at most `maxActiveJobs` at once.
        case shardCongestion(shard: Int, maxActiveJobs: Int)
    }

    public var name: String
    public var kind: Kind
    public var start: SimTime
    public var duration: SimDuration
    /// The runbook level declared for it (`SEV1`, `P0`…); nil to grade it by the alerts it raises.
    public var severity: String?

    public init(name: String, kind: Kind, start: SimTime, duration: SimDuration) {
        self.name = name
        self.kind = kind
        self.start = start
        self.duration = duration
    }

    public var end: SimTime { start + duration }

    /// Window-shaped incidents are folded into the models' own windows (outages, spikes,
    /// surges) before the run; the rest change a live knob at `start` and restore the
    /// configured value at `end` (overlapping changes of one knob restore the configured
    /// value, not the previous incident's).
    var isWindow: Bool {
        switch kind {
        case .providerOutage, .priceSpike, .demandSurge, .tsaOutage, .ipfsOutage: true
        default: false
        }
    }
}

extension PipelineConfig {
    /// The configuration with window-shaped incidents folded into model windows.
    func compilingIncidents() -> PipelineConfig {
        var c = self
        for i in incidents where i.isWindow {
            let window = Outage(start: i.start, duration: i.duration)
            switch i.kind {
            case .providerOutage(let ps, let lost):
                for p in ps { c.providers[p].outages.append(Outage(start: i.start, duration: i.duration, capacityLost: lost)) }
            case .priceSpike(let p, let factor):
                c.providers[p].priceSpikes.append(PriceSpike(start: i.start, duration: i.duration, factor: factor))
            case .demandSurge(let m, let tenant):
                c.demand.surges.append(Surge(start: i.start, duration: i.duration, multiplier: m, tenant: tenant))
            case .tsaOutage(let primary, let backup):
                if primary { c.provenance.primaryTSA.outages.append(window) }
                if backup { c.provenance.backupTSA?.outages.append(window) }
            case .ipfsOutage:
                c.provenance.ipfsOutages.append(window)
            default: break
            }
        }
        return c
    }
}
