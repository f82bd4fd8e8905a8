import Engine
import Testing

/// Two steps of each optimizer on five parameters. The expected values were computed with
/// python3/numpy on this machine by a script that follows torch.optim's single-tensor code op
/// by op in float32 (scalar coefficients in Python doubles, cast to float32 where PyTorch's
/// float kernels cast them: lerp for m, `v*β2 + (1-β2)*g*g`, `sqrt(v)/sqrt(bc2) + eps`,
/// `p + (-lr/bc1) * (m/denom)`; NAdam's μ-product kept in float32 like its state tensor),
/// printed with %.9g. torch itself is not installed.
@Suite struct OptimizerTests {
    static let start: [Float] = [0.5, -1.25, 2.0, 0.0, -0.1]
    static let gradients: [[Float]] = [[0.1, -0.2, 0.3, -0.4, 0.05], [-0.05, 0.15, 0.2, 0.0, -0.3]]

    func run(_ optimizer: Optimizer) -> [Float] {
        var parameters = Self.start
        for gradient in Self.gradients {
            parameters.withUnsafeMutableBufferPointer { p in
                gradient.withUnsafeBufferPointer { g in
                    optimizer.step(parameters: p.baseAddress!, gradients: g.baseAddress!, pool: onePool)
                }
            }
        }
        #expect(optimizer.stepCount == 2)
        return parameters
    }

    func expectClose(_ actual: [Float], _ expected: [Float]) {
        #expect(actual.count == expected.count)
        for (a, e) in zip(actual, expected) {
            // A few float32 ulps: PyTorch's vectorised kernels may round an intermediate differently.
            #expect(abs(a - e) <= 4 * e.magnitude.ulp + 1e-9, "\(a) vs \(e)")
        }
    }

    @Test func adamMatchesPyTorchFormulas() {
        expectClose(run(Adam(count: 5, learningRate: 1e-3)),
                    [0.49873367, -1.24891067, 1.99802959, 0.00167005835, -0.100376084])
    }

    @Test func sgdWithMomentumMatchesPyTorchFormulas() {
        expectClose(run(SGDMomentum(count: 5, learningRate: 0.1, momentum: 0.9)),
                    [0.486000001, -1.227, 1.92299998, 0.076000005, -0.0795000046])
    }

    @Test func nadamMatchesPyTorchFormulas() {
        expectClose(run(NAdam(count: 5, learningRate: 2e-3)),
                    [0.498709351, -1.2490406, 1.99662256, 0.00223904569, -0.100072078])
    }

    @Test func sameBitsOnOneAndTwoThreads() {
        let count = 50_000
        let start = floats(randomValues(count, stream: 500)), gradient = floats(randomValues(count, stream: 501))
        var results: [[Float]] = []
        for pool in [onePool, twoPools] {
            var parameters = start
            let optimizer = Adam(count: count)
            for _ in 0..<3 {
                parameters.withUnsafeMutableBufferPointer { p in
                    gradient.withUnsafeBufferPointer { g in optimizer.step(parameters: p.baseAddress!, gradients: g.baseAddress!, pool: pool) }
                }
            }
            results.append(parameters)
        }
        #expect(sameBits(results[0], results[1]))
    }
}
