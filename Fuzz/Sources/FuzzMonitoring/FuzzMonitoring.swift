@_spi(Fuzzing) import WargameCLI

/// The monitoring configuration readers: YAML, rule files, SLO specs, Alertmanager configs
/// (see `FuzzTargets.monitoring`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzTargets.monitoring(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
