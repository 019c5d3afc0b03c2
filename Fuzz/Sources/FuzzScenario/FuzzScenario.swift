import Foundation
@_spi(Fuzzing) import WargameCLI

/// The shipped baseline, read once from the working directory (the repository root).
let baseline = [UInt8](FileManager.default.contents(atPath: "scenarios/baseline.json") ?? Data())

/// The JSON parser and scenario loader (see `FuzzTargets.scenario`).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    FuzzTargets.scenario(Array(UnsafeBufferPointer(start: data, count: size)), baseline: baseline)
    return 0
}
