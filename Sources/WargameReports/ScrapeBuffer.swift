/// One scrape's samples as numbers, in exposition order, kept from scrape to scrape.
///
/// An exposition lists the same series in the same order at almost every scrape, so the
/// buffer keeps the previous scrape's names and labels and only compares each new sample's
/// with the one at its position (an identity check, mostly: the texts come from the same
/// model strings and caches every time). The reader then ingests the values by position
/// and resolves series only from `firstChange` on: the difference between building a key
/// per sample, three hundred times a step, and writing a number into an array.
///
/// Invariant: positions before `firstChange` hold the same name and labels as at the
/// previous scrape; `count` samples are valid, and `names.count == labels.count == values.count`.
public struct ScrapeBuffer: Sendable {
    public private(set) var names: [String] = []
    public private(set) var labels: [[(String, String)]] = []
    public private(set) var values: [Double] = []
    /// Samples in this scrape.
    public private(set) var count = 0
    /// The first position whose series is not the previous scrape's there (`Int.max`: none,
    /// and the scrape had as many samples as the last).
    public private(set) var firstChange = Int.max

    public init() {}

    public mutating func begin() {
        count = 0
        firstChange = .max
    }

    mutating func put(_ name: String, _ l: [(String, String)], _ value: Double) {
        let k = count
        count += 1
        if k < names.count {
            values[k] = value
            if firstChange == .max && names[k] == name && labels[k].elementsEqual(l, by: ==) { return }
            firstChange = min(firstChange, k)
            names[k] = name
            labels[k] = l
        } else {
            firstChange = min(firstChange, k)
            names.append(name)
            labels.append(l)
            values.append(value)
        }
    }

    /// Whether the next `n` samples can be written by `overwrite`: nothing has changed so
    /// far and the last scrape had that many more.
    func canOverwrite(_ n: Int) -> Bool { firstChange == .max && count + n <= names.count }

    /// The next sample's value, its name and labels known to be the last scrape's there.
    mutating func overwrite(_ value: Double) {
        values[count] = value
        count += 1
    }

    /// Ends the scrape: positions past `count` are dropped (a shorter scrape is a change).
    public mutating func end() {
        guard count < names.count else { return }
        firstChange = min(firstChange, count)
        names.removeLast(names.count - count)
        labels.removeLast(labels.count - count)
        values.removeLast(values.count - count)
    }
}
