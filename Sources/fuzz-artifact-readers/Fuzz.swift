import Artifacts
import Foundation
import _FuzzSupport

/// The JSON artifacts' readers, whatever the bytes: the first byte picks the reader (metrics,
/// timings and segments lines; spec, plan, golden file, manifest, paper facts), the rest is the
/// file. A clear error or a value, never a crash; what validation the types do runs too.
func check(_ data: Data) {
    guard let selector = data.first else { return }
    let file = data.dropFirst()
    switch selector % 8 {
    case 0: _ = try? JSONFiles.decodeLines(MetricsLine.self, from: file, path: "input")
    case 1: _ = try? JSONFiles.decodeLines(TimingLine.self, from: file, path: "input")
    case 2: _ = try? JSONFiles.decodeLines(TrainingSegment.self, from: file, path: "input")
    case 3:
        if let spec = try? JSONFiles.decode(RunSpec.self, from: file, path: "input", schema: RunSpec.schema) {
            _ = spec.hash
        }
    case 4: _ = try? JSONFiles.decode(ProfilePlan.self, from: file, path: "input", schema: ProfilePlan.schema)
    case 5:
        if let golden = try? JSONFiles.decode(GoldenFile.self, from: file, path: "input", schema: GoldenFile.schema) {
            _ = golden.runs.map(\.fault)
        }
    case 6: _ = try? JSONFiles.decode(RunManifest.self, from: file, path: "input", schema: RunManifest.schema)
    default: _ = try? JSONFiles.decode(PaperFacts.self, from: file, path: "input", schema: PaperFacts.schema)
    }
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
