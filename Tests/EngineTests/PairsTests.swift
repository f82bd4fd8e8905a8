import Engine
import Testing

@Suite struct PairsTests {
    @Test func broadcastAddAndSumMatchReference() {
        // 25 objects and a hidden width that is not a multiple of 8.
        let (batch, objects, hidden) = (3, 25, 29)
        let pairs = objects * objects
        let a = randomValues(batch * objects * hidden, stream: 300)
        let b = randomValues(batch * objects * hidden, stream: 301)
        let c = randomValues(batch * hidden, stream: 302)
        let dOut = randomValues(batch * pairs * hidden, stream: 303)
        let dSum = randomValues(batch * hidden, stream: 304)
        let buffers = Buffers()
        let out = buffers.zeros(batch * pairs * hidden)
        PairKernels.broadcastAddReLU(
            a: buffers.make(a), b: buffers.make(b), c: buffers.make(c), out: out, batch: batch, objects: objects,
            hidden: hidden, pool: twoPools)
        let reference = PairKernels.broadcastAddReLUReference(a: a, b: b, c: c, batch: batch, objects: objects, hidden: hidden)
        #expect(maxScaledError(read(out, batch * pairs * hidden), reference) <= Tolerance.floatKernel)

        let dA = buffers.zeros(batch * objects * hidden), dB = buffers.zeros(batch * objects * hidden)
        let dC = buffers.zeros(batch * hidden)
        PairKernels.broadcastAddReLUBackward(
            dOut: buffers.make(dOut), out: out, dA: dA, dB: dB, dC: dC, batch: batch, objects: objects,
            hidden: hidden, pool: twoPools)
        let gradients = PairKernels.broadcastAddReLUBackwardReference(
            dOut: dOut, out: doubles(read(out, batch * pairs * hidden)), batch: batch, objects: objects, hidden: hidden)
        #expect(maxScaledError(read(dA, batch * objects * hidden), gradients.dA) <= Tolerance.floatKernel)
        #expect(maxScaledError(read(dB, batch * objects * hidden), gradients.dB) <= Tolerance.floatKernel)
        #expect(maxScaledError(read(dC, batch * hidden), gradients.dC) <= Tolerance.floatKernel)
        // Given dZ (dOut with the mask already applied) and no mask, the same bits.
        let dZ = buffers.make(dOut)
        let outValues = read(out, batch * pairs * hidden)
        for index in outValues.indices where !(outValues[index] > 0) { dZ[index] = 0 }
        let dA2 = buffers.zeros(batch * objects * hidden), dB2 = buffers.zeros(batch * objects * hidden)
        let dC2 = buffers.zeros(batch * hidden)
        PairKernels.broadcastAddReLUBackward(
            dOut: dZ, out: nil, dA: dA2, dB: dB2, dC: dC2, batch: batch, objects: objects, hidden: hidden, pool: twoPools)
        #expect(sameBits(read(dA2, batch * objects * hidden), read(dA, batch * objects * hidden)))
        #expect(sameBits(read(dB2, batch * objects * hidden), read(dB, batch * objects * hidden)))
        #expect(sameBits(read(dC2, batch * hidden), read(dC, batch * hidden)))

        let sum = buffers.zeros(batch * hidden)
        PairKernels.sumOverPairs(x: buffers.make(dOut), sum: sum, batch: batch, pairs: pairs, hidden: hidden, pool: twoPools)
        #expect(maxScaledError(read(sum, batch * hidden),
            PairKernels.sumOverPairsReference(x: dOut, batch: batch, pairs: pairs, hidden: hidden)) <= Tolerance.floatKernel)
        let dX = buffers.zeros(batch * pairs * hidden)
        PairKernels.sumOverPairsBackward(dSum: buffers.make(dSum), dX: dX, batch: batch, pairs: pairs, hidden: hidden, pool: twoPools)
        #expect(maxScaledError(read(dX, batch * pairs * hidden),
            PairKernels.sumOverPairsBackwardReference(dSum: dSum, batch: batch, pairs: pairs, hidden: hidden)) == 0)
        // With the summed values' ReLU mask (broadcastAddReLU's output, about half zeros).
        PairKernels.sumOverPairsBackward(
            dSum: buffers.make(dSum), dX: dX, reluOutput: out, batch: batch, pairs: pairs, hidden: hidden, pool: twoPools)
        let masked = PairKernels.sumOverPairsBackwardReference(
            dSum: dSum, reluOutput: doubles(read(out, batch * pairs * hidden)), batch: batch, pairs: pairs, hidden: hidden)
        #expect(masked.contains(0) && masked.contains { $0 != 0 })
        #expect(maxScaledError(read(dX, batch * pairs * hidden), masked) == 0)
    }

    @Test func sameBitsOnOneTwoAndThreeThreads() {
        let (batch, objects, hidden) = (5, 25, 32)
        let pairs = objects * objects
        let a = randomValues(batch * objects * hidden, stream: 310), b = randomValues(batch * objects * hidden, stream: 311)
        let c = randomValues(batch * hidden, stream: 312), dOut = randomValues(batch * pairs * hidden, stream: 313)
        var results: [[Float]] = []
        for pool in [onePool, twoPools, threePools] {
            let buffers = Buffers()
            let out = buffers.zeros(batch * pairs * hidden), sum = buffers.zeros(batch * hidden)
            let dA = buffers.zeros(batch * objects * hidden), dB = buffers.zeros(batch * objects * hidden)
            let dC = buffers.zeros(batch * hidden)
            PairKernels.broadcastAddReLU(
                a: buffers.make(a), b: buffers.make(b), c: buffers.make(c), out: out, batch: batch, objects: objects,
                hidden: hidden, pool: pool)
            PairKernels.sumOverPairs(x: out, sum: sum, batch: batch, pairs: pairs, hidden: hidden, pool: pool)
            PairKernels.broadcastAddReLUBackward(
                dOut: buffers.make(dOut), out: out, dA: dA, dB: dB, dC: dC, batch: batch, objects: objects,
                hidden: hidden, pool: pool)
            results.append(read(out, batch * pairs * hidden) + read(sum, batch * hidden)
                + read(dA, batch * objects * hidden) + read(dB, batch * objects * hidden) + read(dC, batch * hidden))
        }
        #expect(sameBits(results[0], results[1]))
        #expect(sameBits(results[0], results[2]))
    }

    @Test func referenceBackwardsPassGradientCheck() {
        for (batch, objects, hidden, elementwise) in [(1, 2, 3, true), (2, 5, 6, false)] {
            let a = randomValues(batch * objects * hidden, stream: 320), b = randomValues(batch * objects * hidden, stream: 321)
            let c = randomValues(batch * hidden, stream: 322)
            let upstream = randomValues(batch * objects * objects * hidden, stream: 323)
            let forward: ([[Double]]) -> [Double] = { inputs in
                PairKernels.broadcastAddReLUReference(
                    a: inputs[0], b: inputs[1], c: inputs[2], batch: batch, objects: objects, hidden: hidden)
            }
            let out = forward([a, b, c])
            let g = PairKernels.broadcastAddReLUBackwardReference(
                dOut: upstream, out: out, batch: batch, objects: objects, hidden: hidden)
            #expect(GradientCheck.agrees(GradientCheck.directional(
                inputs: [a, b, c], upstream: upstream, gradients: [g.dA, g.dB, g.dC], stream: 324, forward: forward)))
            if elementwise {
                #expect(GradientCheck.elementwiseError(
                    inputs: [a, b, c], upstream: upstream, gradients: [g.dA, g.dB, g.dC], forward: forward)
                    <= Tolerance.gradient)
            }

            let pairs = objects * objects
            let x = randomValues(batch * pairs * hidden, stream: 325), dSum = randomValues(batch * hidden, stream: 326)
            let sum: ([[Double]]) -> [Double] = { inputs in
                PairKernels.sumOverPairsReference(x: inputs[0], batch: batch, pairs: pairs, hidden: hidden)
            }
            let dX = PairKernels.sumOverPairsBackwardReference(dSum: dSum, batch: batch, pairs: pairs, hidden: hidden)
            #expect(GradientCheck.agrees(GradientCheck.directional(
                inputs: [x], upstream: dSum, gradients: [dX], stream: 327, forward: sum)))
            if elementwise {
                #expect(GradientCheck.elementwiseError(inputs: [x], upstream: dSum, gradients: [dX], forward: sum)
                    <= Tolerance.gradient)
            }
        }
    }
}
