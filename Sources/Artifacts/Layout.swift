/// Where a profile's files live, and a run's: every file name of the layout, defined once.
///
///     <root>/plan.json, samples.json, drift.md, drift.json
///     <root>/<run id>/spec.json, metrics.jsonl, timings.jsonl, segments.jsonl, checkpoint.bin,
///                     manifest.json
///
/// `<root>` is `runs/<profile>` (`results/paper` for the paper profile).
public struct ProfileFolder: Sendable, Equatable {
    public let root: String

    public init(root: String) { self.root = root }

    public var planPath: String { root + "/plan.json" }
    public var samplesPath: String { root + "/samples.json" }
    public var driftMarkdownPath: String { root + "/drift.md" }
    public var driftJSONPath: String { root + "/drift.json" }

    public func run(_ id: String) -> RunFolder { RunFolder(path: root + "/" + id) }
}

/// One run's folder (see `ProfileFolder`).
public struct RunFolder: Sendable, Equatable {
    public let path: String

    public init(path: String) { self.path = path }

    /// The file names the manifest seals: what depends on the spec and the data only.
    public static let sealedFiles = [checkpoint, metrics, spec]
    public static let spec = "spec.json"
    public static let metrics = "metrics.jsonl"
    public static let timings = "timings.jsonl"
    public static let segments = "segments.jsonl"
    public static let checkpoint = "checkpoint.bin"
    public static let manifest = "manifest.json"

    public var specPath: String { file(Self.spec) }
    public var metricsPath: String { file(Self.metrics) }
    public var timingsPath: String { file(Self.timings) }
    public var segmentsPath: String { file(Self.segments) }
    public var checkpointPath: String { file(Self.checkpoint) }
    public var manifestPath: String { file(Self.manifest) }

    public func file(_ name: String) -> String { path + "/" + name }
}
