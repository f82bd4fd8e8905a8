/// Log-softmax over the A answer logits with the mean negative log-likelihood loss, as
/// PyTorch's `F.log_softmax` followed by `F.nll_loss` (reduction "mean").
/// logits, logProbabilities, dLogits: [B, A]; targets: [B], each in 0 ..< A.
public enum LogSoftmaxLoss {
    /// Writes `logProbabilities[b, a] = x[b, a] - max_b - log Σ_a' exp(x[b, a'] - max_b)` and
    /// returns `-(1/B) Σ_b logProbabilities[b, targets[b]]`. exp and log are `FloatMath`'s.
    public static func forward(
        logits: UnsafePointer<Float>, targets: UnsafePointer<Int32>, logProbabilities: UnsafeMutablePointer<Float>,
        batch: Int, classes: Int
    ) -> Float {
        var total = 0.0
        for b in 0..<batch {
            let row = logits + b * classes
            let out = logProbabilities + b * classes
            var maximum = -Float.infinity
            for a in 0..<classes { maximum = max(maximum, row[a]) }
            var sum: Float = 0
            for a in 0..<classes { sum += FloatMath.exp(row[a] - maximum) }
            let logSum = FloatMath.log(sum)
            for a in 0..<classes { out[a] = row[a] - maximum - logSum }
            let target = Int(targets[b])
            precondition(target >= 0 && target < classes, "target \(target) outside 0..<\(classes)")
            total += Double(out[target])
        }
        return Float(-total / Double(batch))
    }

    /// `dLogits[b, a] = (exp(logProbabilities[b, a]) - [a == targets[b]]) / B`: the gradient of
    /// the mean loss, written over dLogits.
    public static func backward(
        logProbabilities: UnsafePointer<Float>, targets: UnsafePointer<Int32>, dLogits: UnsafeMutablePointer<Float>,
        batch: Int, classes: Int
    ) {
        let scale = 1 / Float(batch)
        for b in 0..<batch {
            for a in 0..<classes {
                let p = FloatMath.exp(logProbabilities[b * classes + a])
                dLogits[b * classes + a] = (p - (a == Int(targets[b]) ? 1 : 0)) * scale
            }
        }
    }

    /// The index of the largest logit per row (the lowest index on ties): the predicted answer.
    public static func argmax(_ values: UnsafePointer<Float>, row: Int, classes: Int) -> Int {
        var best = 0
        for a in 1..<max(classes, 1) where values[row * classes + a] > values[row * classes + best] { best = a }
        return best
    }

    // MARK: - Scalar references

    /// Log-probabilities and the mean loss in Double with Foundation-free plain formulas
    /// (the caller passes exp and log, e.g. Foundation's).
    public static func forwardReference(
        logits: [Double], targets: [Int], batch: Int, classes: Int,
        exp: (Double) -> Double, log: (Double) -> Double
    ) -> (logProbabilities: [Double], loss: Double) {
        var out = logits
        var loss = 0.0
        for b in 0..<batch {
            let row = Array(logits[(b * classes)..<((b + 1) * classes)])
            let maximum = row.max()!
            let logSum = log(row.map { exp($0 - maximum) }.reduce(0, +))
            for a in 0..<classes { out[b * classes + a] = row[a] - maximum - logSum }
            loss -= out[b * classes + targets[b]]
        }
        return (out, loss / Double(batch))
    }

    /// Reference gradient of the mean loss with respect to the logits.
    public static func backwardReference(
        logProbabilities: [Double], targets: [Int], batch: Int, classes: Int, exp: (Double) -> Double
    ) -> [Double] {
        var d = logProbabilities
        for b in 0..<batch {
            for a in 0..<classes {
                d[b * classes + a] = (exp(logProbabilities[b * classes + a]) - (a == targets[b] ? 1 : 0)) / Double(batch)
            }
        }
        return d
    }
}
