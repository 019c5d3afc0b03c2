#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif
import Foundation

/// `series.om`: every series of `metrics.prom` at every step, timestamped, in the
/// OpenMetrics text format that `promtool tsdb create-blocks-from openmetrics` backfills —
/// so a war game can be loaded into a Prometheus and seen in the user's own Grafana.
///
/// OpenMetrics forbids interleaving: a family's samples come together, and within it each
/// Metric's (label set's) points come together in time order. A run produces the opposite
/// order — every series once per step — so each Metric's lines are buffered (16 KiB at
/// most) and spilled to a spool file of its own in a hidden, registered directory beside
/// the output; at the end the spools are concatenated family by family, Metric by Metric,
/// in the order they first appeared. Memory stays flat in the run's length (a buffer per
/// Metric, a few hundred Metrics); the spool is removed on success, failure or a signal.
public final class OpenMetricsSeries {
    struct Metric {
        /// The family's index and the labels without `le`: what tells Metrics apart.
        let family: Int
        let labels: [UInt8]
        var buffer: [UInt8] = []
        var spool: String?
    }

    struct Family {
        let name: String, type: String, help: String
        var metrics: [Int] = []
    }

    private let spoolDirectory: String
    private var families: [Family] = []
    private var familyIndex: [String: Int] = [:]    // looked up only; output follows `families`
    private var metrics: [Metric] = []
    /// Metrics by an FNV-1a hash of (family, labels), candidates checked byte for byte.
    private var metricIndex: [UInt64: [Int]] = [:]  // looked up only
    private var spools = 0
    static let bufferLimit = 16 << 10

    /// `directory` is the output directory, which must exist; the spool goes beside the files.
    public init(directory: String) throws(OutputError) {
        spoolDirectory = directory + "/.series.om." + TemporaryOutputs.shared.uniqueSuffix() + ".spool"
        TemporaryOutputs.shared.register(directories: [spoolDirectory])
        guard mkdir(spoolDirectory, 0o700) == 0 else {
            TemporaryOutputs.shared.unregister(directories: [spoolDirectory])
            throw OutputError(path: spoolDirectory, reason: String(cString: strerror(errno)), kind: .location)
        }
    }

    deinit { discard() }

    /// Removes the spool (idempotent).
    public func discard() {
        removeTree(spoolDirectory)
        TemporaryOutputs.shared.unregister(directories: [spoolDirectory])
    }

    /// Adds one exposition (`PrometheusText.render`) at `timestamp` (Unix seconds). Works on
    /// the bytes: it runs once per step over every series, and String slicing was most of
    /// a run's time.
    public func add(_ exposition: String, at timestamp: Int64) throws(OutputError) {
        let stamp = Array((" " + String(timestamp) + "\n").utf8)
        let bytes = Array(exposition.utf8)
        var family = -1
        var help: ArraySlice<UInt8> = []
        var lineStart = 0
        while lineStart < bytes.count {
            var lineEnd = lineStart
            while lineEnd < bytes.count && bytes[lineEnd] != 10 { lineEnd += 1 }
            let line = bytes[lineStart..<lineEnd]
            lineStart = lineEnd + 1
            if line.starts(with: Self.helpPrefix) {
                let rest = line.dropFirst(7)
                help = rest[(rest.firstIndex(of: 32).map { $0 + 1 } ?? rest.endIndex)...]
                continue
            }
            if line.starts(with: Self.typePrefix) {
                let p = line.dropFirst(7).split(separator: 32)
                guard p.count >= 2 else { continue }
                let name = String(decoding: p[0], as: UTF8.self), type = String(decoding: p[1], as: UTF8.self)
                // OpenMetrics names a counter family without its `_total`.
                let familyName = type == "counter" && name.hasSuffix("_total") ? String(name.dropLast(6)) : name
                if let i = familyIndex[familyName] { family = i } else {
                    family = families.count
                    familyIndex[familyName] = family
                    families.append(Family(name: familyName, type: type, help: String(decoding: help, as: UTF8.self)))
                }
                continue
            }
            guard family >= 0, let space = line.lastIndex(of: 32), line.first != 35 else { continue }
            let labels = Self.labelsWithoutLE(line[..<space])
            let m = metric(family: family, labels: labels)
            metrics[m].buffer.append(contentsOf: line)
            metrics[m].buffer.append(contentsOf: stamp)
            if metrics[m].buffer.count >= Self.bufferLimit { try spill(m) }
        }
    }

