/// How dropout before f's last layer behaves. The 2017 reference called dropout in a way whose
/// meaning changed between PyTorch versions (docs/spec.md section 3).
public enum DropoutMode: String, CaseIterable, Sendable, Codable {
    /// Standard: p = 0.5 in training, off in evaluation.
    case train
    /// Off everywhere (the 2017 reference's actual behaviour).
    case none
    /// On in training and at test time (the reference under PyTorch 2018 and later).
    case trainAndTest = "train+test"

    public static let probability: Float = 0.5
}

/// The RN's fixed coordinate tags for cell (a, b) of the 5 x 5 map, object k = 5a + b.
public enum CoordinateTags: String, CaseIterable, Sendable, Codable {
    /// docs/spec.md section 3: ((a - 2) / 2, (b - 2) / 2), values in {-1, -0.5, 0, 0.5, 1}.
    case grid
    /// The reference's formula under Python 3's true division: ((k / 5 - 2) / 2, (b - 2) / 2),
    /// so the first tag varies within a row.
    case py3

    public func tags(object k: Int) -> (Float, Float) {
        let a = k / 5, b = k % 5
        switch self {
        case .grid: return ((Float(a) - 2) / 2, (Float(b) - 2) / 2)
        case .py3: return ((Float(k) / 5 - 2) / 2, (Float(b) - 2) / 2)
        }
    }
}

/// One batch of inputs, in the network's layout. B is the batch size.
public struct InputBatch {
    /// (B, 3, 75, 75), pixel value / 255, channel first, rows are y.
    public let images: UnsafePointer<Float>
    /// (B, 11): `Question.vector`.
    public let questions: UnsafePointer<Float>
    /// (B): answer classes 0...9.
    public let answers: UnsafePointer<Int32>
    public let size: Int

    public init(images: UnsafePointer<Float>, questions: UnsafePointer<Float>, answers: UnsafePointer<Int32>, size: Int) {
        self.images = images
        self.questions = questions
        self.answers = answers
        self.size = size
    }
}

/// Whether a forward pass trains (batch statistics, running statistics updated, dropout per
/// mode) or evaluates (running statistics; dropout only in `train+test`).
public enum Phase: Sendable {
    /// `step` names the dropout mask: (seed, step) gives the same mask on every run.
    case training(step: Int)
    /// `pass` names the dropout mask of `train+test` evaluations.
    case evaluation(pass: Int)
}
