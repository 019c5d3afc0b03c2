import Foundation
import Testing
import SimKernel
@testable import WargameModels

@Suite struct ProviderTests {
    func provider(_ edit: (inout ProviderConfig) -> Void = { _ in }) -> Provider {
        var c = ProviderConfig.defaults[0]
        edit(&c)
        return Provider(config: c, rng: Xoshiro256StarStar(seed: 31))
    }

    /// Partial capacity loss is announced (fewer slots offered); a full outage is not (the
    /// provider keeps offering slots and refuses every job, fast).
    @Test func outagesChangeCapacityAndAcknowledgements() {
        var p = provider()
        p.capacityLost = 0.25
        #expect(p.usableCapacity == 165 && p.advertisedCapacity == 165 && !p.isDown)
        p.capacityLost = 1
        #expect(p.isDown && p.usableCapacity == 0 && p.advertisedCapacity == 220)
        for _ in 0..<100 {
            let ack = p.sampleAck()
            #expect(!ack.accepted && ack.delay <= .milliseconds(50))
        }
    }

    @Test func slowAcknowledgementsTimeOutAsFailures() {
        var p = provider { $0.ackMedian = .seconds(4); $0.ackP95 = .seconds(20); $0.ackTimeout = .seconds(5) }
        var timedOut = 0
        for _ in 0..<1_000 {
            let ack = p.sampleAck()
            #expect(ack.delay <= .seconds(5))
            if ack.delay == .seconds(5) { #expect(!ack.accepted); timedOut += 1 }
        }
        #expect(timedOut > 300)  // P(lognormal > 5 s) ≈ 0.42 for median 4 s, p95 20 s
    }

    @Test func failureProbabilityIsHonoured() {
        var p = provider { $0.failureProbability = 0.2 }
        let n = 20_000
        let failed = (0..<n).filter { _ in !p.sampleAck().accepted }.count
        #expect(abs(Double(failed) / Double(n) - 0.2) <= 5 * (0.2 * 0.8 / Double(n)).squareRoot())
    }

    /// The log-price is an AR(1) with φ = 0.9: stationary, mean 0 and standard deviation
    /// σ/√(1 − φ²). Over 20,000 ticks (effective sample ≈ n(1−φ)/(1+φ) ≈ 1,050) both are
    /// checked within 5 standard errors.
    @Test func priceWalkRevertsToTheBasePrice() {
        var p = provider { $0.priceVolatility = 0.05 }
        var logs = Tally()
        for _ in 0..<20_000 {
            p.tickPrice()
            logs.add(log(p.priceFactor))
        }
        let sd = 0.05 / (1 - 0.81).squareRoot()
        let effective = 20_000.0 * 0.1 / 1.9
        #expect(abs(logs.mean) <= 5 * sd / effective.squareRoot())
        #expect(abs(logs.standardDeviation - sd) <= 5 * sd / (2 * effective).squareRoot())
        #expect(abs(p.price - p.config.pricePerGPUHour * p.priceFactor) < 1e-12)
    }
}
