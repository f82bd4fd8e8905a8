import Foundation
import Training
import _FuzzSupport

/// The checkpoint reader, whatever the bytes: a clear error or a checkpoint, never a crash.
func check(_ data: Data) {
    _ = try? Checkpoint.decode(data, path: "input")
}

#if FUZZING
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ bytes: UnsafePointer<UInt8>, _ count: Int) -> CInt {
    check(Data(bytes: bytes, count: count))
    return 0
}
#else
@main enum Replay { static func main() { replay(check) } }
#endif
