/// Inverted dropout: in training each element is zeroed with probability p and the survivors
/// are scaled by 1/(1 - p), as PyTorch's `F.dropout`. The keep mask is a pure function of
/// (seed, step, layer): element e uses the e-th word of
/// `RandomStream(seed: seed, domain: .dropout, step, layer)` and is dropped when that word's
/// unit float is below p. So a resumed run and any thread count see the same mask.
public enum Dropout {
    /// `y = x ⊙ mask`, writing `mask[e]` as 0 or 1/(1 - p) for the backward. x, y, mask: [count].
    /// y may alias x.
    public static func forward(
        x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, mask: UnsafeMutablePointer<Float>,
        count: Int, probability: Float, seed: UInt64, step: UInt32, layer: UInt32
    ) {
        precondition(probability >= 0 && probability < 1, "dropout probability must be in [0, 1)")
        makeMask(mask, count: count, probability: probability, seed: seed, step: step, layer: layer)
        for e in 0..<count { y[e] = x[e] * mask[e] }
    }

    /// Writes the keep mask (0 or 1/(1 - p)) of (seed, step, layer).
    public static func makeMask(
        _ mask: UnsafeMutablePointer<Float>, count: Int, probability: Float, seed: UInt64, step: UInt32, layer: UInt32
    ) {
        let keepScale = 1 / (1 - probability)
        var random = RandomStream(seed: seed, domain: .dropout, step, layer)
        for e in 0..<count {
            mask[e] = random.nextUnitFloat() < probability ? 0 : keepScale
        }
    }

    /// `dX = dY ⊙ mask`. dX may alias dY.
    public static func backward(dY: UnsafePointer<Float>, mask: UnsafePointer<Float>, dX: UnsafeMutablePointer<Float>, count: Int) {
        for e in 0..<count { dX[e] = dY[e] * mask[e] }
    }

    // MARK: - Scalar references

    /// The mask drawn one element at a time, with the keep test written as PyTorch's
    /// Bernoulli(1 - p): keep when u ≥ p.
    public static func maskReference(count: Int, probability: Float, seed: UInt64, step: UInt32, layer: UInt32) -> [Double] {
        var random = RandomStream(seed: seed, domain: .dropout, step, layer)
        return (0..<count).map { _ in
            random.nextUnitFloat() >= probability ? Double(1 / (1 - probability)) : 0
        }
    }
}