    static let helpPrefix = Array("# HELP ".utf8), typePrefix = Array("# TYPE ".utf8)

    /// The index of the Metric of `family` with these labels, created when new.
    private func metric(family: Int, labels: ArraySlice<UInt8>) -> Int {
        var h: UInt64 = 0xcbf2_9ce4_8422_2325 ^ UInt64(family)
        for b in labels { h = (h ^ UInt64(b)) &* 0x100_0000_01b3 }
        if let candidates = metricIndex[h], let i = candidates.first(where: { metrics[$0].family == family && metrics[$0].labels.elementsEqual(labels) }) {
            return i
        }
        metrics.append(Metric(family: family, labels: Array(labels)))
        metricIndex[h, default: []].append(metrics.count - 1)
        families[family].metrics.append(metrics.count - 1)
        return metrics.count - 1
    }

    /// The label block of a sample without `le` and the closing brace (a histogram's
    /// buckets, count and sum at one time are one point of one Metric). Our histograms
    /// write `le` last.
    static func labelsWithoutLE(_ head: ArraySlice<UInt8>) -> ArraySlice<UInt8> {
        guard let brace = head.firstIndex(of: UInt8(ascii: "{")) else { return [] }
        let labels = head[brace...]
        let le = Array(",le=\"".utf8)
        if labels.count > 5 && labels[labels.startIndex + 1] == UInt8(ascii: "l") && labels.dropFirst().starts(with: le.dropFirst()) { return [] }
        var i = labels.endIndex - le.count
        while i > labels.startIndex {
            if labels[i..<(i + le.count)].elementsEqual(le) { return labels[..<i] }
            i -= 1
        }
        return labels.dropLast()  // compared without the closing brace, as the cut ones are
    }

    private func spill(_ index: Int) throws(OutputError) {
        var m = metrics[index]
        if m.spool == nil { m.spool = spoolDirectory + "/" + String(spools); spools += 1 }
        let fd = open(m.spool!, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard fd >= 0 else { throw OutputError(path: m.spool!, reason: String(cString: strerror(errno)), kind: .write) }
        defer { close(fd) }
        let bytes = m.buffer
        var done = 0
        while done < bytes.count {
            let n = bytes[done...].withUnsafeBytes { Glibc_write(fd, $0.baseAddress!, $0.count) }
            guard n > 0 else { throw OutputError(path: m.spool!, reason: String(cString: strerror(errno)), kind: .write) }
            done += n
        }
        m.buffer = []
        metrics[index] = m
    }

    /// Writes the whole file — families and Metrics in first-seen order, `# EOF` last —
    /// and removes the spool.
    public func finish(into out: OutputFile) throws(OutputError) {
        defer { discard() }
        var chunk = [UInt8](repeating: 0, count: 1 << 16)
        for f in families {
            try out.write("# HELP \(f.name) \(Self.escapeHelp(f.help))\n# TYPE \(f.name) \(f.type)\n")
            for index in f.metrics {
                let m = metrics[index]
                if let spool = m.spool {
                    let fd = open(spool, O_RDONLY | O_CLOEXEC | O_NOFOLLOW)
                    guard fd >= 0 else { throw OutputError(path: spool, reason: String(cString: strerror(errno)), kind: .write) }
                    defer { close(fd) }
                    while true {
                        let n = chunk.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
                        guard n >= 0 else { throw OutputError(path: spool, reason: String(cString: strerror(errno)), kind: .write) }
                        if n == 0 { break }
                        var failure: OutputError?
                        chunk.withUnsafeBytes { p in
                            do throws(OutputError) { try out.write(raw: UnsafeRawBufferPointer(rebasing: p[0..<n])) } catch { failure = error }
                        }
                        if let failure { throw failure }
                    }
                }
                var failure: OutputError?
                m.buffer.withUnsafeBytes { p in
                    do throws(OutputError) { try out.write(raw: p) } catch { failure = error }
                }
                if let failure { throw failure }
            }
        }
        try out.write("# EOF\n")
    }

    /// OpenMetrics escapes `\`, newline and `"` in HELP (the 0.0.4 format does not escape quotes).
    static func escapeHelp(_ s: String) -> String {
        s.replacingOccurrences(of: "\"", with: "\\\"")
    }
}

private func Glibc_write(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }
