import Engine
import Testing

@Suite struct BatchNormTests {
    @Test func trainingForwardBackwardAndRunningStatisticsMatchReference() {
        let (batch, channels, spatial) = (5, 6, 19)
        let count = batch * channels * spatial
        let x = randomValues(count, stream: 200, range: -2...3)
        let gamma = randomValues(channels, stream: 201, range: 0.5...1.5), beta = randomValues(channels, stream: 202)
        let runningMean = randomValues(channels, stream: 203), runningVariance = randomValues(channels, stream: 204, range: 0.5...2)
        let dY = randomValues(count, stream: 205)
        let buffers = Buffers()
        let xs = buffers.make(x), y = buffers.zeros(count), gs = buffers.make(gamma)
        let mean = buffers.zeros(channels), inverseStd = buffers.zeros(channels)
        let rm = buffers.make(runningMean), rv = buffers.make(runningVariance)
        BatchNorm.forwardTraining(
            x: xs, y: y, gamma: gs, beta: buffers.make(beta), savedMean: mean, savedInverseStd: inverseStd,
            runningMean: rm, runningVariance: rv, batch: batch, channels: channels, spatial: spatial, pool: twoPools)
        let reference = BatchNorm.forwardTrainingReference(
            x: x, gamma: gamma, beta: beta, runningMean: runningMean, runningVariance: runningVariance,
            batch: batch, channels: channels, spatial: spatial)
        #expect(maxScaledError(read(y, count), reference.y) <= Tolerance.floatKernel)
        #expect(maxScaledError(read(rm, channels), reference.runningMean) <= Tolerance.floatKernel)
        #expect(maxScaledError(read(rv, channels), reference.runningVariance) <= Tolerance.floatKernel)

        let dX = buffers.zeros(count), dGamma = buffers.zeros(channels), dBeta = buffers.zeros(channels)
        BatchNorm.backward(
            dY: buffers.make(dY), x: xs, gamma: gs, savedMean: mean, savedInverseStd: inverseStd, dX: dX,
            dGamma: dGamma, dBeta: dBeta, batch: batch, channels: channels, spatial: spatial, pool: twoPools)
        let gradients = BatchNorm.backwardReference(dY: dY, x: x, gamma: gamma, batch: batch, channels: channels, spatial: spatial)
        #expect(maxScaledError(read(dX, count), gradients.dX) <= Tolerance.floatKernel)
        #expect(maxScaledError(read(dGamma, channels), gradients.dGamma) <= Tolerance.floatKernel)
        #expect(maxScaledError(read(dBeta, channels), gradients.dBeta) <= Tolerance.floatKernel)
    }

    /// PyTorch's running variance uses the unbiased estimate: for x = [1, 3] in one channel,
    /// mean 2, biased variance 1, unbiased 2, so from (0, 1): mean 0.2, variance 0.9 + 0.2 = 1.1.
    @Test func runningStatisticsUseMomentumAndUnbiasedVariance() {
        let buffers = Buffers()
        let x = buffers.make([1.0, 3.0]), y = buffers.zeros(2)
        let rm = buffers.make([0.0]), rv = buffers.make([1.0])
        BatchNorm.forwardTraining(
            x: x, y: y, gamma: buffers.make([1.0]), beta: buffers.make([0.0]), savedMean: buffers.zeros(1),
            savedInverseStd: buffers.zeros(1), runningMean: rm, runningVariance: rv, batch: 2, channels: 1,
            spatial: 1, pool: onePool)
        #expect(abs(rm[0] - 0.2) < 1e-7)
        #expect(abs(rv[0] - 1.1) < 1e-6)
        // Normalised with the biased variance 1 and eps 1e-5.
        #expect(abs(y[0] - Float(-1 / (1 + 1e-5).squareRoot())) < 1e-6)
    }

