// swift-tools-version:6.0
//
// libFuzzer targets for Wargame's parsers. Not part of the main package: an executable
// without `main` links only with -sanitize=fuzzer, which supplies it. Build and run them
// with `make fuzz FUZZ_SECONDS=n` from the repository root (see Tests/Fuzz/README.md), which
// adds `-Xswiftc -sanitize=fuzzer,address`: swiftc keeps only the last `-sanitize=` flag, so
// `--sanitize=fuzzer --sanitize=address` alone would lose the coverage instrumentation.
import PackageDescription

let package = Package(
    name: "WargameFuzz",
    platforms: [.macOS(.v13)],
    dependencies: [.package(name: "Wargame", path: "..")],
    targets: [
        .executableTarget(name: "FuzzScenario", dependencies: [.product(name: "WargameCLI", package: "Wargame")]),
        .executableTarget(name: "FuzzHTTP", dependencies: [.product(name: "WargameCLI", package: "Wargame")]),
        .executableTarget(name: "FuzzArguments", dependencies: [.product(name: "WargameCLI", package: "Wargame")]),
        .executableTarget(name: "FuzzMonitoring", dependencies: [.product(name: "WargameCLI", package: "Wargame")]),
    ],
    swiftLanguageModes: [.v6]
)
