import Foundation
import SimKernel
import WargameModels
import WargameReports

/// How a scenario runs by default; `--seed`/`SEED` and `--steps`/`STEPS` override.
public struct RunSettings: Sendable, Equatable {
    /// The window over which windowed KPIs are measured.
    public var stepLength: SimDuration = .seconds(60)
    public var steps = 60
    public var seed: UInt64 = 1
    /// The start of every run is left out of its KPIs, verdicts and alerts for this long:
    /// runs start from an empty marketplace, so early steps describe filling it, not its
    /// steady state. A whole number of steps.
    public var warmup: SimDuration = .zero
    public var warmupSteps: Int { Int(warmup.microseconds / stepLength.microseconds) }
    public init() {}
}

/// A verdict a scenario expects; `any` for an SLO that sits on its threshold in this
/// scenario, so its verdict legitimately varies with the seed.
public enum ExpectedVerdict: String, Sendable, CaseIterable {
    case pass, breach, any

    public func admits(_ v: Verdict) -> Bool { self == .any || rawValue == v.rawValue }
}

/// What `wargame check` expects of a scenario: the seeds to run it on, and each SLO's
/// verdict (SLOs not named are expected to pass).
public struct Expectations: Sendable, Equatable {
    public var seeds: [UInt64] = [1]
    /// Steps for checks; `nil` = the scenario's run steps.
    public var steps: Int?
    /// (SLO name, expected verdict), in the order written.
    public var verdicts: [(String, ExpectedVerdict)] = []
    /// Alert rules that must fire on every checked seed.
    public var alerts: [String] = []
    /// Alert rules that may fire (borderline in this scenario); any other firing fails.
    public var alertsMayFire: [String] = []
    /// A sweep to assert: over these seeds, each named SLO must pass on at least the given
    /// fraction of them ("fill rate p95 holds on ≥ 95 % of seeds 1..200").
    public var passFractionSeeds: ClosedRange<UInt64>?
    public var passFractionSteps: Int?
    public var minimumPassFractions: [(String, Double)] = []
    /// Scorecard deadlines every incident must meet on every checked seed (nil: not asserted).
    public var detectedWithin: SimDuration?, firstActionWithin: SimDuration?, mitigatedWithin: SimDuration?, recoveredWithin: SimDuration?
    /// Whether every incident must meet (true) or miss (false) its level's deadlines.
    public var deadlinesMet: Bool?
    /// Alert quality to assert on every checked seed (nil: not asserted): whether every
    /// incident was paged for (recall 1) or not, the most firings attributed to no incident,
    /// the least share of pages attributed to one.
    public var everyIncidentPaged: Bool?, maxUnattributed: Int?, minPrecision: Double?
    /// Per incident, exactly the receivers its alerts must reach (with an Alertmanager
    /// config; receiver names checked once it is read).
    public var notified: [(incident: String, receivers: [String], file: String, path: String)] = []

    public init() {}

    public func expected(_ slo: String) -> ExpectedVerdict { verdicts.last { $0.0 == slo }?.1 ?? .pass }

    public static func == (a: Expectations, b: Expectations) -> Bool {
        a.seeds == b.seeds && a.steps == b.steps && a.verdicts.map(\.0) == b.verdicts.map(\.0)
            && a.verdicts.map(\.1) == b.verdicts.map(\.1) && a.alerts == b.alerts && a.alertsMayFire == b.alertsMayFire
            && a.passFractionSeeds == b.passFractionSeeds && a.passFractionSteps == b.passFractionSteps
            && a.minimumPassFractions.map(\.0) == b.minimumPassFractions.map(\.0)
            && a.minimumPassFractions.map(\.1) == b.minimumPassFractions.map(\.1)
            && a.detectedWithin == b.detectedWithin && a.firstActionWithin == b.firstActionWithin
            && a.mitigatedWithin == b.mitigatedWithin && a.recoveredWithin == b.recoveredWithin && a.deadlinesMet == b.deadlinesMet
            && a.everyIncidentPaged == b.everyIncidentPaged && a.maxUnattributed == b.maxUnattributed && a.minPrecision == b.minPrecision
            && a.notified.map(\.incident) == b.notified.map(\.incident) && a.notified.map(\.receivers) == b.notified.map(\.receivers)
    }
}

