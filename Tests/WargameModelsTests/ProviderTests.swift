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

    /// Usable capacity is ⌊capacity × (1 − lost)⌋ for every loss, computed without libm's
    /// floor; compared with Foundation's `floor` over a fine grid and awkward values.
    @Test func usableCapacityIsTheFloor() {
        for capacity in [0, 1, 7, 130, 220, 1_000_003] {
            var p = provider { $0.capacity = capacity }
            let awkward: [Double] = [1e-12, 0.1, 0.3, 1.0 / 3, 2.0 / 3, 0.7, 0.9, 1 - 1e-12, 1.5]
            let losses: [Double] = (0...1_000).map { Double($0) / 1_000 } + awkward
            for lost in losses {
                p.capacityLost = lost
                let expected = Int(floor(Double(capacity) * (1 - lost)))
                #expect(p.usableCapacity == expected, "capacity \(capacity), lost \(lost)")
            }
        }
    }

    /// `serves(region:)` answers as the regions list does, also after the list changes.
    @Test func servesExactlyItsRegions() {
        var p = provider { $0.regions = [0, 2, 63, 64, 90] }
        for r in -2...100 { #expect(p.serves(region: r) == [0, 2, 63, 64, 90].contains(r), "region \(r)") }
        p.config.regions = [1]
        for r in -2...100 { #expect(p.serves(region: r) == (r == 1), "region \(r) after the change") }
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
