import SimKernel

/// Governance controls, as the AGI Jobs playbook exercises them: pausing a shard or the
/// whole system, and changing a shard's quotas to shed load. Playbook actions call these.
extension OrderPipeline {
    /// `SystemPause.pause()` / `unpause()`: while paused, every shard refuses new jobs.
    public mutating func setSystemPaused(_ paused: Bool, in sim: inout Simulation<Event>) {
        systemPaused = paused
        if !paused { dispatchAll(in: &sim) }
    }

    /// `ShardRegistry.pauseShard` / `unpauseShard`: a paused shard neither admits nor
    /// starts jobs; its running jobs finish.
    public mutating func setShardPaused(_ shard: Int, _ paused: Bool, in sim: inout Simulation<Event>) {
        if paused { shards[shard].pause() } else { shards[shard].unpause() }
        if !paused { dispatch(shard: shard, in: &sim) }
    }

    /// Sets a shard's open and active quotas. Lowering them below current usage admits and
    /// starts nothing new until usage drains under the new limits.
    public mutating func setShardQuotas(_ shard: Int, maxOpenJobs: Int, maxActiveJobs: Int, in sim: inout Simulation<Event>) {
        shards[shard].setQuotas(maxOpenJobs: maxOpenJobs, maxActiveJobs: maxActiveJobs)
        dispatch(shard: shard, in: &sim)
    }
}
