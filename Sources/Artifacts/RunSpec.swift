/// Everything that determines a training run's result: `runs/<profile>/<run>/spec.json`.
///
/// Two runs with equal specs produce the same bits (same binary), so the run's id is a hash of
/// its canonical JSON. Thread counts and paths to outputs are not part of it.
public struct RunSpec: Codable, Sendable, Equatable {
    public static let schema = "rnrepro.run-spec/1"

    public var schema: String = RunSpec.schema
    public var model: Model
    /// Width of g and f (RN) or of the MLP; 256 in the paper.
    public var hidden: Int
    public var batchSize: Int
    public var learningRate: Double
    /// Adam in the paper.
    public var optimizer: Optimizer
    /// Training length in epochs; may be fractional in scaled-down profiles.
    public var epochs: Double
    /// Evaluate every this many epochs (1 in the paper).
    public var evalEvery: Double
    /// Seed of initialisation, shuffles and dropout.
    public var seed: UInt64
    public var dropout: Dropout
    public var coordinateTags: CoordinateTags
    public var dataset: DatasetRef

    public init(
        model: Model, hidden: Int, batchSize: Int, learningRate: Double, optimizer: Optimizer,
        epochs: Double, evalEvery: Double, seed: UInt64, dropout: Dropout, coordinateTags: CoordinateTags,
        dataset: DatasetRef
    ) {
        self.model = model
        self.hidden = hidden
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.optimizer = optimizer
        self.epochs = epochs
        self.evalEvery = evalEvery
        self.seed = seed
        self.dropout = dropout
        self.coordinateTags = coordinateTags
        self.dataset = dataset
    }

    enum CodingKeys: String, CodingKey {
        case schema, model, hidden, optimizer, epochs, seed, dropout, dataset
        case batchSize = "batch_size"
        case learningRate = "learning_rate"
        case evalEvery = "eval_every"
        case coordinateTags = "coordinate_tags"
    }
}

extension RunSpec {
    /// The network (docs/spec.md section 3).
    public enum Model: String, Codable, CaseIterable, Sendable {
        case rn
        case cnnMLP = "cnn-mlp"
    }

    public enum Optimizer: String, Codable, CaseIterable, Sendable {
        case adam
        case sgdMomentum = "sgd-momentum"
        case nadam
    }

    /// Dropout before the answer layer: in training only (standard), never (the 2017
    /// reference's effective behaviour), or in training and at test time.
    public enum Dropout: String, Codable, CaseIterable, Sendable {
        case train
        case none
        case trainAndTest = "train+test"
    }

    /// The RN's coordinate tags: docs/spec.md section 3's grid, or the reference under Python 3.
    public enum CoordinateTags: String, Codable, CaseIterable, Sendable {
        case grid
        case py3
    }
}

/// The data set a run trains on, identified by content.
public struct DatasetRef: Codable, Sendable, Equatable {
    public var seed: UInt64
    public var trainImages: Int
    public var testImages: Int
    public var exactClosest: Bool
    /// SHA-256 of the file's content, as `rnrepro generate` prints it.
    public var sha256: String

    public init(seed: UInt64, trainImages: Int, testImages: Int, exactClosest: Bool, sha256: String) {
        self.seed = seed
        self.trainImages = trainImages
        self.testImages = testImages
        self.exactClosest = exactClosest
        self.sha256 = sha256
    }

    enum CodingKeys: String, CodingKey {
        case seed, sha256
        case trainImages = "train_images"
        case testImages = "test_images"
        case exactClosest = "exact_closest"
    }
}
