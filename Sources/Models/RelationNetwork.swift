import Engine

/// DeepMind's Relation Network on the conv stem (docs/spec.md section 3).
///
/// Objects: the 25 cells of the (B, C, 5, 5) feature map, object k = 5a + b is cell (row a,
/// column b), with its 24 channels and 2 coordinate tags (26 features). g runs on [o_i, o_j, q]
/// for all P = 625 ordered pairs (self-pairs included), its outputs are summed over pairs, and
/// f answers from the sum.
///
/// g's first layer is factored, exactly: with W1 = [Wi | Wj | Wq] (H x 26 | 26 | 11),
/// `g1(o_i, o_j, q) = relu(o_i Wiᵀ + o_j Wjᵀ + (q Wqᵀ + b1))`, so the per-object products are
/// taken once per object (B·25 rows) instead of once per pair (B·625 rows).
final class RelationNetwork: AnswerModel {
    let config: ModelConfig
    let parameters: ParameterSet
    let capacity: Int
    let stem: ConvStem
    let head: OutputHead
    let tags: CoordinateTags
    let g: [LinearLayer]
    let f1: LinearLayer

    static let objects = ModelConfig.objectCount
    static let pairs = objects * objects
    static let objectFeatures = ModelConfig.stemChannels + ModelConfig.coordinateTags
    static let g1Inputs = 2 * objectFeatures + ModelConfig.questionLength

    // Activations. O: (B, 25, 26); A, Bj: (B, 25, H); C: (B, H); h[l]: (B, P, H); sum, f1: (B, H).
    let objectFeatures: Slab
    let objectI: Slab
    let objectJ: Slab
    let questionTerm: Slab
    let pairActivations: [Slab]
    let pairSum: Slab
    let f1Output: Slab
    // Gradients.
    let dPairsA: Slab
    let dPairsB: Slab
    let dF1: Slab
    let dSum: Slab
    let dObjectI: Slab
    let dObjectJ: Slab
    let dQuestionTerm: Slab
    let dObjects: Slab
    let dFeatureMap: Slab
    var batch = 0

    init(config: ModelConfig, capacity: Int, dropout: DropoutMode, tags: CoordinateTags, seed: UInt64) {
        precondition(config.kind == .relationNetwork)
        self.config = config
        self.capacity = capacity
        self.tags = tags
        parameters = ParameterSet(config: config)
        stem = ConvStem(capacity: capacity, parameters: parameters)
        let hidden = config.hidden
        head = OutputHead(hidden: hidden, capacity: capacity, dropout: dropout, seed: seed)
        g = (2...4).map { LinearLayer(name: "g\($0)", inputs: hidden, outputs: hidden, relu: true) }
        f1 = LinearLayer(name: "f1", inputs: hidden, outputs: hidden, relu: true)

        let objects = Self.objects
        objectFeatures = Slab(count: capacity * objects * Self.objectFeatures)
        objectI = Slab(count: capacity * objects * hidden)
        objectJ = Slab(count: capacity * objects * hidden)
        questionTerm = Slab(count: capacity * hidden)
        pairActivations = (0..<4).map { _ in Slab(count: capacity * Self.pairs * hidden) }
        pairSum = Slab(count: capacity * hidden)
        f1Output = Slab(count: capacity * hidden)
        dPairsA = Slab(count: capacity * Self.pairs * hidden)
        dPairsB = Slab(count: capacity * Self.pairs * hidden)
        dF1 = Slab(count: capacity * hidden)
        dSum = Slab(count: capacity * hidden)
        dObjectI = Slab(count: capacity * objects * hidden)
        dObjectJ = Slab(count: capacity * objects * hidden)
        dQuestionTerm = Slab(count: capacity * hidden)
        dObjects = Slab(count: capacity * objects * Self.objectFeatures)
        dFeatureMap = Slab(count: capacity * ModelConfig.stemChannels * objects)
    }

    var logProbabilities: UnsafePointer<Float> { UnsafePointer(head.logProbabilities.base) }

    var runningStatistics: [Float] {
        get { stem.runningStatistics }
        set { stem.runningStatistics = newValue }
    }

    var reluOutputs: [LayerOutput] {
        let hidden = config.hidden
        return stem.reluOutputs
            + pairActivations.enumerated().map { l, slab in
                LayerOutput(name: "g\(l + 1)", values: UnsafePointer(slab.base), shape: [batch * Self.pairs, hidden])
            }
            + [LayerOutput(name: "f1", values: UnsafePointer(f1Output.base), shape: [batch, hidden]),
               head.reluOutput(batch: batch)]
    }

