import Testing
@testable import WargameScenario

@Suite struct FactorTests {
    @Test func listsRangesAndJSONArrays() throws {
        #expect(try Factor(parsing: "router.strategy=score,p2c").values == [.string("score"), .string("p2c")])
        #expect(try Factor(parsing: "demand.orders_per_second=1,1.5").values.map(\.compact) == ["1", "1.5"])
        #expect(try Factor(parsing: "bridges[axelar].relayers=1..7:2").values.map(\.compact) == ["1", "3", "5", "7"])
        #expect(try Factor(parsing: "demand.orders_per_second=0.1..0.5:0.1").values.map(\.compact) == ["0.1", "0.2", "0.3", "0.4", "0.5"])
        #expect(try Factor(parsing: "regions=[[\"eu\"],[\"eu\",\"us\"]]").values.count == 2)
        #expect(try Factor(parsing: "demand.orders_per_second=2").values.count == 1)
    }

    @Test(arguments: [
        ("demand.orders_per_second", "expected PATH=V1,V2,…"),
        ("demand.orders_per_second=3..1:1", "expected LO ≤ HI and STEP > 0"),
        ("demand.orders_per_second=1..3:0", "expected LO ≤ HI and STEP > 0"),
        ("demand.orders_per_second=1,1", "expected distinct values, found 1 twice"),
        ("demand.orders_per_second=0..5000:1", "expected at most 1000 values"),
        ("x..y=1", "expected a path"),
        ("demand.orders_per_second=1,", "expected a JSON value after '='"),
    ])
    func badFactorsSayWhatWasExpected(text: String, message: String) {
        do {
            _ = try Factor(parsing: text)
            Issue.record("accepted \(text)")
        } catch {
            #expect(error.message.hasPrefix(message), "\(error)")
        }
    }
}
