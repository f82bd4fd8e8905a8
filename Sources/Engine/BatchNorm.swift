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
        forEachChannelGroup(channels, pool: pool) { group in
            let planes = ChannelPlanes(x, group: group, channels: channels, spatial: spatial)
            var sum = SIMD4<Double>()
            planes.forEachValue(batch: batch) { sum += SIMD4<Double>($0) }
            let mean = sum / Double(count)
            var squares = SIMD4<Double>()
            planes.forEachValue(batch: batch) {
                let d = SIMD4<Double>($0) - mean
                squares += d * d
            }
            for (lane, channel) in group.enumerated() {
                let variance = squares[lane] / Double(count)
                let inverseStd = Float(1 / (variance + Double(epsilon)).squareRoot())
                let meanFloat = Float(mean[lane])
                savedMean[channel] = meanFloat
                savedInverseStd[channel] = inverseStd
                let scale = gamma[channel] * inverseStd
                let shift = beta[channel]
                for image in 0..<batch {
                    let offset = (image * channels + channel) * spatial
                    normalize(x + offset, into: y + offset, count: spatial, mean: meanFloat, scale: scale, shift: shift)
                }
                let unbiased = Float(squares[lane] / Double(count - 1))
                runningMean[channel] = (1 - momentum) * runningMean[channel] + momentum * meanFloat
                runningVariance[channel] = (1 - momentum) * runningVariance[channel] + momentum * unbiased
            }
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
                normalize(x + offset, into: y + offset, count: spatial, mean: mean, scale: scale, shift: shift)
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
        forEachChannelGroup(channels, pool: pool) { group in
            let inputs = ChannelPlanes(x, group: group, channels: channels, spatial: spatial)
            let gradients = ChannelPlanes(dY, group: group, channels: channels, spatial: spatial)
            let mean = inputs.gather(savedMean), inverseStd = inputs.gather(savedInverseStd)
            var sumDY = SIMD4<Double>(), sumDYXHat = SIMD4<Double>()
            gradients.forEachValue(paired: inputs, batch: batch) { dy, x in
                let g = SIMD4<Double>(dy)
                sumDY += g
                sumDYXHat += g * SIMD4<Double>((x - mean) * inverseStd)
            }
            for (lane, channel) in group.enumerated() {
                let mean = mean[lane], inverseStd = inverseStd[lane]
                dGamma[channel] = Float(sumDYXHat[lane])
                dBeta[channel] = Float(sumDY[lane])
                let meanDY = Float(sumDY[lane] / count), meanDYXHat = Float(sumDYXHat[lane] / count)
                let scale = gamma[channel] * inverseStd
                for image in 0..<batch {
                    let offset = (image * channels + channel) * spatial
                    inputGradient(
                        x + offset, dY + offset, into: dX + offset, count: spatial, mean: mean,
                        inverseStd: inverseStd, scale: scale, meanDY: meanDY, meanDYXHat: meanDYXHat)
                }
            }
        }
    }

    /// `y = (x - mean) · scale + shift` over `count` values, eight lanes at a time (each lane's
    /// operations those of the scalar tail).
    @inline(__always)
    static func normalize(
        _ x: UnsafePointer<Float>, into y: UnsafeMutablePointer<Float>, count: Int, mean: Float, scale: Float,
        shift: Float
    ) {
        var s = 0
        while s + 8 <= count {
            storeVector((loadVector(x + s) - mean) * scale + shift, y + s)
            s += 8
        }
        while s < count {
            y[s] = (x[s] - mean) * scale + shift
            s += 1
        }
    }

    /// `dx = scale · (dy - meanDY - x̂ · meanDYXHat)`, x̂ = (x - mean) · inverseStd, over `count`
    /// values, eight lanes at a time (each lane's operations those of the scalar tail).
    @inline(__always)
    static func inputGradient(
        _ x: UnsafePointer<Float>, _ dY: UnsafePointer<Float>, into dX: UnsafeMutablePointer<Float>, count: Int,
        mean: Float, inverseStd: Float, scale: Float, meanDY: Float, meanDYXHat: Float
    ) {
        var s = 0
        while s + 8 <= count {
            let xHat = (loadVector(x + s) - mean) * inverseStd
            storeVector(scale * (loadVector(dY + s) - meanDY - xHat * meanDYXHat), dX + s)
            s += 8
        }
        while s < count {
            let xHat = (x[s] - mean) * inverseStd
            dX[s] = scale * (dY[s] - meanDY - xHat * meanDYXHat)
            s += 1
        }
    }

    /// Each channel once, the threads sharing them as `forEachChannelGroup` does.
    static func forEachChannel(_ channels: Int, pool: ThreadPool, _ body: (Int) -> Void) {
        forEachChannelGroup(channels, pool: pool) { group in
            for channel in group { body(channel) }
        }
    }

    /// Like `forEachChannel`, up to four channels at a time: each channel's sums over the batch
    /// are one chain of Double additions in a fixed order, whose latency, not the adder's
    /// throughput, bounds them; four chains advance together in the lanes of one vector, each
    /// in its own order, so the bits are those of one channel at a time.
    static func forEachChannelGroup(_ channels: Int, pool: ThreadPool, _ body: (Range<Int>) -> Void) {
        let parts = min(pool.threadCount, channels)
        let bounds = ThreadPool.ranges(of: channels, parts: parts)
        pool.forEachChunk(parts) { part in
            for first in stride(from: bounds[part].lowerBound, to: bounds[part].upperBound, by: 4) {
                body(first..<min(first + 4, bounds[part].upperBound))
            }
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

/// The planes of up to four channels of an NCHW tensor, read one value per channel at a time:
/// lane k is channel `group.lowerBound + k`; lanes past the group repeat its first channel and
/// are ignored.
private struct ChannelPlanes {
    let base: UnsafePointer<Float>
    /// Each lane's channel, and where its plane starts in an image.
    let channels: SIMD4<Int>
    let offsets: SIMD4<Int>
    /// Floats per plane, and from one image to the next.
    let spatial: Int
    let imageStride: Int

    init(_ base: UnsafePointer<Float>, group: Range<Int>, channels: Int, spatial: Int) {
        self.base = base
        var lanes = SIMD4<Int>(repeating: group.lowerBound)
        for lane in 0..<group.count { lanes[lane] = group.lowerBound + lane }
        self.channels = lanes
        offsets = lanes &* spatial
        self.spatial = spatial
        imageStride = channels * spatial
    }

    /// Calls `body` with element s of the image's plane of each lane's channel, image by image,
    /// s by s (four steps of s from four loads of four adjacent floats, transposed).
    @inline(__always)
    func forEachValue(batch: Int, _ body: (SIMD4<Float>) -> Void) {
        forEachValue(paired: self, batch: batch) { value, _ in body(value) }
    }

    /// `forEachValue` over this tensor and `other` (of the same shape and group) together.
    @inline(__always)
    func forEachValue(
        paired other: ChannelPlanes, batch: Int, _ body: (SIMD4<Float>, SIMD4<Float>) -> Void
    ) {
        for image in 0..<batch {
            var s = 0
            while s + 4 <= spatial {
                let mine = quad(image, s), others = other.quad(image, s)
                body(mine.0, others.0)
                body(mine.1, others.1)
                body(mine.2, others.2)
                body(mine.3, others.3)
                s += 4
            }
            while s < spatial {
                body(values(image, s), other.values(image, s))
                s += 1
            }
        }
    }

    /// Elements s ..< s + 4 of each lane's plane: element s + j of the four channels is `.j`.
    @inline(__always)
    private func quad(_ image: Int, _ s: Int) -> (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>) {
        let plane = base + image * imageStride + s
        @inline(__always) func load(_ lane: Int) -> SIMD4<Float> {
            UnsafeRawPointer(plane + offsets[lane]).loadUnaligned(as: SIMD4<Float>.self)
        }
        let r0 = load(0), r1 = load(1), r2 = load(2), r3 = load(3)
        return (SIMD4(r0[0], r1[0], r2[0], r3[0]), SIMD4(r0[1], r1[1], r2[1], r3[1]),
                SIMD4(r0[2], r1[2], r2[2], r3[2]), SIMD4(r0[3], r1[3], r2[3], r3[3]))
    }

    /// Element s of the image's plane of each lane's channel.
    @inline(__always)
    private func values(_ image: Int, _ s: Int) -> SIMD4<Float> {
        let plane = base + image * imageStride + s
        return SIMD4(plane[offsets[0]], plane[offsets[1]], plane[offsets[2]], plane[offsets[3]])
    }

    /// Each lane's channel's entry of a per-channel array.
    @inline(__always)
    func gather(_ perChannel: UnsafePointer<Float>) -> SIMD4<Float> {
        SIMD4(perChannel[channels[0]], perChannel[channels[1]], perChannel[channels[2]], perChannel[channels[3]])
    }
}
