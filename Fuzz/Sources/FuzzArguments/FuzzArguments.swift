@_spi(Fuzzing) import WargameCLI

/// The command-line parsers: NUL-separated arguments (see `FuzzTargets.arguments`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzTargets.arguments(Array(UnsafeBufferPointer(start: data, count: size)))
    return 0
}
