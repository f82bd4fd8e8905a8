import Artifacts
import Engine
import Models
import SortOfCLEVR

/// A run spec with every string setting parsed and every number checked: what the trainer runs.
public struct RunConfiguration: Sendable {
    public enum OptimizerKind: String, CaseIterable, Sendable {
        case adam
        case sgdMomentum = "sgd-momentum"
        case nadam
    }

    public let spec: RunSpec
    public let model: ModelConfig
    public let optimizer: OptimizerKind
    public let dropout: DropoutMode
    public let tags: CoordinateTags

    public init(_ spec: RunSpec) throws {
        func invalid(_ message: String) -> RunSpecError { RunSpecError(message: message) }
        guard spec.schema == RunSpec.schema else { throw invalid("unknown run spec schema '\(spec.schema)'") }
        guard let kind = ModelKind(rawValue: spec.model) else {
            throw invalid("unknown model '\(spec.model)' (expected \(ModelKind.allCases.map(\.rawValue).joined(separator: " or ")))")
        }
        guard let optimizer = OptimizerKind(rawValue: spec.optimizer) else {
            throw invalid("unknown optimizer '\(spec.optimizer)' (expected \(OptimizerKind.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let dropout = DropoutMode(rawValue: spec.dropout) else {
            throw invalid("unknown dropout mode '\(spec.dropout)' (expected \(DropoutMode.allCases.map(\.rawValue).joined(separator: ", ")))")
        }
        guard let tags = CoordinateTags(rawValue: spec.coordinateTags) else {
            throw invalid("unknown coordinate tags '\(spec.coordinateTags)' (expected grid or py3)")
        }
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
        self.model = ModelConfig(kind: kind, hidden: spec.hidden)
        self.optimizer = optimizer
        self.dropout = dropout
        self.tags = tags
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
