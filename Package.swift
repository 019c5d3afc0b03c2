// swift-tools-version:6.0
//
// Wargame: a deterministic discrete-event simulator for rehearsing incidents on a
// decentralised compute marketplace. No package dependencies by design: Foundation,
// Dispatch and Swift Testing only.
import PackageDescription

let package = Package(
    name: "Wargame",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "wargame", targets: ["wargame"]),
        .library(name: "SimKernel", targets: ["SimKernel"]),
        // For the libFuzzer package in Fuzz/ (make fuzz), which links the CLI's parsers.
        .library(name: "WargameCLI", targets: ["WargameCLI"]),
    ],
    targets: [
        // The engine: time, event queue, loop, random streams, distributions, statistics.
        // Knows no domain words and imports nothing but the C math library.
        .target(name: "SimKernel"),
        // Textbook models written on the kernel's public API (M/M/c), used to validate
        // the kernel against queueing theory and to benchmark it.
        .target(name: "SimExamples", dependencies: ["SimKernel"]),
        // The marketplace's operations models and the order pipeline that wires them.
        // Knows nothing of files or the command line.
        .target(name: "WargameModels", dependencies: ["SimKernel"]),
        // Scenario files: JSON → validated model configuration, errors with JSON paths.
        .target(name: "WargameScenario", dependencies: ["WargameReports", "WargameModels", "WargameMonitoring", "SimKernel"]),
        // The user's own monitoring: YAML, a PromQL engine for the expressions alerting rules
        // use, Prometheus rule files and their alert state. Knows nothing of the models.
        .target(name: "WargameMonitoring", dependencies: ["SimKernel"]),
        // File outputs: RFC 4180 CSV, atomic files, fixed-format numbers and JSON.
        .target(name: "WargameReports", dependencies: ["WargameModels", "SimKernel"]),
        // Input modelling: maximum-likelihood fits, goodness of fit and intervals for the
        // model's parameters from observed telemetry (raw samples or histogram buckets).
        .target(name: "WargameCalibration", dependencies: ["SimKernel", "WargameModels", "WargameReports", "WargameScenario"]),
        // Argument parsing, subcommands and exit codes; a library so tests can drive it.
        .target(name: "WargameCLI", dependencies: ["SimKernel", "SimExamples", "WargameModels", "WargameScenario", "WargameReports",
                                                   "WargameCalibration", "WargameMonitoring"]),
        // The thin executable: hands argv to WargameCLI and exits with its code.
        .executableTarget(name: "wargame", dependencies: ["WargameCLI"]),

        .testTarget(name: "SimKernelTests", dependencies: ["SimKernel"]),
        .testTarget(name: "WargameModelsTests", dependencies: ["WargameModels", "SimKernel"]),
        .testTarget(name: "WargameScenarioTests", dependencies: ["WargameScenario", "WargameReports", "WargameModels"]),
        .testTarget(name: "SimExamplesTests", dependencies: ["SimExamples", "SimKernel"]),
        .testTarget(name: "WargameMonitoringTests", dependencies: ["WargameMonitoring"]),
        .testTarget(name: "WargameReportsTests", dependencies: ["WargameReports", "SimKernel"]),
        .testTarget(name: "WargameCalibrationTests", dependencies: ["WargameCalibration", "SimKernel"]),
        .testTarget(name: "WargameCLITests", dependencies: ["WargameCLI", "WargameReports"]),
    ],
    swiftLanguageModes: [.v6]
)
