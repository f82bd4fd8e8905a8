/// The two models of docs/spec.md section 3 as lists of parameter tensors, in PyTorch's names and
/// layouts. The engine's parameter slab, the checkpoint and `export-step` all follow this order.
///
/// Dimension letters: C channels (24), H hidden width of g and f (256 in the paper),
/// Q question length (11), A answers (10).
public enum ModelKind: String, CaseIterable, Sendable, Codable {
    /// DeepMind's Relation Network: conv stem, g over all 625 object pairs, sum, f.
    case relationNetwork = "rn"
    /// The baseline: conv stem, flatten, concatenate the question, MLP.
    case cnnMLP = "cnn-mlp"
}

/// A named parameter tensor and its shape.
public struct TensorSpec: Equatable, Sendable {
    public let name: String
    public let shape: [Int]
    public var count: Int { shape.reduce(1, *) }
}

public struct ModelConfig: Equatable, Sendable {
    public var kind: ModelKind
    /// Width of g and f (RN) or of the MLP (CNN+MLP): 256 in the paper.
    public var hidden: Int

    public static let stemChannels = 24
    public static let stemLayers = 4
    public static let imageChannels = 3
    /// The conv stem's output is a 5 x 5 map: 25 objects.
    public static let objectGridSide = 5
    public static let objectCount = objectGridSide * objectGridSide
    /// Each RN object carries two coordinate tags.
    public static let coordinateTags = 2
    public static let questionLength = 11
    public static let answerCount = 10

    public init(kind: ModelKind, hidden: Int = 256) {
        precondition(hidden >= 1)
        self.kind = kind
        self.hidden = hidden
    }

    /// Every trainable tensor, in order. BatchNorm running statistics are buffers, not
    /// parameters, and are not listed.
    public var parameterTensors: [TensorSpec] {
        let channels = Self.stemChannels
        var tensors: [TensorSpec] = []
        for layer in 1...Self.stemLayers {
            let inputs = layer == 1 ? Self.imageChannels : channels
            tensors.append(TensorSpec(name: "conv\(layer).weight", shape: [channels, inputs, 3, 3]))
            tensors.append(TensorSpec(name: "conv\(layer).bias", shape: [channels]))
            tensors.append(TensorSpec(name: "bn\(layer).weight", shape: [channels]))
            tensors.append(TensorSpec(name: "bn\(layer).bias", shape: [channels]))
        }
        func linear(_ name: String, _ inputs: Int, _ outputs: Int) {
            tensors.append(TensorSpec(name: "\(name).weight", shape: [outputs, inputs]))
            tensors.append(TensorSpec(name: "\(name).bias", shape: [outputs]))
        }
        switch kind {
        case .relationNetwork:
            let object = channels + Self.coordinateTags
            linear("g1", 2 * object + Self.questionLength, hidden)
            linear("g2", hidden, hidden)
            linear("g3", hidden, hidden)
            linear("g4", hidden, hidden)
            linear("f1", hidden, hidden)
        case .cnnMLP:
            linear("fc1", channels * Self.objectCount + Self.questionLength, hidden)
        }
        linear("f2", hidden, hidden)
        linear("f3", hidden, Self.answerCount)
        return tensors
    }

    public var parameterCount: Int { parameterTensors.reduce(0) { $0 + $1.count } }
}

extension ModelConfig {
    /// Multiply-accumulates of one forward pass for one question, as this engine computes it
    /// (RN with g's first layer factored). Training costs about three times this: the forward,
    /// and the two products of each layer's backward.
    public var forwardMultiplyAccumulates: Int {
        var sides = [75]
        for _ in 0..<Self.stemLayers { sides.append((sides.last! + 1) / 2) }
        var total = 0
        for layer in 0..<Self.stemLayers {
            let inputs = layer == 0 ? Self.imageChannels : Self.stemChannels
            total += Self.stemChannels * sides[layer + 1] * sides[layer + 1] * inputs * 9
        }
        let objects = Self.objectCount
        switch kind {
        case .relationNetwork:
            let object = Self.stemChannels + Self.coordinateTags
            total += 2 * objects * object * hidden + Self.questionLength * hidden  // g1, factored
            total += 3 * objects * objects * hidden * hidden  // g2...g4 over 625 pairs
            total += hidden * hidden  // f1
        case .cnnMLP:
            total += (Self.stemChannels * objects + Self.questionLength) * hidden  // fc1
        }
        total += hidden * hidden + hidden * Self.answerCount  // f2, f3
        return total
    }
}