    func forward(_ input: InputBatch, phase: Phase, pool: ThreadPool) -> Float {
        precondition(input.size <= capacity)
        batch = input.size
        let hidden = config.hidden
        let training = if case .training = phase { true } else { false }
        stem.forward(images: input.images, batch: batch, training: training, pool: pool)
        pool.phaseEnded?("conv stem forward")
        writeObjects(from: stem.output)

        let w1 = parameters.value("g1.weight")
        let rows = batch * Self.objects
        let features = Self.objectFeatures
        GEMM.forward(x: objectFeatures.base, w: w1, bias: nil, y: objectI.base, m: rows, n: hidden, k: features,
                     ldw: Self.g1Inputs, pool: pool)
        GEMM.forward(x: objectFeatures.base, w: w1 + features, bias: nil, y: objectJ.base, m: rows, n: hidden, k: features,
                     ldw: Self.g1Inputs, pool: pool)
        GEMM.forward(x: input.questions, w: w1 + 2 * features, bias: parameters.value("g1.bias"), y: questionTerm.base,
                     m: batch, n: hidden, k: ModelConfig.questionLength, ldw: Self.g1Inputs, pool: pool)
        PairKernels.broadcastAddReLU(a: objectI.base, b: objectJ.base, c: questionTerm.base, out: pairActivations[0].base,
                                     batch: batch, objects: Self.objects, hidden: hidden, pool: pool)
        pool.phaseEnded?("g1 forward")
        for (l, layer) in g.enumerated() {
            layer.forward(x: pairActivations[l].base, y: pairActivations[l + 1].base, rows: batch * Self.pairs,
                          parameters: parameters, pool: pool)
        }
        PairKernels.sumOverPairs(x: pairActivations[3].base, sum: pairSum.base, batch: batch, pairs: Self.pairs,
                                 hidden: hidden, pool: pool)
        pool.phaseEnded?("pair sum forward")
        f1.forward(x: pairSum.base, y: f1Output.base, rows: batch, parameters: parameters, pool: pool)
        return head.forward(x: f1Output.base, answers: input.answers, batch: batch, phase: phase,
                            parameters: parameters, pool: pool)
    }

    func backward(_ input: InputBatch, pool: ThreadPool) {
        let hidden = config.hidden
        head.backward(x: f1Output.base, answers: input.answers, dX: dF1.base, batch: batch, parameters: parameters, pool: pool)
        f1.backward(dY: dF1.base, x: pairSum.base, y: f1Output.base, dX: dSum.base, rows: batch,
                    parameters: parameters, pool: pool)
        // The pair sum's backward applies g4's ReLU mask as it writes, and each g layer's dX
        // applies the mask of the layer below (its input is that layer's ReLU output): every g
        // layer reads a masked gradient, which its products take without a mask.
        PairKernels.sumOverPairsBackward(dSum: dSum.base, dX: dPairsA.base, reluOutput: pairActivations[g.count].base,
                                         batch: batch, pairs: Self.pairs, hidden: hidden, pool: pool)
        pool.phaseEnded?("pair sum backward")
        // g4, g3, g2, alternating two gradient buffers.
        var dOutput = dPairsA, dInput = dPairsB
        for l in stride(from: g.count - 1, through: 0, by: -1) {
            g[l].backward(dY: dOutput.base, x: pairActivations[l].base, y: pairActivations[l + 1].base, dX: dInput.base,
                          rows: batch * Self.pairs, parameters: parameters, pool: pool,
                          gradientIsMasked: true, inputIsReLUOutput: true)
            swap(&dOutput, &dInput)
        }
        // g1: dOutput now holds g1's dZ (g2's dX applied g1's ReLU mask).
        PairKernels.broadcastAddReLUBackward(dOut: dOutput.base, out: nil, dA: dObjectI.base,
                                             dB: dObjectJ.base, dC: dQuestionTerm.base, batch: batch,
                                             objects: Self.objects, hidden: hidden, pool: pool)
        let rows = batch * Self.objects
        let features = Self.objectFeatures
        let w1 = parameters.value("g1.weight"), dW1 = parameters.gradient("g1.weight")
        GEMM.backwardWeight(dY: dObjectI.base, x: objectFeatures.base, dW: dW1, dBias: nil, m: rows, n: hidden, k: features,
                            lddw: Self.g1Inputs, pool: pool)
        GEMM.backwardWeight(dY: dObjectJ.base, x: objectFeatures.base, dW: dW1 + features, dBias: nil, m: rows, n: hidden,
                            k: features, lddw: Self.g1Inputs, pool: pool)
        GEMM.backwardWeight(dY: dQuestionTerm.base, x: input.questions, dW: dW1 + 2 * features,
                            dBias: parameters.gradient("g1.bias"), m: batch, n: hidden, k: ModelConfig.questionLength,
                            lddw: Self.g1Inputs, pool: pool)
        GEMM.backwardInput(dY: dObjectI.base, w: w1, dX: dObjects.base, m: rows, n: hidden, k: features,
                           ldw: Self.g1Inputs, pool: pool)
        GEMM.backwardInput(dY: dObjectJ.base, w: w1 + features, dX: dObjects.base, m: rows, n: hidden, k: features,
                           accumulate: true, ldw: Self.g1Inputs, pool: pool)
        readObjectGradients(into: dFeatureMap.base)
        pool.phaseEnded?("g1 backward")
        stem.backward(dOutput: dFeatureMap.base, images: input.images, pool: pool)
        pool.phaseEnded?("conv stem backward")
    }

    /// O[b, k, :] = [feature map (b, 0..<24, k), tags(k)].
    private func writeObjects(from featureMap: UnsafePointer<Float>) {
        let channels = ModelConfig.stemChannels, objects = Self.objects, features = Self.objectFeatures
        for b in 0..<batch {
            for k in 0..<objects {
                let object = objectFeatures.base + (b * objects + k) * features
                for c in 0..<channels { object[c] = featureMap[(b * channels + c) * objects + k] }
                (object[channels], object[channels + 1]) = tags.tags(object: k)
            }
        }
    }

    /// The feature map's gradient from the objects' (the tags are constants).
    private func readObjectGradients(into dMap: UnsafeMutablePointer<Float>) {
        let channels = ModelConfig.stemChannels, objects = Self.objects, features = Self.objectFeatures
        for b in 0..<batch {
            for k in 0..<objects {
                let object = dObjects.base + (b * objects + k) * features
                for c in 0..<channels { dMap[(b * channels + c) * objects + k] = object[c] }
            }
        }
    }
}