/// A validated scenario: everything a run needs, and where it came from.
public struct Scenario: Sendable {
    public var name = "unnamed"
    public var description = ""
    /// The file as given, and the files it extends (base first).
    public var files: [String] = []
    /// SHA-256 of the effective configuration: the bytes of every file in the chain, base
    /// first, then each override as `--set PATH=VALUE\n` — so a variant has its own digest.
    public var sha256 = ""
    /// The `--set` overrides applied on top of the files, in order.
    public var overrides: [Override] = []
    public var run = RunSettings()
    public var pipeline = PipelineConfig()
    public var slos = SLO.aurora
    public var alerts = AlertRule.defaults
    public var playbook: [PlaybookRule] = []
    /// How incident response is graded (the scorecard).
    public var response = ResponsePolicy()
    /// Per incident (index-aligned with `pipeline.incidents`): the alerts that are its
    /// symptoms — its `detected_by`, else its kind's defaults.
    public var detection: [IncidentDetection] = []
    public var expect = Expectations()
    /// The team's own rule files (`monitoring`).
    public var monitoring = MonitoringSettings()

    public init() {}
}

/// Loads scenario files: parses, follows `extends`, applies each layer, validates.
public enum ScenarioLoader {
    /// The current schema version; scenarios must carry it.
    public static let version = 1

    /// A scenario file larger than this is refused: no real one comes near it.
    static let maximumFileBytes = 16 << 20

    /// `base` is the directory the recorded file paths are relative to (default: the
    /// working directory); see `canonical`.
    public static func load(_ path: String, relativeTo base: String = ".", overrides: [Override] = [], alertRules: [String] = [],
                            sloSpecs: [String] = [], alertmanagerConfig: String? = nil) throws(ScenarioError) -> Scenario {
        try load(path, relativeTo: base, overrides: overrides, alertRules: alertRules, sloSpecs: sloSpecs, alertmanagerConfig: alertmanagerConfig) {
            InputFile.read($0, limit: maximumFileBytes)
        }
    }

    /// Loads from an in-memory set of files (path → bytes) instead of the file system: for
    /// fuzzing, where `extends` may name any path and must not touch the disk.
    @_spi(Fuzzing) public static func load(_ path: String, from files: [String: [UInt8]]) throws(ScenarioError) -> Scenario {
        try load(path, relativeTo: ".") { files[$0].map { .success($0) } ?? .failure(.missing) }
    }

    static func load(_ path: String, relativeTo base: String, overrides: [Override] = [], alertRules: [String] = [], sloSpecs: [String] = [],
                     alertmanagerConfig: String? = nil, reader: (String) -> Result<[UInt8], InputFile.Problem>) throws(ScenarioError) -> Scenario {
        var chain: [(path: String, json: JSON, bytes: [UInt8])] = []
        var next: String? = path
        while let p = next {
            if chain.contains(where: { $0.path == p }) {
                throw ScenarioError(file: chain.last!.path, path: "extends",
                                    message: "expected a base scenario, found a cycle: " + (chain.map(\.path) + [p]).joined(separator: " → "))
            }
            let (json, bytes) = try read(p, referencedFrom: chain.last?.path, reader: reader)
            chain.append((p, json, bytes))
            guard let ext = json["extends"] else { next = nil; continue }
            guard case .string(let base) = ext, !base.isEmpty else {
                throw ScenarioError(file: p, path: "extends", message: "expected the path of a base scenario, found \(ext.described)")
            }
            // Relative to the extending file's directory, kept relative so messages stay short.
            let dir = (p as NSString).deletingLastPathComponent
            next = base.hasPrefix("/") || dir.isEmpty ? base : dir + "/" + base
        }
        var scenario = Scenario()
        scenario.files = chain.map { canonical($0.path, relativeTo: base) }.reversed()
        var digest = SHA256()
        let diagnostics = Diagnostics()
        var reported = Set<ScenarioSchema.OrderProblem>()
        for layer in chain.reversed() {
            digest.update(layer.bytes)
            // Expectations describe the file that states them, so they are never inherited.
            scenario.expect = Expectations()
            do {
                try ScenarioSchema.apply(layer.json, file: layer.path, to: &scenario, docs: nil, diagnostics: diagnostics)
                // A p95 below its median is the mistake of the file that made it so.
                for p in ScenarioSchema.orderProblems(scenario.pipeline) where reported.insert(p).inserted {
                    try diagnostics.record(p.error(file: layer.path))
                }
            } catch {
                if !diagnostics.stopped { throw error }  // the layer is not an object at all
                break
            }
        }
        // Every mistake of every layer at once; whole-scenario checks only on a clean read.
        if let all = diagnostics.combined { throw all }
        try ScenarioSchema.checkWhole(scenario, file: path)
        var applied = chain.reversed().map(\.json)
        for o in overrides {
            var layer = OverrideLayer(o, layers: applied.reversed(), scenario: scenario)
            let json = try layer.build()
            let d = Diagnostics()
            do {
                try ScenarioSchema.apply(json, file: layer.file, to: &scenario, docs: nil, diagnostics: d)
            } catch {
                if !d.stopped { throw layer.renamed(error) }
            }
            if let all = d.combined { throw layer.renamed(all) }
            digest.update(Array(("--set " + o.text + "\n").utf8))
            applied.append(json)
            scenario.overrides.append(o)
        }
        if !overrides.isEmpty {
            try checkOrders(scenario, overrides)
            // The files passed alone (above), so what fails now, the overrides did.
            do { try ScenarioSchema.checkWhole(scenario, file: path) } catch { throw blame(error, overrides) }
        }
        try loadRuleFiles(&scenario, extra: alertRules, extraSLOSpecs: sloSpecs, digest: &digest, reader: reader)
        try loadAlertmanager(&scenario, extra: alertmanagerConfig, digest: &digest, reader: reader)
        scenario.sha256 = digest.hexDigest()
        return scenario
    }

