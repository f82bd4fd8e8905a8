import Engine

/// A network that answers Sort-of-CLEVR questions: the Relation Network or the CNN+MLP.
/// Forward and backward are explicit, layer by layer; every buffer is allocated once, for
/// batches of up to `capacity` questions.
public protocol AnswerModel: AnyObject {
    var config: ModelConfig { get }
    var parameters: ParameterSet { get }
    var capacity: Int { get }

    /// Runs the network on `batch`; returns the mean loss. Training updates the batch-norm
    /// running statistics.
    func forward(_ batch: InputBatch, phase: Phase, pool: ThreadPool) -> Float
    /// Writes every parameter's gradient of the last training forward's loss.
    func backward(_ batch: InputBatch, pool: ThreadPool)
    /// (B, A) log-probabilities of the last forward.
    var logProbabilities: UnsafePointer<Float> { get }
    /// The batch-norm running statistics (a checkpoint's buffers).
    var runningStatistics: [Float] { get set }
    /// The output of every ReLU of the last forward, by the name of the layer it follows, in
    /// PyTorch's layout: `export-step` writes them so that a check in another framework can
    /// take the same branch at every ReLU whose input sits within rounding of zero.
    var reluOutputs: [LayerOutput] { get }
}

/// A layer's output of the last forward: a view into the model's activations.
public struct LayerOutput {
    public let name: String
    public let values: UnsafePointer<Float>
    public let shape: [Int]
}

extension AnswerModel {
    /// How many of the last forward's predictions (the most probable answer) are right, and
    /// for each row whether it was.
    public func correctPredictions(_ batch: InputBatch) -> [Bool] {
        (0..<batch.size).map { row in
            LogSoftmaxLoss.argmax(logProbabilities, row: row, classes: ModelConfig.answerCount) == Int(batch.answers[row])
        }
    }
}

/// Builds the model of `config`.
public func makeModel(_ config: ModelConfig, capacity: Int, dropout: DropoutMode, tags: CoordinateTags, seed: UInt64) -> AnswerModel {
    switch config.kind {
    case .relationNetwork:
        RelationNetwork(config: config, capacity: capacity, dropout: dropout, tags: tags, seed: seed)
    case .cnnMLP:
        CNNMLP(config: config, capacity: capacity, dropout: dropout, seed: seed)
    }
}
