import SimKernel

/// The same M/M/c queue written callback-style — each event a closure over a model object,
/// as SimPy's callbacks or a Java DES would have it — kept only so `bench mmc --handler
/// closure` can measure what that representation costs against the enum in `MMcModel`.
public enum MMcClosureStyle {
    /// An event is a closure; wrapped in a struct because a function type cannot mention
    /// itself in its own signature.
    public struct Action {
        let body: (inout Simulation<Action>) -> Void
    }

    /// Handler that just calls each event's closure.
    struct Dispatcher: EventHandler {
        mutating func handle(_ event: Action, in sim: inout Simulation<Action>) { event.body(&sim) }
    }

    final class Model {
        let parameters: MMcParameters
        var random: MMcRandomness
        var busy = 0
        var waiting = FIFOQueue<SimTime>()
        var statistics = MMcStatistics()

        init(parameters: MMcParameters, streams: RandomStreams) {
            self.parameters = parameters
            random = MMcRandomness(parameters: parameters, streams: streams)
        }

        func scheduleArrival(_ sim: inout Simulation<Action>) {
            sim.schedule(Action { [self] sim in arrive(&sim) }, after: random.nextInterarrival())
        }

        func arrive(_ sim: inout Simulation<Action>) {
            statistics.arrivals += 1
            if statistics.arrivals < parameters.customers! { scheduleArrival(&sim) }
            statistics.numberInSystem.add(1, at: sim.now)
            if busy < parameters.servers {
                busy += 1
                statistics.busyServers.update(Double(busy), at: sim.now)
                beginService(arrivedAt: sim.now, &sim)
            } else {
                statistics.waited += 1
                waiting.append(sim.now)
                statistics.numberInQueue.update(Double(waiting.count), at: sim.now)
            }
        }

        func beginService(arrivedAt: SimTime, _ sim: inout Simulation<Action>) {
            let wait = sim.now - arrivedAt
            let serviceTime = random.nextService()
            statistics.started += 1
            statistics.totalWaitMicroseconds += wait.microseconds
            statistics.totalSojournMicroseconds += wait.microseconds + serviceTime.microseconds
            sim.schedule(Action { [self] sim in depart(&sim) }, after: serviceTime)
        }

        func depart(_ sim: inout Simulation<Action>) {
            statistics.served += 1
            statistics.numberInSystem.add(-1, at: sim.now)
            if let arrivedAt = waiting.popFirst() {
                statistics.numberInQueue.update(Double(waiting.count), at: sim.now)
                beginService(arrivedAt: arrivedAt, &sim)
            } else {
                busy -= 1
                statistics.busyServers.update(Double(busy), at: sim.now)
            }
        }
    }

    /// Runs `parameters.customers` customers to completion, closure-style.
    public static func runToCompletion(_ parameters: MMcParameters, seed: UInt64) -> MMcResult {
        precondition(parameters.customers != nil && parameters.validate() == nil, "MMcClosureStyle: bad parameters")
        var sim = Simulation<Action>(minimumCapacity: parameters.servers + 2)
        let model = Model(parameters: parameters, streams: RandomStreams(seed: seed))
        if parameters.customers! > 0 { model.scheduleArrival(&sim) }
        var dispatcher = Dispatcher()
        sim.run(&dispatcher)
        return MMcResult(parameters: parameters, statistics: model.statistics, detail: nil,
                         events: sim.eventsHandled, endTime: sim.now)
    }
}
