import Foundation
import Testing
@testable import WargameReports

/// `kpi_timeseries.csv` rows are made and written on a queue (`BackgroundCSVWriter`); the
/// file must be what writing each row inline gives, in the order the rows were queued.
@Suite struct BackgroundCSVWriterTests {
    static let header = ["step", "value", "note"]

    static func row(_ i: Int) -> [String] {
        [String(i), NumberFormat.fixed(Double(i) / 7, 4), i % 5 == 0 ? "has,comma" : "plain"]
    }

    @Test(arguments: [1, 3, 64])
    func rowsAreTheInlineRowsInOrder(inFlight: Int) throws {
        let (queued, inline) = (temporaryDirectory(), temporaryDirectory())
        let a = try OutputSet(directory: queued)
        let writer = BackgroundCSVWriter(try CSVWriter(file: try a.open("t.csv"), header: Self.header), inFlight: inFlight)
        for i in 0..<2_000 { writer.writeRow { Self.row(i) } }
        #expect(try writer.finish() == 2_000)
        _ = try a.commitAll()

        let b = try OutputSet(directory: inline)
        var csv = try CSVWriter(file: try b.open("t.csv"), header: Self.header)
        for i in 0..<2_000 { try csv.writeRow(Self.row(i)) }
        _ = try b.commitAll()

        let (x, y) = (try Data(contentsOf: URL(fileURLWithPath: queued + "/t.csv")), try Data(contentsOf: URL(fileURLWithPath: inline + "/t.csv")))
        #expect(x == y)
        #expect(String(decoding: x, as: UTF8.self).hasSuffix("1999,285.5714,plain\r\n"))
    }

    /// Dropped unfinished (a failed run), the writer waits for its rows, so aborting the
    /// outputs afterwards leaves nothing behind.
    @Test func droppingWaitsAndAbortLeavesNoFiles() throws {
        let dir = temporaryDirectory()
        let outputs = try OutputSet(directory: dir)
        do {
            let writer = BackgroundCSVWriter(try CSVWriter(file: try outputs.open("t.csv"), header: Self.header), inFlight: 4)
            for i in 0..<500 { writer.writeRow { Self.row(i) } }
        }
        outputs.abortAll()
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir).isEmpty)
    }
}
