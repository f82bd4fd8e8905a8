/// A value for each question type. Keys in JSON: "rel" and "nonrel".
public struct PerType<Value: Codable & Sendable & Equatable>: Codable, Sendable, Equatable {
    public var rel: Value
    public var nonrel: Value

    public init(rel: Value, nonrel: Value) {
        self.rel = rel
        self.nonrel = nonrel
    }
}

/// One line of `runs/<profile>/<run>/metrics.jsonl`: the state of a run after an evaluation.
///
/// A run evaluates after every epoch, or every fraction of an epoch with `--eval-every`; each
/// evaluation appends one line. Accuracies are percentages (0...100) as in the paper; losses are
/// mean negative log-likelihoods in nats.
///
/// Every field is a function of the run's spec and data, so a run's metrics.jsonl has the same
/// bytes however often it was interrupted and on any thread count; how long it took goes to
/// `timings.jsonl` (`TimingLine`).
public struct MetricsLine: Codable, Sendable, Equatable {
    /// Training progress in epochs (fractional when evaluating within epochs).
    public var epoch: Double
    /// Optimizer steps so far (both question types).
    public var steps: Int
    /// Training questions seen so far (both question types).
    public var samples: Int
    /// Mean training loss per type over the steps since the previous line.
    public var trainLoss: PerType<Double>
    /// Training accuracy per type over the steps since the previous line (dropout as trained).
    public var trainAccuracy: PerType<Double>
    /// Accuracy on every test question of each type.
    public var testAccuracy: PerType<Double>
    /// Test accuracy per subtype: rel [closest, furthest, count], nonrel [shape, left, top].
    public var testAccuracyBySubtype: PerType<[Double]>

    public init(
        epoch: Double, steps: Int, samples: Int, trainLoss: PerType<Double>,
        trainAccuracy: PerType<Double>, testAccuracy: PerType<Double>,
        testAccuracyBySubtype: PerType<[Double]>
    ) {
        self.epoch = epoch
        self.steps = steps
        self.samples = samples
        self.trainLoss = trainLoss
        self.trainAccuracy = trainAccuracy
        self.testAccuracy = testAccuracy
        self.testAccuracyBySubtype = testAccuracyBySubtype
    }

    enum CodingKeys: String, CodingKey {
        case epoch, steps, samples
        case trainLoss = "train_loss"
        case trainAccuracy = "train_accuracy"
        case testAccuracy = "test_accuracy"
        case testAccuracyBySubtype = "test_accuracy_by_subtype"
    }
}

/// One line of `runs/<profile>/<run>/timings.jsonl`, written beside each metrics line: how long
/// the training took up to that evaluation. Kept out of metrics.jsonl because no two runs take
/// the same time, while their metrics must agree to the byte.
public struct TimingLine: Codable, Sendable, Equatable {
    /// The evaluation this line belongs to (as in its metrics line).
    public var epoch: Double
    public var steps: Int
    /// Training wall time so far, evaluations excluded, in seconds (summed across resumes).
    public var wallSeconds: Double
    /// Training questions per second since the previous line.
    public var samplesPerSecond: Double

    public init(epoch: Double, steps: Int, wallSeconds: Double, samplesPerSecond: Double) {
        self.epoch = epoch
        self.steps = steps
        self.wallSeconds = wallSeconds
        self.samplesPerSecond = samplesPerSecond
    }

    enum CodingKeys: String, CodingKey {
        case epoch, steps
        case wallSeconds = "wall_seconds"
        case samplesPerSecond = "samples_per_second"
    }
}

/// One line of a run's `segments.jsonl`: one sitting of the run, from the step it started at to
/// the step of its last checkpoint, and where it ran. A run trained a few hours at a time on
/// several machines has one line per sitting; its results do not depend on any of this.
public struct TrainingSegment: Codable, Sendable, Equatable {
    /// The source tree's commit ("-dirty" when it had uncommitted changes).
    public var commit: String
    public var cpu: String
    /// The matrix kernels, `avx2` or `avx512`.
    public var isa: String
    public var threads: Int
    /// The step the sitting started from and the step of its last checkpoint.
    public var fromStep: Int
    public var toStep: Int
    /// Training wall time of the sitting, evaluations excluded, and its whole wall time, in seconds.
    public var trainSeconds: Double
    public var wallSeconds: Double
    /// When the sitting started, ISO 8601 UTC.
    public var started: String

    public init(commit: String, cpu: String, isa: String, threads: Int, fromStep: Int, toStep: Int,
                trainSeconds: Double, wallSeconds: Double, started: String) {
        self.commit = commit
        self.cpu = cpu
        self.isa = isa
        self.threads = threads
        self.fromStep = fromStep
        self.toStep = toStep
        self.trainSeconds = trainSeconds
        self.wallSeconds = wallSeconds
        self.started = started
    }

    enum CodingKeys: String, CodingKey {
        case commit, cpu, isa, threads, started
        case fromStep = "from_step"
        case toStep = "to_step"
        case trainSeconds = "train_seconds"
        case wallSeconds = "wall_seconds"
    }
}
