import Engine

/// Four Conv2d(3x3, stride 2, padding 1, 24 channels) layers, each followed by ReLU and then
/// BatchNorm2d (BN after ReLU, as the reference): (B, 3, 75, 75) -> (B, 24, 5, 5).
/// Sides: 75 -> 38 -> 19 -> 10 -> 5.
final class ConvStem {
    static let sides = [75, 38, 19, 10, 5]
    let capacity: Int
    let parameters: ParameterSet
    let convShapes: [ConvolutionShape]
    let channels = ModelConfig.stemChannels

    // Per layer l: conv+ReLU output, BN output, BN's saved statistics, running statistics.
    let convOutputs: [Slab]
    let normOutputs: [Slab]
    let savedMeans: [Slab]
    let savedInverseStds: [Slab]
    /// runningMean[l] and runningVariance[l]: buffers, not parameters; part of a checkpoint.
    let runningMeans: [Slab]
    let runningVariances: [Slab]
    /// Gradient scratch: one per layer side.
    let dConv: [Slab]
    let dNorm: [Slab]
    var batch = 0

    init(capacity: Int, parameters: ParameterSet) {
        self.capacity = capacity
        self.parameters = parameters
        let layers = ModelConfig.stemLayers
        convShapes = (0..<layers).map { l in
            ConvolutionShape(batch: capacity, inChannels: l == 0 ? ModelConfig.imageChannels : ModelConfig.stemChannels,
                             outChannels: ModelConfig.stemChannels, inHeight: Self.sides[l], inWidth: Self.sides[l])
        }
        let sizes = (1...layers).map { capacity * ModelConfig.stemChannels * Self.sides[$0] * Self.sides[$0] }
        convOutputs = sizes.map { Slab(count: $0) }
        normOutputs = sizes.map { Slab(count: $0) }
        dConv = sizes.map { Slab(count: $0) }
        dNorm = sizes.map { Slab(count: $0) }
        savedMeans = (0..<layers).map { _ in Slab(count: ModelConfig.stemChannels) }
        savedInverseStds = (0..<layers).map { _ in Slab(count: ModelConfig.stemChannels) }
        runningMeans = (0..<layers).map { _ in Slab(count: ModelConfig.stemChannels) }
        runningVariances = (0..<layers).map { _ in
            let slab = Slab(count: ModelConfig.stemChannels)
            slab.base.update(repeating: 1, count: ModelConfig.stemChannels)
            return slab
        }
    }

    func shape(_ layer: Int, batch: Int) -> ConvolutionShape {
        let full = convShapes[layer]
        return ConvolutionShape(batch: batch, inChannels: full.inChannels, outChannels: full.outChannels,
                                inHeight: full.inHeight, inWidth: full.inWidth)
    }

    /// The feature map (B, 24, 5, 5) of the last forward.
    var output: UnsafeMutablePointer<Float> { normOutputs[ModelConfig.stemLayers - 1].base }

    func forward(images: UnsafePointer<Float>, batch: Int, training: Bool, pool: ThreadPool) {
        precondition(batch <= capacity)
        self.batch = batch
        var input = images
        for l in 0..<ModelConfig.stemLayers {
            let spatial = Self.sides[l + 1] * Self.sides[l + 1]
            Convolution.forward(
                x: input, weight: parameters.value("conv\(l + 1).weight"), bias: parameters.value("conv\(l + 1).bias"),
                y: convOutputs[l].base, shape: shape(l, batch: batch), relu: true, pool: pool)
            if training {
                BatchNorm.forwardTraining(
                    x: convOutputs[l].base, y: normOutputs[l].base,
                    gamma: parameters.value("bn\(l + 1).weight"), beta: parameters.value("bn\(l + 1).bias"),
                    savedMean: savedMeans[l].base, savedInverseStd: savedInverseStds[l].base,
                    runningMean: runningMeans[l].base, runningVariance: runningVariances[l].base,
                    batch: batch, channels: channels, spatial: spatial, pool: pool)
            } else {
                BatchNorm.forwardInference(
                    x: convOutputs[l].base, y: normOutputs[l].base,
                    gamma: parameters.value("bn\(l + 1).weight"), beta: parameters.value("bn\(l + 1).bias"),
                    runningMean: runningMeans[l].base, runningVariance: runningVariances[l].base,
                    batch: batch, channels: channels, spatial: spatial, pool: pool)
            }
            input = UnsafePointer(normOutputs[l].base)
        }
    }

    /// Backward from dOutput (B, 24, 5, 5), the gradient of `output`; writes every stem
    /// parameter's gradient.
    func backward(dOutput: UnsafePointer<Float>, images: UnsafePointer<Float>, pool: ThreadPool) {
        var dY = dOutput
        for l in stride(from: ModelConfig.stemLayers - 1, through: 0, by: -1) {
            let spatial = Self.sides[l + 1] * Self.sides[l + 1]
            BatchNorm.backward(
                dY: dY, x: convOutputs[l].base, gamma: parameters.value("bn\(l + 1).weight"),
                savedMean: savedMeans[l].base, savedInverseStd: savedInverseStds[l].base,
                dX: dConv[l].base, dGamma: parameters.gradient("bn\(l + 1).weight"),
                dBeta: parameters.gradient("bn\(l + 1).bias"),
                batch: batch, channels: channels, spatial: spatial, pool: pool)
            let input = l == 0 ? images : UnsafePointer(normOutputs[l - 1].base)
            Convolution.backward(
                dY: dConv[l].base, x: input, weight: parameters.value("conv\(l + 1).weight"),
                reluOutput: convOutputs[l].base, dX: l == 0 ? nil : dNorm[l - 1].base,
                dWeight: parameters.gradient("conv\(l + 1).weight"), dBias: parameters.gradient("conv\(l + 1).bias"),
                shape: shape(l, batch: batch), pool: pool)
            if l > 0 { dY = UnsafePointer(dNorm[l - 1].base) }
        }
    }

    /// conv1...conv4 after their ReLU, (B, 24, side, side).
    var reluOutputs: [LayerOutput] {
        (0..<ModelConfig.stemLayers).map { l in
            LayerOutput(name: "conv\(l + 1)", values: UnsafePointer(convOutputs[l].base),
                        shape: [batch, channels, Self.sides[l + 1], Self.sides[l + 1]])
        }
    }

    /// Running mean then running variance of each layer, flattened: 2 x 4 x 24 floats.
    var runningStatistics: [Float] {
        get {
            (0..<ModelConfig.stemLayers).flatMap { l in
                Array(UnsafeBufferPointer(start: runningMeans[l].base, count: channels))
                    + Array(UnsafeBufferPointer(start: runningVariances[l].base, count: channels))
            }
        }
        set {
            precondition(newValue.count == 2 * ModelConfig.stemLayers * channels)
            for l in 0..<ModelConfig.stemLayers {
                for c in 0..<channels {
                    runningMeans[l].base[c] = newValue[2 * l * channels + c]
                    runningVariances[l].base[c] = newValue[(2 * l + 1) * channels + c]
                }
            }
        }
    }
}
