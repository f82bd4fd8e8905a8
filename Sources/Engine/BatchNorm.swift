/// BatchNorm2d with PyTorch's semantics on NCHW tensors x, y [B, C, S] (S = H·W).
///
/// Training: each channel is normalised with the batch mean and the biased batch variance
/// (divide by N = B·S), and the running statistics move by momentum 0.1 towards the batch mean
/// and the *unbiased* batch variance (divide by N - 1). Evaluation: the running statistics are
/// used instead. eps = 1e-5 inside the square root. Channels are independent, so any split of
/// channels among threads gives the same bits; within a channel the sums run in a fixed order
/// (image by image, pixel by pixel) and in Double, so 92,416 terms per channel lose nothing.
public enum BatchNorm {
    public static let epsilon: Float = 1e-5
    public static let momentum: Float = 0.1

    /// Training-mode forward. Saves the batch mean and 1/sqrt(var + eps) per channel for the
    /// backward, and updates the running statistics in place.
    public static func forwardTraining(
        x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, gamma: UnsafePointer<Float>,
        beta: UnsafePointer<Float>, savedMean: UnsafeMutablePointer<Float>,
        savedInverseStd: UnsafeMutablePointer<Float>, runningMean: UnsafeMutablePointer<Float>,
        runningVariance: UnsafeMutablePointer<Float>, batch: Int, channels: Int, spatial: Int,
        pool: ThreadPool
    ) {
        let count = batch * spatial
        precondition(count > 1, "batch statistics need more than one value per channel")
        forEachChannel(channels, pool: pool) { channel in
            var sum = 0.0
            for image in 0..<batch {
                let plane = x + (image * channels + channel) * spatial
                for s in 0..<spatial { sum += Double(plane[s]) }
            }
            let mean = sum / Double(count)
            var squares = 0.0
            for image in 0..<batch {
                let plane = x + (image * channels + channel) * spatial
                for s in 0..<spatial {
                    let d = Double(plane[s]) - mean
                    squares += d * d
                }
            }
            let variance = squares / Double(count)
            let inverseStd = Float(1 / (variance + Double(epsilon)).squareRoot())
            let meanFloat = Float(mean)
            savedMean[channel] = meanFloat
            savedInverseStd[channel] = inverseStd
            let scale = gamma[channel] * inverseStd
            let shift = beta[channel]
            for image in 0..<batch {
                let offset = (image * channels + channel) * spatial
                for s in 0..<spatial { y[offset + s] = (x[offset + s] - meanFloat) * scale + shift }
            }
            let unbiased = Float(squares / Double(count - 1))
            runningMean[channel] = (1 - momentum) * runningMean[channel] + momentum * meanFloat
            runningVariance[channel] = (1 - momentum) * runningVariance[channel] + momentum * unbiased
        }
    }

    /// Evaluation-mode forward: `y = (x - runningMean) / sqrt(runningVariance + eps) · gamma + beta`.
    public static func forwardInference(
        x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, gamma: UnsafePointer<Float>,
        beta: UnsafePointer<Float>, runningMean: UnsafePointer<Float>, runningVariance: UnsafePointer<Float>,
        batch: Int, channels: Int, spatial: Int, pool: ThreadPool
    ) {
        forEachChannel(channels, pool: pool) { channel in
            let inverseStd = Float(1 / (Double(runningVariance[channel]) + Double(epsilon)).squareRoot())
            let scale = gamma[channel] * inverseStd
            let mean = runningMean[channel], shift = beta[channel]
            for image in 0..<batch {
                let offset = (image * channels + channel) * spatial
                for s in 0..<spatial { y[offset + s] = (x[offset + s] - mean) * scale + shift }
            }
        }
    }

