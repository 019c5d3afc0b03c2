import SimKernel

/// A runbook response the pipeline can carry out: the AGI Jobs governance calls, the Aurora
/// router and provenance procedures, vault-law's quota and nonce-cache operations.
public enum PlaybookAction: Sendable, Equatable {
    case pauseShard(Int)
    case unpauseShard(Int)
    case systemPause
    case systemUnpause
    /// Lower (or raise) a shard's quotas, e.g. to shed load.
    case setShardQuotas(shard: Int, maxOpenJobs: Int, maxActiveJobs: Int)
    case setRouterStrategy(RoutingStrategy)
    /// Primary-then-backups order for the `ordered` strategy (failover to backups).
    case setRouterOrder([Int])
    /// A provider's routing weight (canary-style shift of traffic).
    case setProviderWeight(provider: Int, weight: Double)
    /// Raise (or set) a tenant's daily GPU-hour quota.
    case setTenantQuota(tenant: Int, gpuHours: Double)
    case purgeNonceCache
    /// Send time stamps to the backup TSA first.
    case useBackupTSA(Bool)
    /// Operator fail-closed: refuse new orders at admission.
    case haltAllocations
    case resumeAllocations
    /// A parameter change made during the run (the scenario's `set` action, written with
    /// `--set` paths); the values it replaced are kept so `rollback` can restore them.
    case setFields([LiveChange])
    /// Restores the values from before the last `setFields` not yet rolled back (the AGI
    /// Jobs safe-launch protocol's automatic rollback inside its validation window).
    case rollback
    /// Manual breaker reset (Vagus: "manually reset after the root cause is fixed"): CLOSED now.
    case resetBreaker(provider: Int)
    /// Staged breaker recovery: OPEN → HALF_OPEN now, trial calls before a full reset.
    case halfOpenBreaker(provider: Int)
    /// Pause (or resume) one executor — a provider — without touching the others.
    case pauseProvider(provider: Int, paused: Bool)
    /// Aurora "rotate signing keys": replays of orders signed before now no longer verify
    /// (`bad_signature`), and the nonce cache is purged, as the runbook pairs them.
    case rotateKeys
}

/// One field a run can change while it runs, as a `set` action changes it.
public enum LiveChange: Sendable, Equatable {
    case routerStrategy(RoutingStrategy)
    case providerWeight(provider: Int, weight: Double)
    case providerCapacity(provider: Int, capacity: Int)
    case providerPrice(provider: Int, pricePerGPUHour: Double)
    /// A shard's quotas, reward cap and longest job (AGI Jobs `set-params`).
    case shard(Int, ShardConfig)
    case dailyQuota(gpuHours: Double)
    case tenantLimit(RateLimiterConfig)
    case globalLimit(RateLimiterConfig)
}

extension OrderPipeline {
    /// Carries out a playbook action now.
    public mutating func apply(_ action: PlaybookAction, in sim: inout Simulation<Event>) {
        switch action {
        case .pauseShard(let s): setShardPaused(s, true, in: &sim)
        case .unpauseShard(let s): setShardPaused(s, false, in: &sim)
        case .systemPause: setSystemPaused(true, in: &sim)
        case .systemUnpause: setSystemPaused(false, in: &sim)
        case .setShardQuotas(let s, let open, let active): setShardQuotas(s, maxOpenJobs: open, maxActiveJobs: active, in: &sim)
        case .setRouterStrategy(let strategy): router.config.strategy = strategy
        case .setRouterOrder(let order): router.config.order = order
        case .setProviderWeight(let p, let w): providers[p].config.weight = w
        case .setTenantQuota(let t, let hours):
            var overrides = policy.config.quotaOverrides
            if overrides.count <= t {
                overrides += Array(repeating: policy.config.dailyQuotaGPUHours, count: t + 1 - overrides.count)
            }
            overrides[t] = hours
            policy.config.quotaOverrides = overrides
        case .purgeNonceCache: policy.nonces.purge()
        case .useBackupTSA(let on): provenance.preferBackup = on
        case .haltAllocations: operatorHalted = true
        case .resumeAllocations:
            operatorHalted = false
            dispatchAll(in: &sim)
        case .setFields(let changes):
            changeStack.append(changes.map { apply($0, in: &sim) })
            dispatchAll(in: &sim)
        case .rollback:
            guard let undo = changeStack.popLast() else { return }
            for change in undo.reversed() { _ = apply(change, in: &sim) }
            dispatchAll(in: &sim)
        case .resetBreaker(let p):
            if let t = breakers[p].manualReset(at: sim.now) { recordTransition(t, provider: p) }
            dispatchAll(in: &sim)
        case .halfOpenBreaker(let p):
            if let t = breakers[p].forceHalfOpen(at: sim.now) { recordTransition(t, provider: p) }
            dispatchAll(in: &sim)
        case .pauseProvider(let p, let paused):
            providers[p].paused = paused
            if !paused { dispatchAll(in: &sim) }
        case .rotateKeys:
            policy.nonces.purge()
            demand.keysRotatedAt = sim.now
        }
    }