    @Test func inferenceMatchesReference() {
        let (batch, channels, spatial) = (3, 4, 25)
        let count = batch * channels * spatial
        let x = randomValues(count, stream: 210)
        let gamma = randomValues(channels, stream: 211), beta = randomValues(channels, stream: 212)
        let mean = randomValues(channels, stream: 213), variance = randomValues(channels, stream: 214, range: 0.1...3)
        let buffers = Buffers()
        let y = buffers.zeros(count)
        BatchNorm.forwardInference(
            x: buffers.make(x), y: y, gamma: buffers.make(gamma), beta: buffers.make(beta),
            runningMean: buffers.make(mean), runningVariance: buffers.make(variance),
            batch: batch, channels: channels, spatial: spatial, pool: twoPools)
        let reference = BatchNorm.forwardInferenceReference(
            x: x, gamma: gamma, beta: beta, runningMean: mean, runningVariance: variance,
            batch: batch, channels: channels, spatial: spatial)
        #expect(maxScaledError(read(y, count), reference) <= Tolerance.floatKernel)
    }

    /// Channels are summed four at a time within each thread's share: 7 channels make groups of
    /// 4 + 3 on one thread, 4 | 3 on two and 3 | 2 | 2 on three.
    @Test(arguments: [24, 7])
    func sameBitsOnOneTwoAndThreeThreads(channels: Int) {
        let (batch, spatial) = (4, 100)
        let count = batch * channels * spatial
        let x = randomValues(count, stream: 220), dY = randomValues(count, stream: 221)
        let gamma = randomValues(channels, stream: 222), beta = randomValues(channels, stream: 223)
        var results: [[Float]] = []
        for pool in [onePool, twoPools, threePools] {
            let buffers = Buffers()
            let xs = buffers.make(x), y = buffers.zeros(count), gs = buffers.make(gamma)
            let mean = buffers.zeros(channels), inverseStd = buffers.zeros(channels)
            let rm = buffers.zeros(channels), rv = buffers.zeros(channels)
            let dX = buffers.zeros(count), dGamma = buffers.zeros(channels), dBeta = buffers.zeros(channels)
            BatchNorm.forwardTraining(
                x: xs, y: y, gamma: gs, beta: buffers.make(beta), savedMean: mean, savedInverseStd: inverseStd,
                runningMean: rm, runningVariance: rv, batch: batch, channels: channels, spatial: spatial, pool: pool)
            BatchNorm.backward(
                dY: buffers.make(dY), x: xs, gamma: gs, savedMean: mean, savedInverseStd: inverseStd, dX: dX,
                dGamma: dGamma, dBeta: dBeta, batch: batch, channels: channels, spatial: spatial, pool: pool)
            results.append(read(y, count) + read(dX, count) + read(dGamma, channels) + read(dBeta, channels)
                + read(rm, channels) + read(rv, channels))
        }
        #expect(sameBits(results[0], results[1]))
        #expect(sameBits(results[0], results[2]))
    }

    @Test func referenceBackwardPassesGradientCheck() {
        for (batch, channels, spatial, elementwise) in [(2, 2, 3, true), (4, 3, 10, false)] {
            let count = batch * channels * spatial
            let x = randomValues(count, stream: 230), gamma = randomValues(channels, stream: 231)
            let beta = randomValues(channels, stream: 232), upstream = randomValues(count, stream: 233)
            let zeros = [Double](repeating: 0, count: channels)
            let forward: ([[Double]]) -> [Double] = { inputs in
                BatchNorm.forwardTrainingReference(
                    x: inputs[0], gamma: inputs[1], beta: inputs[2], runningMean: zeros, runningVariance: zeros,
                    batch: batch, channels: channels, spatial: spatial).y
            }
            let g = BatchNorm.backwardReference(dY: upstream, x: x, gamma: gamma, batch: batch, channels: channels, spatial: spatial)
            let gradients = [g.dX, g.dGamma, g.dBeta]
            #expect(GradientCheck.agrees(GradientCheck.directional(
                inputs: [x, gamma, beta], upstream: upstream, gradients: gradients, stream: 234, forward: forward)))
            if elementwise {
                #expect(GradientCheck.elementwiseError(
                    inputs: [x, gamma, beta], upstream: upstream, gradients: gradients, forward: forward)
                    <= Tolerance.gradient)
            }
        }
    }
}
