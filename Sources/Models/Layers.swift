import Engine

/// A fully connected layer `y = x Wᵀ + b`, optionally followed by ReLU, on the parameter set's
/// tensors `<name>.weight` (N, K) and `<name>.bias` (N). M rows at a time.
struct LinearLayer {
    let name: String
    let inputs: Int
    let outputs: Int
    let relu: Bool

    func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, rows: Int, parameters: ParameterSet, pool: ThreadPool) {
        GEMM.forward(x: x, w: parameters.value("\(name).weight"), bias: parameters.value("\(name).bias"), y: y,
                     m: rows, n: outputs, k: inputs, relu: relu, pool: pool)
        pool.phaseEnded?("\(name) forward")
    }

    /// From dY (the gradient of y) writes the weight and bias gradients and, when `dX` is
    /// given, the input's gradient. `y` is the forward's output (it gives the ReLU mask).
    ///
    /// Where the ReLU masks are applied, which changes no value: with `gradientIsMasked`, dY
    /// already has this layer's mask applied (the layer above's dX or the pair-sum backward
    /// applied it as they wrote dY), so the products read it without one. With
    /// `inputIsReLUOutput`, x is the ReLU output of the layer below, and dX is written with that
    /// mask applied, ready for the layer below as a masked gradient.
    func backward(dY: UnsafePointer<Float>, x: UnsafePointer<Float>, y: UnsafePointer<Float>,
                  dX: UnsafeMutablePointer<Float>?, rows: Int, parameters: ParameterSet, pool: ThreadPool,
                  gradientIsMasked: Bool = false, inputIsReLUOutput: Bool = false) {
        let mask = relu && !gradientIsMasked ? y : nil
        GEMM.backwardWeight(dY: dY, x: x, dW: parameters.gradient("\(name).weight"), dBias: parameters.gradient("\(name).bias"),
                            m: rows, n: outputs, k: inputs, reluOutput: mask, pool: pool)
        pool.phaseEnded?("\(name) dW")
        if let dX {
            GEMM.backwardInput(dY: dY, w: parameters.value("\(name).weight"), dX: dX, m: rows, n: outputs, k: inputs,
                               reluOutput: mask, inputMask: inputIsReLUOutput ? x : nil, pool: pool)
            pool.phaseEnded?("\(name) dX")
        }
    }
}

/// The answer head both models share: `f2` (H -> H, ReLU), dropout p = 0.5, `f3` (H -> A),
/// log-softmax, mean negative log-likelihood. Input (B, H); output log-probabilities (B, A).
final class OutputHead {
    let hidden: Int
    let f2: LinearLayer
    let f3: LinearLayer
    let dropout: DropoutMode
    let seed: UInt64
    let f2Output: Slab
    let dropped: Slab
    let mask: Slab
    let logits: Slab
    let logProbabilities: Slab
    let dLogits: Slab
    let dDropped: Slab
    var dropoutApplied = false

    /// The dropout layer's index in the (seed, step, layer) key of its masks.
    static let dropoutLayer: UInt32 = 0
    /// Evaluation masks (train+test) use steps from here on, so they never repeat a training mask.
    static let evaluationStepBase = 1 << 31

    init(hidden: Int, capacity: Int, dropout: DropoutMode, seed: UInt64) {
        self.hidden = hidden
        f2 = LinearLayer(name: "f2", inputs: hidden, outputs: hidden, relu: true)
        f3 = LinearLayer(name: "f3", inputs: hidden, outputs: ModelConfig.answerCount, relu: false)
        self.dropout = dropout
        self.seed = seed
        f2Output = Slab(count: capacity * hidden)
        dropped = Slab(count: capacity * hidden)
        mask = Slab(count: capacity * hidden)
        logits = Slab(count: capacity * ModelConfig.answerCount)
        logProbabilities = Slab(count: capacity * ModelConfig.answerCount)
        dLogits = Slab(count: capacity * ModelConfig.answerCount)
        dDropped = Slab(count: capacity * hidden)
    }

    /// f2's output after its ReLU, (B, H).
    func reluOutput(batch: Int) -> LayerOutput {
        LayerOutput(name: "f2", values: UnsafePointer(f2Output.base), shape: [batch, hidden])
    }

    /// Returns the mean loss over the batch.
    func forward(x: UnsafePointer<Float>, answers: UnsafePointer<Int32>, batch: Int, phase: Phase,
                 parameters: ParameterSet, pool: ThreadPool) -> Float {
        f2.forward(x: x, y: f2Output.base, rows: batch, parameters: parameters, pool: pool)
        let count = batch * hidden
        switch (phase, dropout) {
        case (.training(let step), .train), (.training(let step), .trainAndTest):
            dropoutApplied = true
            Dropout.forward(x: f2Output.base, y: dropped.base, mask: mask.base, count: count,
                            probability: DropoutMode.probability, seed: seed, step: UInt32(truncatingIfNeeded: step),
                            layer: Self.dropoutLayer)
        case (.evaluation(let pass), .trainAndTest):
            dropoutApplied = true
            Dropout.forward(x: f2Output.base, y: dropped.base, mask: mask.base, count: count,
                            probability: DropoutMode.probability, seed: seed,
                            step: UInt32(truncatingIfNeeded: Self.evaluationStepBase + pass), layer: Self.dropoutLayer)
        default:
            dropoutApplied = false
            dropped.base.update(from: f2Output.base, count: count)
        }
        f3.forward(x: dropped.base, y: logits.base, rows: batch, parameters: parameters, pool: pool)
        let loss = LogSoftmaxLoss.forward(logits: logits.base, targets: answers, logProbabilities: logProbabilities.base,
                                          batch: batch, classes: ModelConfig.answerCount)
        pool.phaseEnded?("loss")
        return loss
    }

    /// Writes the gradients of f2 and f3 and the input's gradient dX (B, H).
    func backward(x: UnsafePointer<Float>, answers: UnsafePointer<Int32>, dX: UnsafeMutablePointer<Float>, batch: Int,
                  parameters: ParameterSet, pool: ThreadPool) {
        LogSoftmaxLoss.backward(logProbabilities: logProbabilities.base, targets: answers, dLogits: dLogits.base,
                                batch: batch, classes: ModelConfig.answerCount)
        pool.phaseEnded?("loss")
        f3.backward(dY: dLogits.base, x: dropped.base, y: logits.base, dX: dDropped.base, rows: batch,
                    parameters: parameters, pool: pool)
        if dropoutApplied {
            Dropout.backward(dY: dDropped.base, mask: mask.base, dX: dDropped.base, count: batch * hidden)
        }
        f2.backward(dY: dDropped.base, x: x, y: f2Output.base, dX: dX, rows: batch, parameters: parameters, pool: pool)
    }
}
