/// Optimizers over one flat parameter slab, with PyTorch's update formulas and order of
/// operations (torch.optim, single-tensor path, no weight decay): scalar coefficients are
/// computed in Double as Python does, then used in Float as PyTorch's float kernels do.
/// Updates are element-wise, so any split among threads gives the same bits.
///
/// State is public and settable so a checkpoint can save and restore it exactly.
public protocol Optimizer: AnyObject {
    /// Updates `parameters[0 ..< count]` from `gradients` and advances the step count.
    func step(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>, pool: ThreadPool)
    /// Steps taken so far.
    var stepCount: Int { get }
}

/// Splits the element range among threads; element-wise updates make the split irrelevant
/// to the bits.
func forEachElementRange(_ count: Int, pool: ThreadPool, _ body: (Range<Int>) -> Void) {
    let parts = max(1, min(pool.threadCount, count / 4096))
    let bounds = ThreadPool.ranges(of: count, parts: parts)
    pool.forEachChunk(parts) { part in body(bounds[part]) }
}

/// Adam (Kingma & Ba), bias-corrected, as `torch.optim.Adam`:
/// `m = lerp(m, g, 1 - β1)`, `v = β2 v + (1 - β2) g²`,
/// `p -= (lr / (1 - β1^t)) · m / (√v / √(1 - β2^t) + eps)`, i.e. `p -= lr · m̂ / (√v̂ + eps)`.
public final class Adam: Optimizer {
    public let count: Int
    public var learningRate: Double
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    public var stepCount = 0
    /// m and v, one slab each.
    public let firstMoment: Slab
    public let secondMoment: Slab

    public init(count: Int, learningRate: Double = 1e-3, beta1: Double = 0.9, beta2: Double = 0.999, epsilon: Double = 1e-8) {
        self.count = count
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        firstMoment = Slab(count: count)
        secondMoment = Slab(count: count)
    }

    public func step(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>, pool: ThreadPool) {
        stepCount += 1
        let t = Double(stepCount)
        let biasCorrection1 = 1 - power(beta1, t)
        let biasCorrection2 = 1 - power(beta2, t)
        let stepSize = Float(learningRate / biasCorrection1)
        let biasCorrection2Sqrt = Float(biasCorrection2.squareRoot())
        let lerpWeight = Float(1 - beta1), b2 = Float(beta2), oneMinusB2 = Float(1 - beta2), eps = Float(epsilon)
        let m = firstMoment.base, v = secondMoment.base
        forEachElementRange(count, pool: pool) { range in
            for e in range {
                let g = gradients[e]
                m[e] = lerp(m[e], g, lerpWeight)
                v[e] = v[e] * b2 + oneMinusB2 * (g * g)
                let denominator = v[e].squareRoot() / biasCorrection2Sqrt + eps
                parameters[e] = parameters[e] + -stepSize * (m[e] / denominator)
            }
        }
    }
}

/// SGD with momentum, as `torch.optim.SGD(momentum: μ)` with no dampening or Nesterov:
/// the first step sets `buf = g`, later ones `buf = μ buf + g`; then `p -= lr · buf`.
public final class SGDMomentum: Optimizer {
    public let count: Int
    public var learningRate: Double
    public let momentum: Double
    public var stepCount = 0
    public let momentumBuffer: Slab

    public init(count: Int, learningRate: Double, momentum: Double = 0.9) {
        self.count = count
        self.learningRate = learningRate
        self.momentum = momentum
        momentumBuffer = Slab(count: count)
    }

    public func step(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>, pool: ThreadPool) {
        let first = stepCount == 0
        stepCount += 1
        let mu = Float(momentum), lr = Float(learningRate)
        let buffer = momentumBuffer.base
        forEachElementRange(count, pool: pool) { range in
            for e in range {
                buffer[e] = first ? gradients[e] : buffer[e] * mu + gradients[e]
                parameters[e] = parameters[e] + -lr * buffer[e]
            }
        }
    }
}

