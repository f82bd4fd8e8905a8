import Engine

/// Named tolerances, so a loosened check is visible in review.
enum Tolerance {
    /// A Float kernel against the Double reference on inputs in [-1, 1]: |fast - ref| may reach
    /// about K · 2^-24 · Σ|terms|; 2e-5 relative to max(1, |ref|) covers K ≤ 1500.
    static let floatKernel = 2e-5
    /// Central differences in Double with step `GradientCheck.step`: truncation ~ h² and
    /// cancellation ~ 1e-16 / h, both far below this (relative to max(1, |analytic|)).
    static let gradient = 1e-6
}

/// Random inputs from the project's own generator (domain `.synthetic`): the same numbers on
/// every machine, and every value exactly representable as a Float.
func randomValues(_ count: Int, stream: UInt32, range: ClosedRange<Double> = -1...1) -> [Double] {
    var random = RandomStream(seed: 0x5EED, domain: .synthetic, stream, 1)
    return (0..<count).map { _ in
        Double(Float(range.lowerBound + (range.upperBound - range.lowerBound) * Double(random.nextUnitFloat())))
    }
}

func floats(_ values: [Double]) -> [Float] { values.map { Float($0) } }
func doubles(_ values: [Float]) -> [Double] { values.map { Double($0) } }

/// Largest |fast - reference| / max(1, |reference|).
func maxScaledError(_ fast: [Float], _ reference: [Double]) -> Double {
    precondition(fast.count == reference.count, "sizes differ: \(fast.count) vs \(reference.count)")
    var worst = 0.0
    for (a, b) in zip(fast, reference) {
        let error = abs(Double(a) - b) / max(1, abs(b))
        if !(error <= worst) { worst = error.isNaN ? .infinity : max(worst, error) }
    }
    return worst
}

/// Bitwise equality (NaN patterns and signed zeros included).
func sameBits(_ a: [Float], _ b: [Float]) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { $0.bitPattern == $1.bitPattern }
}

let onePool = ThreadPool(threadCount: 1)
let twoPools = ThreadPool(threadCount: 2)
let threePools = ThreadPool(threadCount: 3)

/// Two-thread pools running each kind of matrix kernel this CPU has (AVX2 everywhere, AVX-512
/// where it exists), so every kind is checked against the references.
let poolsForEveryISA = VectorISA.allCases.filter(\.isSupported).map { ThreadPool(threadCount: 2, isa: $0) }

/// jax `check_vjp` style checks of a function's backward against central differences, in
/// Double. The scalar under test is `L(inputs) = Σ forward(inputs) ⊙ upstream`, whose gradient
/// is what the backward returns when given `upstream`.
enum GradientCheck {
    static let step = 1e-6

    static func loss(_ forward: ([[Double]]) -> [Double], _ inputs: [[Double]], _ upstream: [Double]) -> Double {
        zip(forward(inputs), upstream).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// One random direction through all inputs at once: returns (numeric, analytic)
    /// directional derivatives.
    static func directional(
        inputs: [[Double]], upstream: [Double], gradients: [[Double]], stream: UInt32,
        forward: ([[Double]]) -> [Double]
    ) -> (numeric: Double, analytic: Double) {
        let directions = inputs.enumerated().map { index, input in
            randomValues(input.count, stream: stream &+ UInt32(index))
        }
        func shifted(_ sign: Double) -> [[Double]] {
            zip(inputs, directions).map { input, direction in
                zip(input, direction).map { $0 + sign * step * $1 }
            }
        }
        let numeric = (loss(forward, shifted(1), upstream) - loss(forward, shifted(-1), upstream)) / (2 * step)
        var analytic = 0.0
        for (gradient, direction) in zip(gradients, directions) {
            analytic += zip(gradient, direction).reduce(0) { $0 + $1.0 * $1.1 }
        }
        return (numeric, analytic)
    }

    /// Every element of every input: the largest |numeric - analytic| / max(1, |analytic|).
    static func elementwiseError(
        inputs: [[Double]], upstream: [Double], gradients: [[Double]], forward: ([[Double]]) -> [Double]
    ) -> Double {
        var worst = 0.0
        for input in inputs.indices {
            for element in inputs[input].indices {
                var plus = inputs, minus = inputs
                plus[input][element] += step
                minus[input][element] -= step
                let numeric = (loss(forward, plus, upstream) - loss(forward, minus, upstream)) / (2 * step)
                let analytic = gradients[input][element]
                worst = max(worst, abs(numeric - analytic) / max(1, abs(analytic)))
            }
        }
        return worst
    }

    static func agrees(_ pair: (numeric: Double, analytic: Double)) -> Bool {
        abs(pair.numeric - pair.analytic) <= Tolerance.gradient * max(1, abs(pair.analytic))
    }
}

/// Float buffers for a test, freed together.
final class Buffers {
    private var pointers: [UnsafeMutablePointer<Float>] = []

    func make(_ values: [Double]) -> UnsafeMutablePointer<Float> {
        let pointer = zeros(values.count)
        for (index, value) in values.enumerated() { pointer[index] = Float(value) }
        return pointer
    }

    func make(_ values: [Float]) -> UnsafeMutablePointer<Float> {
        let pointer = zeros(values.count)
        pointer.update(from: values, count: values.count)
        return pointer
    }

    /// 64-byte aligned, like the engine's slabs (large outputs are then written with streaming
    /// stores, as in training).
    func zeros(_ count: Int) -> UnsafeMutablePointer<Float> {
        let pointer = UnsafeMutableRawPointer.allocate(byteCount: max(count, 1) * 4, alignment: 64)
            .bindMemory(to: Float.self, capacity: max(count, 1))
        pointer.initialize(repeating: 0, count: max(count, 1))
        pointers.append(pointer)
        return pointer
    }

    deinit { for pointer in pointers { pointer.deallocate() } }
}

func read(_ pointer: UnsafePointer<Float>, _ count: Int) -> [Float] {
    Array(UnsafeBufferPointer(start: pointer, count: count))
}

func read(_ pointer: UnsafeMutablePointer<Float>, _ count: Int) -> [Float] {
    Array(UnsafeBufferPointer(start: pointer, count: count))
}