    /// Training-mode backward, overwriting dX, dGamma and dBeta:
    /// `dx = gamma · invstd · (dy - mean(dy) - x̂ · mean(dy · x̂))`, `dGamma = Σ dy · x̂`, `dBeta = Σ dy`.
    public static func backward(
        dY: UnsafePointer<Float>, x: UnsafePointer<Float>, gamma: UnsafePointer<Float>,
        savedMean: UnsafePointer<Float>, savedInverseStd: UnsafePointer<Float>,
        dX: UnsafeMutablePointer<Float>, dGamma: UnsafeMutablePointer<Float>, dBeta: UnsafeMutablePointer<Float>,
        batch: Int, channels: Int, spatial: Int, pool: ThreadPool
    ) {
        let count = Double(batch * spatial)
        forEachChannel(channels, pool: pool) { channel in
            let mean = savedMean[channel], inverseStd = savedInverseStd[channel]
            var sumDY = 0.0, sumDYXHat = 0.0
            for image in 0..<batch {
                let offset = (image * channels + channel) * spatial
                for s in 0..<spatial {
                    let g = Double(dY[offset + s])
                    sumDY += g
                    sumDYXHat += g * Double((x[offset + s] - mean) * inverseStd)
                }
            }
            dGamma[channel] = Float(sumDYXHat)
            dBeta[channel] = Float(sumDY)
            let meanDY = Float(sumDY / count), meanDYXHat = Float(sumDYXHat / count)
            let scale = gamma[channel] * inverseStd
            for image in 0..<batch {
                let offset = (image * channels + channel) * spatial
                for s in 0..<spatial {
                    let xHat = (x[offset + s] - mean) * inverseStd
                    dX[offset + s] = scale * (dY[offset + s] - meanDY - xHat * meanDYXHat)
                }
            }
        }
    }

    static func forEachChannel(_ channels: Int, pool: ThreadPool, _ body: (Int) -> Void) {
        let parts = min(pool.threadCount, channels)
        let bounds = ThreadPool.ranges(of: channels, parts: parts)
        pool.forEachChunk(parts) { part in
            for channel in bounds[part] { body(channel) }
        }
    }

    // MARK: - Scalar references

    /// Training-mode forward in Double; returns y and the updated running statistics.
    public static func forwardTrainingReference(
        x: [Double], gamma: [Double], beta: [Double], runningMean: [Double], runningVariance: [Double],
        batch: Int, channels: Int, spatial: Int
    ) -> (y: [Double], runningMean: [Double], runningVariance: [Double]) {
        var y = x
        var newMean = runningMean, newVariance = runningVariance
        let n = Double(batch * spatial)
        let eps = Double(epsilon), m = Double(momentum)
        for c in 0..<channels {
            var values: [Double] = []
            for b in 0..<batch { for s in 0..<spatial { values.append(x[(b * channels + c) * spatial + s]) } }
            let mean = values.reduce(0, +) / n
            let variance = values.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / n
            for b in 0..<batch {
                for s in 0..<spatial {
                    let index = (b * channels + c) * spatial + s
                    y[index] = (x[index] - mean) / (variance + eps).squareRoot() * gamma[c] + beta[c]
                }
            }
            newMean[c] = (1 - m) * runningMean[c] + m * mean
            newVariance[c] = (1 - m) * runningVariance[c] + m * variance * n / (n - 1)
        }
        return (y, newMean, newVariance)
    }

    /// Evaluation-mode forward in Double.
    public static func forwardInferenceReference(
        x: [Double], gamma: [Double], beta: [Double], runningMean: [Double], runningVariance: [Double],
        batch: Int, channels: Int, spatial: Int
    ) -> [Double] {
        var y = x
        for b in 0..<batch {
            for c in 0..<channels {
                for s in 0..<spatial {
                    let index = (b * channels + c) * spatial + s
                    y[index] = (x[index] - runningMean[c]) / (runningVariance[c] + Double(epsilon)).squareRoot()
                        * gamma[c] + beta[c]
                }
            }
        }
        return y
    }

    /// Training-mode backward in Double (statistics recomputed from x).
    public static func backwardReference(
        dY: [Double], x: [Double], gamma: [Double], batch: Int, channels: Int, spatial: Int
    ) -> (dX: [Double], dGamma: [Double], dBeta: [Double]) {
        var dX = x
        var dGamma = [Double](repeating: 0, count: channels), dBeta = dGamma
        let n = Double(batch * spatial)
        for c in 0..<channels {
            var indices: [Int] = []
            for b in 0..<batch { for s in 0..<spatial { indices.append((b * channels + c) * spatial + s) } }
            let mean = indices.map { x[$0] }.reduce(0, +) / n
            let variance = indices.map { (x[$0] - mean) * (x[$0] - mean) }.reduce(0, +) / n
            let inverseStd = 1 / (variance + Double(epsilon)).squareRoot()
            let xHat = indices.map { (x[$0] - mean) * inverseStd }
            let sumDY = indices.map { dY[$0] }.reduce(0, +)
            let sumDYXHat = zip(indices, xHat).map { dY[$0] * $1 }.reduce(0, +)
            dGamma[c] = sumDYXHat
            dBeta[c] = sumDY
            for (index, h) in zip(indices, xHat) {
                dX[index] = gamma[c] * inverseStd * (dY[index] - sumDY / n - h * sumDYXHat / n)
            }
        }
        return (dX, dGamma, dBeta)
    }
}