/// NAdam (Dozat), as `torch.optim.NAdam` with its default momentum decay ψ = 4e-3:
/// `μ_t = β1 (1 - ½ · 0.96^(t ψ))`, `Π_t = Π_{t-1} μ_t` (kept in Float, like PyTorch's
/// float32 state tensor), `m = lerp(m, g, 1 - β1)`, `v = β2 v + (1 - β2) g²`,
/// `d = √(v / (1 - β2^t)) + eps`,
/// `p -= lr (1 - μ_t) / (1 - Π_t) · g / d + lr μ_{t+1} / (1 - Π_t μ_{t+1}) · m / d`.
public final class NAdam: Optimizer {
    public let count: Int
    public var learningRate: Double
    public let beta1: Double
    public let beta2: Double
    public let epsilon: Double
    public let momentumDecay: Double
    public var stepCount = 0
    /// Π μ over the steps taken.
    public var muProduct: Float = 1
    public let firstMoment: Slab
    public let secondMoment: Slab

    public init(
        count: Int, learningRate: Double = 2e-3, beta1: Double = 0.9, beta2: Double = 0.999,
        epsilon: Double = 1e-8, momentumDecay: Double = 4e-3
    ) {
        self.count = count
        self.learningRate = learningRate
        self.beta1 = beta1
        self.beta2 = beta2
        self.epsilon = epsilon
        self.momentumDecay = momentumDecay
        firstMoment = Slab(count: count)
        secondMoment = Slab(count: count)
    }

    public func step(parameters: UnsafeMutablePointer<Float>, gradients: UnsafePointer<Float>, pool: ThreadPool) {
        stepCount += 1
        let t = Double(stepCount)
        let biasCorrection2 = 1 - power(beta2, t)
        let mu = beta1 * (1 - 0.5 * power(0.96, t * momentumDecay))
        let muNext = beta1 * (1 - 0.5 * power(0.96, (t + 1) * momentumDecay))
        muProduct = muProduct * Float(mu)
        let muProductNext = Double(muProduct) * muNext
        let gradientStep = Float(-learningRate * (1 - mu) / (1 - Double(muProduct)))
        let momentStep = Float(-learningRate * muNext / (1 - muProductNext))
        let lerpWeight = Float(1 - beta1), b2 = Float(beta2), oneMinusB2 = Float(1 - beta2)
        let correction2 = Float(biasCorrection2), eps = Float(epsilon)
        let m = firstMoment.base, v = secondMoment.base
        forEachElementRange(count, pool: pool) { range in
            for e in range {
                let g = gradients[e]
                m[e] = lerp(m[e], g, lerpWeight)
                v[e] = v[e] * b2 + oneMinusB2 * (g * g)
                let denominator = (v[e] / correction2).squareRoot() + eps
                var p = parameters[e] + gradientStep * (g / denominator)
                p = p + momentStep * (m[e] / denominator)
                parameters[e] = p
            }
        }
    }
}

/// PyTorch's CPU `lerp`: `start + w (end - start)` for w < ½, else `end - (end - start)(1 - w)`.
@inlinable @inline(__always)
func lerp(_ start: Float, _ end: Float, _ weight: Float) -> Float {
    weight < 0.5 ? start + weight * (end - start) : end - (end - start) * (1 - weight)
}

/// `base^exponent` for the bias corrections, by repeated squaring for integer exponents and
/// exp/log in Double otherwise, independent of the C library.
@usableFromInline
func power(_ base: Double, _ exponent: Double) -> Double {
    if exponent == exponent.rounded(), abs(exponent) < 1e15 {
        var result = 1.0, factor = base, n = Int(abs(exponent))
        while n > 0 {
            if n & 1 == 1 { result *= factor }
            factor *= factor
            n >>= 1
        }
        return exponent < 0 ? 1 / result : result
    }
    return DoubleMath.exp(exponent * DoubleMath.log(base))
}