    /// Applies one live change and returns the change that undoes it.
    mutating func apply(_ change: LiveChange, in sim: inout Simulation<Event>) -> LiveChange {
        switch change {
        case .routerStrategy(let s):
            defer { router.config.strategy = s }
            return .routerStrategy(router.config.strategy)
        case .providerWeight(let p, let w):
            defer { providers[p].config.weight = w }
            return .providerWeight(provider: p, weight: providers[p].config.weight)
        case .providerCapacity(let p, let c):
            defer { providers[p].config.capacity = c }
            return .providerCapacity(provider: p, capacity: providers[p].config.capacity)
        case .providerPrice(let p, let x):
            defer { providers[p].config.pricePerGPUHour = x }
            return .providerPrice(provider: p, pricePerGPUHour: providers[p].config.pricePerGPUHour)
        case .shard(let s, let c):
            let before = shards[s].config
            shards[s].config.rewardCap = c.rewardCap
            shards[s].config.maxJobDuration = c.maxJobDuration
            setShardQuotas(s, maxOpenJobs: c.maxOpenJobs, maxActiveJobs: c.maxActiveJobs, in: &sim)
            return .shard(s, before)
        case .dailyQuota(let h):
            defer { policy.config.dailyQuotaGPUHours = h }
            return .dailyQuota(gpuHours: policy.config.dailyQuotaGPUHours)
        case .tenantLimit(let l):
            defer { gateway.setLimits(perTenant: l) }
            return .tenantLimit(gateway.perTenantConfig)
        case .globalLimit(let l):
            defer { gateway.setLimits(global: l) }
            return .globalLimit(gateway.globalConfig)
        }
    }

    /// Starts (or ends) a live-knob incident.
    mutating func incident(_ index: Int, starting: Bool, in sim: inout Simulation<Event>) {
        let i = config.incidents[index]
        switch i.kind {
        case .failureRate(let p, let x):
            providers[p].config.failureProbability = starting ? x : config.providers[p].failureProbability
        case .bridgeCongestion(let b, let m):
            for k in bridges.indices where b == nil || b == k {
                bridges[k].setLatencyMultiplier(starting ? m : config.bridges[k].latencyMultiplier, at: sim.now)
            }
        case .relayerOutage(let b, let left):
            bridges[b].setRelayers(starting ? left : config.bridges[b].relayers, at: sim.now)
        case .bridgeLoss(let b, let x):
            for k in bridges.indices where b == nil || b == k {
                bridges[k].config.lossProbability = starting ? x : config.bridges[k].lossProbability
            }
        case .replayAttack(let x):
            demand.config.replayProbability = starting ? x : config.demand.replayProbability
        case .invalidSignatures(let x):
            demand.config.invalidSignatureProbability = starting ? x : config.demand.invalidSignatureProbability
        case .shardCongestion(let s, let active):
            let base = config.shards[s]
            setShardQuotas(s, maxOpenJobs: shards[s].config.maxOpenJobs,
                           maxActiveJobs: starting ? active : base.maxActiveJobs, in: &sim)
        default:
            break  // window incidents were folded into the models' windows
        }
    }
}
