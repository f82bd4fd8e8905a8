import Engine

/// The baseline without relational reasoning: the conv stem's (B, 24, 5, 5) map flattened
/// channel-major to 600 features, the question appended (611), then `fc1` (611 -> H, ReLU)
/// and the shared answer head.
final class CNNMLP: AnswerModel {
    let config: ModelConfig
    let parameters: ParameterSet
    let capacity: Int
    let stem: ConvStem
    let head: OutputHead
    let fc1: LinearLayer

    static let mapFeatures = ModelConfig.stemChannels * ModelConfig.objectCount
    static let inputs = mapFeatures + ModelConfig.questionLength

    let flattened: Slab
    let fc1Output: Slab
    let dFC1: Slab
    let dFlattened: Slab
    let dFeatureMap: Slab
    var batch = 0

    init(config: ModelConfig, capacity: Int, dropout: DropoutMode, seed: UInt64) {
        precondition(config.kind == .cnnMLP)
        self.config = config
        self.capacity = capacity
        parameters = ParameterSet(config: config)
        stem = ConvStem(capacity: capacity, parameters: parameters)
        head = OutputHead(hidden: config.hidden, capacity: capacity, dropout: dropout, seed: seed)
        fc1 = LinearLayer(name: "fc1", inputs: Self.inputs, outputs: config.hidden, relu: true)
        flattened = Slab(count: capacity * Self.inputs)
        fc1Output = Slab(count: capacity * config.hidden)
        dFC1 = Slab(count: capacity * config.hidden)
        dFlattened = Slab(count: capacity * Self.inputs)
        dFeatureMap = Slab(count: capacity * Self.mapFeatures)
    }

    var logProbabilities: UnsafePointer<Float> { UnsafePointer(head.logProbabilities.base) }

    var runningStatistics: [Float] {
        get { stem.runningStatistics }
        set { stem.runningStatistics = newValue }
    }

    var reluOutputs: [LayerOutput] {
        stem.reluOutputs
            + [LayerOutput(name: "fc1", values: UnsafePointer(fc1Output.base), shape: [batch, config.hidden]),
               head.reluOutput(batch: batch)]
    }

    func forward(_ input: InputBatch, phase: Phase, pool: ThreadPool) -> Float {
        precondition(input.size <= capacity)
        batch = input.size
        let training = if case .training = phase { true } else { false }
        stem.forward(images: input.images, batch: batch, training: training, pool: pool)
        pool.phaseEnded?("conv stem forward")
        for b in 0..<batch {
            let row = flattened.base + b * Self.inputs
            row.update(from: stem.output + b * Self.mapFeatures, count: Self.mapFeatures)
            (row + Self.mapFeatures).update(from: input.questions + b * ModelConfig.questionLength,
                                            count: ModelConfig.questionLength)
        }
        fc1.forward(x: flattened.base, y: fc1Output.base, rows: batch, parameters: parameters, pool: pool)
        return head.forward(x: fc1Output.base, answers: input.answers, batch: batch, phase: phase,
                            parameters: parameters, pool: pool)
    }

    func backward(_ input: InputBatch, pool: ThreadPool) {
        head.backward(x: fc1Output.base, answers: input.answers, dX: dFC1.base, batch: batch, parameters: parameters, pool: pool)
        fc1.backward(dY: dFC1.base, x: flattened.base, y: fc1Output.base, dX: dFlattened.base, rows: batch,
                     parameters: parameters, pool: pool)
        for b in 0..<batch {
            (dFeatureMap.base + b * Self.mapFeatures).update(from: dFlattened.base + b * Self.inputs, count: Self.mapFeatures)
        }
        stem.backward(dOutput: dFeatureMap.base, images: input.images, pool: pool)
        pool.phaseEnded?("conv stem backward")
    }
}
