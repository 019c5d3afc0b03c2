import Testing
@testable import SimKernel

/// Records what fired and when, and reacts to a few scripted events.
struct Recorder: EventHandler {
    enum Event: Equatable { case ping(Int), spawn(Int), halt, cancelTarget }
    var log: [(SimTime, Event)] = []
    var target: EventHandle?

    mutating func handle(_ event: Event, in sim: inout Simulation<Event>) {
        log.append((sim.now, event))
        switch event {
        case .spawn(let n):
            // Same-time children must run after events already scheduled for this time.
            sim.schedule(.ping(n), after: .zero)
            sim.schedule(.ping(n + 1), after: .milliseconds(1))
        case .halt: sim.stop()
        case .cancelTarget: if let t = target { sim.cancel(t) }
        case .ping: break
        }
    }
}

@Suite struct SimulationTests {
    @Test func runsToDrainInTimeOrder() {
        var sim = Simulation<Recorder.Event>()
        var r = Recorder()
        sim.schedule(.ping(2), at: SimTime(microseconds: 2_000))
        sim.schedule(.spawn(10), at: SimTime(microseconds: 1_000))
        sim.schedule(.ping(1), at: SimTime(microseconds: 1_000))
        #expect(sim.run(&r) == .drained)
        let events = r.log.map(\.1)
        // ping(11) and ping(2) share t = 2 ms; ping(2) was scheduled first, so it fires first.
        #expect(events == [.spawn(10), .ping(1), .ping(10), .ping(2), .ping(11)])
        #expect(r.log.map(\.0.microseconds) == [1_000, 1_000, 1_000, 2_000, 2_000])
        #expect(sim.eventsHandled == 5)
    }

    @Test func runUntilIsHalfOpenAndAdvancesTheClock() {
        var sim = Simulation<Recorder.Event>()
        var r = Recorder()
        for t: Int64 in [0, 59, 60, 61] { sim.schedule(.ping(Int(t)), at: .zero + .seconds(t)) }
        #expect(sim.run(&r, until: .zero + .seconds(60)) == .reachedLimit)
        #expect(r.log.map(\.1) == [.ping(0), .ping(59)])
        #expect(sim.now == .zero + .seconds(60))
        #expect(sim.run(&r, until: .zero + .seconds(120)) == .drained)
        #expect(r.log.map(\.1) == [.ping(0), .ping(59), .ping(60), .ping(61)])
        #expect(sim.now == .zero + .seconds(120))
    }

    @Test func stopReturnsAfterTheCurrentHandler() {
        var sim = Simulation<Recorder.Event>()
        var r = Recorder()
        sim.schedule(.ping(1), at: SimTime(microseconds: 1))
        sim.schedule(.halt, at: SimTime(microseconds: 2))
        sim.schedule(.ping(3), at: SimTime(microseconds: 3))
        #expect(sim.run(&r) == .stopped)
        #expect(sim.now == SimTime(microseconds: 2))
        #expect(sim.pendingCount == 1)
        #expect(sim.run(&r) == .drained)
        #expect(r.log.last?.1 == .ping(3))
    }

    @Test func handlersCanCancelPendingEvents() {
        var sim = Simulation<Recorder.Event>()
        var r = Recorder()
        r.target = sim.schedule(.ping(99), at: SimTime(microseconds: 50))
        sim.schedule(.cancelTarget, at: SimTime(microseconds: 10))
        sim.run(&r)
        #expect(r.log.map(\.1) == [.cancelTarget])
        #expect(sim.eventsHandled == 1)
    }
}
