/// A profile's experiment plan as written to `runs/<profile>/plan.json`: which runs exist, which
/// paper row each reproduces, and how the profile departs from the paper's scale.
public struct ProfilePlan: Codable, Sendable, Equatable {
    public static let schema = "rnrepro.plan/1"

    public var schema: String = ProfilePlan.schema
    /// "smoke", "quick" or "paper".
    public var profile: String
    /// One paragraph on what the profile is for and what it can show.
    public var summary: String
    /// Each way the profile differs from the paper (scale, width, evaluation), one sentence each.
    public var deviations: [String]
    /// Test questions of each type every run is evaluated on (the data set's fact, for readers
    /// that do not know its rules); absent in plans written before it was recorded.
    public var testQuestionsPerType: Int?
    public var runs: [PlannedRun]

    public init(profile: String, summary: String, deviations: [String], testQuestionsPerType: Int?, runs: [PlannedRun]) {
        self.profile = profile
        self.summary = summary
        self.deviations = deviations
        self.testQuestionsPerType = testQuestionsPerType
        self.runs = runs
    }

    enum CodingKeys: String, CodingKey {
        case schema, profile, summary, deviations, runs
        case testQuestionsPerType = "test_questions_per_type"
    }
}

/// One training run of a plan.
public struct PlannedRun: Codable, Sendable, Equatable {
    /// The run's directory name: the paper row and replicate, then a hash of the spec,
    /// e.g. "rn-b64-lr1e-4-r1-3f9a0c12d4e5".
    public var id: String
    /// The paper row it reproduces (`PaperRow.id`).
    public var row: String
    /// 1-based replicate number: replicates differ only in the seed.
    public var replicate: Int
    public var spec: RunSpec
    /// The model's parameter count at the run's width (the model's fact, for readers that do not
    /// build models); absent in plans written before it was recorded.
    public var parameterCount: Int?

    public init(id: String, row: String, replicate: Int, spec: RunSpec, parameterCount: Int?) {
        self.id = id
        self.row = row
        self.replicate = replicate
        self.spec = spec
        self.parameterCount = parameterCount
    }

    enum CodingKeys: String, CodingKey {
        case id, row, replicate, spec
        case parameterCount = "parameter_count"
    }
}

/// `runs/<profile>/<run>/manifest.json`: how a finished run was made, and the hashes of what it
/// wrote, so a later `reproduce` can skip it after verifying them.
public struct RunManifest: Codable, Sendable, Equatable {
    public static let schema = "rnrepro.manifest/1"

    public var schema: String = RunManifest.schema
    public var runID: String
    public var provenance: Provenance
    /// Threads the run used (results do not depend on it).
    public var threads: Int
    /// The matrix kernels the run used, `avx2` or `avx512` (results do not depend on them);
    /// absent in manifests written before the AVX-512 kernels existed.
    public var isa: String?
    /// Training wall time in seconds, evaluations excluded.
    public var trainSeconds: Double
    /// Total wall time in seconds.
    public var wallSeconds: Double
    /// Training questions per second over the whole run.
    public var samplesPerSecond: Double
    /// SHA-256 of each file of the run directory, by file name, sorted.
    public var files: [FileHash]
    /// Each sitting the run was trained in, in order (segments.jsonl); absent in manifests
    /// written before runs recorded their sittings.
    public var segments: [TrainingSegment]?

    public init(runID: String, provenance: Provenance, threads: Int, isa: String?, trainSeconds: Double,
                wallSeconds: Double, samplesPerSecond: Double, files: [FileHash], segments: [TrainingSegment]? = nil) {
        self.runID = runID
        self.provenance = provenance
        self.threads = threads
        self.isa = isa
        self.trainSeconds = trainSeconds
        self.wallSeconds = wallSeconds
        self.samplesPerSecond = samplesPerSecond
        self.files = files
        self.segments = segments
    }

    enum CodingKeys: String, CodingKey {
        case schema, provenance, threads, isa, files, segments
        case runID = "run_id"
        case trainSeconds = "train_seconds"
        case wallSeconds = "wall_seconds"
        case samplesPerSecond = "samples_per_second"
    }
}

public struct FileHash: Codable, Sendable, Equatable {
    public var name: String
    public var sha256: String

    public init(name: String, sha256: String) {
        self.name = name
        self.sha256 = sha256
    }
}

/// Where and with what something was made.
public struct Provenance: Codable, Sendable, Equatable {
    /// `rnrepro --version`.
    public var programVersion: String
    /// The git commit of the source tree, or "unknown".
    public var commit: String
    /// The Swift compiler that built the program.
    public var compiler: String
    /// The CPU model, e.g. "AMD EPYC 7551 32-Core Processor".
    public var cpu: String
    public var cores: Int
    /// ISO 8601, UTC.
    public var date: String

    public init(programVersion: String, commit: String, compiler: String, cpu: String, cores: Int, date: String) {
        self.programVersion = programVersion
        self.commit = commit
        self.compiler = compiler
        self.cpu = cpu
        self.cores = cores
        self.date = date
    }

    enum CodingKeys: String, CodingKey {
        case commit, compiler, cpu, cores, date
        case programVersion = "program_version"
    }
}