    /// After the last override, every p95 at or above its median. A problem names the
    /// overrides that set either field (by the field's own name, `ack_p95_ms`), else every
    /// override (one that wrote a whole object, say).
    static func checkOrders(_ scenario: Scenario, _ overrides: [Override]) throws(ScenarioError) {
        func leaf(_ path: String) -> Substring {
            let last = path.split(separator: ".").last ?? Substring(path)
            return last.prefix { $0 != "[" }
        }
        let errors = ScenarioSchema.orderProblems(scenario.pipeline).map { problem in
            let fields = [leaf(problem.path), leaf(problem.medianField)]
            let setters = overrides.filter { fields.contains(leaf($0.path)) }
            return problem.error(file: (setters.isEmpty ? overrides : setters).map { "--set " + $0.text }.joined(separator: ", "))
        }
        guard var first = errors.first else { return }
        first.others = Array(errors.dropFirst())
        throw first
    }

    /// A whole-scenario problem the overrides caused, named by those that set its field, an
    /// object holding it, or a sibling (`demand.gpu_hours.median` for `.p95`), else by all.
    static func blame(_ error: ScenarioError, _ overrides: [Override]) -> ScenarioError {
        func parent(_ p: String) -> String { p.lastIndex(of: ".").map { String(p[..<$0]) } ?? "" }
        let setters = overrides.filter { o in
            o.path == error.path || error.path.hasPrefix(o.path + ".") || error.path.hasPrefix(o.path + "[")
                || o.path.hasPrefix(error.path + ".") || o.path.hasPrefix(error.path + "[")
                || (!parent(o.path).isEmpty && parent(o.path) == parent(error.path))
        }
        return ScenarioError(file: (setters.isEmpty ? overrides : setters).map { "--set " + $0.text }.joined(separator: ", "),
                             path: error.path, message: error.message)
    }

    /// `path` as summaries record it: resolved (symlinks, `.`, `..`, doubled slashes) and
    /// relative to `base` when inside it, else absolute — so however a path is spelled, the
    /// same file gives the same `kpi_summary.json`. Unresolvable paths (a pipe) stay as given.
    public static func canonical(_ path: String, relativeTo base: String = ".") -> String {
        func real(_ p: String) -> String? {
            guard let r = realpath(p, nil) else { return nil }
            defer { free(r) }
            return String(cString: r)
        }
        guard let file = real(path) else { return path }
        guard let root = real(base) else { return file }
        if root == "/" { return String(file.dropFirst()) }
        return file.hasPrefix(root + "/") ? String(file.dropFirst(root.count + 1)) : file
    }

    static func read(_ path: String, referencedFrom parent: String?,
                     reader: (String) -> Result<[UInt8], InputFile.Problem>) throws(ScenarioError) -> (JSON, [UInt8]) {
        let bytes: [UInt8]
        switch reader(path) {
        case .success(let b): bytes = b
        case .failure(let problem):
            if let parent {
                throw ScenarioError(file: parent, path: "extends", message: "expected a base scenario file at \(path), found \(problem.found)")
            }
            throw ScenarioError(file: path, path: "", message: "expected a scenario file, found \(problem.found)")
        }
        if bytes.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) {
            throw ScenarioError(file: path, path: "", message: "expected a JSON scenario, found an empty file")
        }
        guard let text = String(bytes: bytes, encoding: .utf8) else {  // nil on invalid UTF-8 (macOS 13 has no String(validating:))
            throw ScenarioError(file: path, path: "", message: "expected UTF-8 JSON, found invalid UTF-8")
        }
        do {
            return (try JSONParser.parse(text), bytes)
        } catch {
            throw ScenarioError(file: path, path: error.path, message: "malformed JSON at line \(error.line), column \(error.column): \(error.message)")
        }
    }

    /// Every field of the schema, for `docs/scenarios.md`.
    public static func documentation() -> [FieldDoc] {
        let docs = DocCollector()
        var s = Scenario()
        try? ScenarioSchema.apply(.object([]), file: "", to: &s, docs: docs, diagnostics: Diagnostics())
        return docs.fields
    }
}
