import Artifacts
import Engine
import Models
import SortOfCLEVR

/// A run spec with every number checked and its settings in the models' terms: what the trainer runs.
public struct RunConfiguration: Sendable {
    public let spec: RunSpec
    public let model: ModelConfig
    public let optimizer: RunSpec.Optimizer
    public let dropout: DropoutMode
    public let tags: CoordinateTags

    public init(_ spec: RunSpec) throws {
        func invalid(_ message: String) -> RunSpecError { RunSpecError(message: message) }
        guard spec.schema == RunSpec.schema else { throw invalid("unknown run spec schema '\(spec.schema)'") }
        guard (1...4096).contains(spec.hidden) else { throw invalid("hidden width must be in 1...4096 (got \(spec.hidden))") }
        guard (1...4096).contains(spec.batchSize) else { throw invalid("batch size must be in 1...4096 (got \(spec.batchSize))") }
        guard spec.learningRate > 0, spec.learningRate.isFinite else {
            throw invalid("learning rate must be positive (got \(spec.learningRate))")
        }
        guard spec.epochs > 0, spec.epochs <= 10_000 else { throw invalid("epochs must be in (0, 10000] (got \(spec.epochs))") }
        guard spec.evalEvery > 0, spec.evalEvery <= spec.epochs else {
            throw invalid("eval-every must be in (0, epochs] (got \(spec.evalEvery))")
        }
        self.spec = spec
        self.model = ModelConfig(kind: spec.model.kind, hidden: spec.hidden)
        self.optimizer = spec.optimizer
        self.dropout = spec.dropout.mode
        self.tags = spec.coordinateTags.tags
    }

    /// The run's model for batches of up to the run's batch size, initialised from its seed,
    /// and its optimizer over the model's parameters. `dropout` overrides the spec's mode.
    public func makeModelAndOptimizer(dropout: DropoutMode? = nil) -> (AnswerModel, Optimizer) {
        let model = Models.makeModel(self.model, capacity: spec.batchSize, dropout: dropout ?? self.dropout, tags: tags,
                                     seed: spec.seed)
        model.parameters.initialise(seed: spec.seed)
        return (model, makeOptimizer(count: model.parameters.slabCount))
    }

    public func makeOptimizer(count: Int) -> Optimizer {
        switch optimizer {
        case .adam: Adam(count: count, learningRate: spec.learningRate)
        case .sgdMomentum: SGDMomentum(count: count, learningRate: spec.learningRate)
        case .nadam: NAdam(count: count, learningRate: spec.learningRate)
        }
    }
}

public struct RunSpecError: Error, CustomStringConvertible {
    public let message: String
    public var description: String { message }
}

// The spec's vocabulary (Artifacts) in the models' terms (Models): one case for one case.

extension RunSpec.Model {
    public var kind: ModelKind {
        switch self {
        case .rn: .relationNetwork
        case .cnnMLP: .cnnMLP
        }
    }
}

extension RunSpec.Dropout {
    var mode: DropoutMode {
        switch self {
        case .train: .train
        case .none: .none
        case .trainAndTest: .trainAndTest
        }
    }
}

extension RunSpec.CoordinateTags {
    var tags: CoordinateTags {
        switch self {
        case .grid: .grid
        case .py3: .py3
        }
    }
}
