@testable import Engine
import Testing

private let shapes = [
    ConvolutionShape(batch: 2, inChannels: 3, outChannels: 5, inHeight: 9, inWidth: 7),
    ConvolutionShape(batch: 3, inChannels: 2, outChannels: 24, inHeight: 10, inWidth: 10),
    ConvolutionShape(batch: 2, inChannels: 24, outChannels: 24, inHeight: 19, inWidth: 19),
    ConvolutionShape(batch: 1, inChannels: 1, outChannels: 1, inHeight: 1, inWidth: 1),
]

@Suite struct ConvolutionTests {
    @Test func stemGeometry() {
        var side = 75
        var sides: [Int] = []
        for _ in 0..<4 {
            side = ConvolutionShape(batch: 1, inChannels: 3, outChannels: 24, inHeight: side, inWidth: side).outHeight
            sides.append(side)
        }
        #expect(sides == [38, 19, 10, 5])
    }

    @Test(arguments: [false, true])
    func forwardAndBackwardMatchReference(relu: Bool) {
        for (index, s) in shapes.enumerated() {
            let stream = UInt32(100 + 10 * index)
            let x = randomValues(s.inputCount, stream: stream)
            let weight = randomValues(s.weightCount, stream: stream + 1)
            let bias = randomValues(s.outChannels, stream: stream + 2)
            let dY = randomValues(s.outputCount, stream: stream + 3)
            let buffers = Buffers()
            let xs = buffers.make(x), ws = buffers.make(weight), y = buffers.zeros(s.outputCount)
            Convolution.forward(x: xs, weight: ws, bias: buffers.make(bias), y: y, shape: s, relu: relu, pool: twoPools)
            let reference = Convolution.forwardReference(x: x, weight: weight, bias: bias, shape: s, relu: relu)
            #expect(maxScaledError(read(y, s.outputCount), reference) <= Tolerance.floatKernel, "\(s)")

            let dX = buffers.zeros(s.inputCount), dW = buffers.zeros(s.weightCount), dB = buffers.zeros(s.outChannels)
            Convolution.backward(
                dY: buffers.make(dY), x: xs, weight: ws, reluOutput: relu ? UnsafePointer(y) : nil, dX: dX,
                dWeight: dW, dBias: dB, shape: s, pool: twoPools)
            let gradients = Convolution.backwardReference(
                dY: dY, x: x, weight: weight, y: relu ? doubles(read(y, s.outputCount)) : nil, shape: s)
            #expect(maxScaledError(read(dX, s.inputCount), gradients.dX) <= Tolerance.floatKernel, "\(s)")
            #expect(maxScaledError(read(dW, s.weightCount), gradients.dWeight) <= Tolerance.floatKernel, "\(s)")
            #expect(maxScaledError(read(dB, s.outChannels), gradients.dBias) <= Tolerance.floatKernel, "\(s)")
        }
    }

    /// Forward (bias, ReLU) and backward on random inputs from `stream`: y, dX, dWeight and
    /// dBias, one after the other, for bit comparisons between pools.
    private func forwardAndBackward(_ s: ConvolutionShape, stream: UInt32, pool: ThreadPool) -> [Float] {
        let x = randomValues(s.inputCount, stream: stream), weight = randomValues(s.weightCount, stream: stream + 1)
        let bias = randomValues(s.outChannels, stream: stream + 2), dY = randomValues(s.outputCount, stream: stream + 3)
        let buffers = Buffers()
        let xs = buffers.make(x), ws = buffers.make(weight), y = buffers.zeros(s.outputCount)
        let dX = buffers.zeros(s.inputCount), dW = buffers.zeros(s.weightCount), dB = buffers.zeros(s.outChannels)
        Convolution.forward(x: xs, weight: ws, bias: buffers.make(bias), y: y, shape: s, relu: true, pool: pool)
        Convolution.backward(
            dY: buffers.make(dY), x: xs, weight: ws, reluOutput: y, dX: dX, dWeight: dW, dBias: dB,
            shape: s, pool: pool)
        return read(y, s.outputCount) + read(dX, s.inputCount) + read(dW, s.weightCount) + read(dB, s.outChannels)
    }

    @Test func sameBitsOnOneTwoAndThreeThreads() {
        let s = ConvolutionShape(batch: 11, inChannels: 3, outChannels: 24, inHeight: 15, inWidth: 13)
        let results = [onePool, twoPools, threePools].map { forwardAndBackward(s, stream: 150, pool: $0) }
        #expect(sameBits(results[0], results[1]))
        #expect(sameBits(results[0], results[2]))
    }

    /// Convolutions run on the same matrix kernels; the AVX-512 ones must give the AVX2 bits.
    @Test(.enabled(if: VectorISA.avx512.isSupported, "this CPU has no AVX-512"))
    func sameBitsWithAVX2AndAVX512() {
        let s = ConvolutionShape(batch: 5, inChannels: 24, outChannels: 24, inHeight: 38, inWidth: 37)
        let results = [VectorISA.avx2, .avx512].map {
            forwardAndBackward(s, stream: 170, pool: ThreadPool(threadCount: 2, isa: $0))
        }
        #expect(sameBits(results[0], results[1]))
    }

    /// The lowering routines copy (and col2im adds) every second input eight at a time, and
    /// copy inner pixels' taps without tests; against their definitions, bit for bit, on
    /// widths around the sixteen floats one vector step reads, odd and even, tiny and the
    /// stem's own.
    @Test func loweringMatchesItsDefinition() {
        let sizes = [(1, 1), (2, 7), (3, 16), (9, 17), (16, 18), (17, 31), (33, 34), (38, 38), (75, 75)]
        for (h, w) in sizes {
            let s = ConvolutionShape(batch: 1, inChannels: 2, outChannels: 1, inHeight: h, inWidth: w)
            let (ho, wo, patch) = (s.outHeight, s.outWidth, s.patchSize)
            let pixels = ho * wo
            let x = randomValues(s.inputCount, stream: 300).map(Float.init)
            let gradient = randomValues(patch * pixels, stream: 301).map(Float.init)
            var columns = [Float](repeating: 0, count: patch * pixels), rows = columns
            var sums = [Float](repeating: 0, count: s.inputCount)
            for channel in 0..<2 {
                for kh in 0..<3 {
                    for kw in 0..<3 {
                        let tap = (channel * 3 + kh) * 3 + kw
                        for oh in 0..<ho {
                            for ow in 0..<wo {
                                let (ih, iw) = (2 * oh - 1 + kh, 2 * ow - 1 + kw)
                                guard ih >= 0 && ih < h && iw >= 0 && iw < w else { continue }
                                let input = (channel * h + ih) * w + iw, pixel = oh * wo + ow
                                columns[tap * pixels + pixel] = x[input]
                                rows[pixel * patch + tap] = x[input]
                                sums[input] += gradient[tap * pixels + pixel]
                            }
                        }
                    }
                }
            }
            let buffers = Buffers()
            let lowered = buffers.zeros(patch * pixels), transposed = buffers.zeros(patch * pixels)
            let raised = buffers.zeros(s.inputCount)
            Convolution.lowerToColumns(buffers.make(x), shape: s, into: lowered)
            Convolution.lowerToRows(buffers.make(x), shape: s, into: transposed)
            Convolution.raiseFromColumns(buffers.make(gradient), shape: s, into: raised)
            #expect(sameBits(read(lowered, patch * pixels), columns), "im2col \(h) x \(w)")
            #expect(sameBits(read(transposed, patch * pixels), rows), "rows \(h) x \(w)")
            #expect(sameBits(read(raised, s.inputCount), sums), "col2im \(h) x \(w)")
        }
    }

    @Test func referenceBackwardPassesGradientCheck() {
        let tiny = ConvolutionShape(batch: 2, inChannels: 2, outChannels: 2, inHeight: 4, inWidth: 3)
        let small = ConvolutionShape(batch: 2, inChannels: 3, outChannels: 4, inHeight: 9, inWidth: 8)
        for (s, elementwise) in [(tiny, true), (small, false)] {
            let x = randomValues(s.inputCount, stream: 160), weight = randomValues(s.weightCount, stream: 161)
            let bias = randomValues(s.outChannels, stream: 162), upstream = randomValues(s.outputCount, stream: 163)
            let forward: ([[Double]]) -> [Double] = { inputs in
                Convolution.forwardReference(x: inputs[0], weight: inputs[1], bias: inputs[2], shape: s, relu: true)
            }
            let y = forward([x, weight, bias])
            let g = Convolution.backwardReference(dY: upstream, x: x, weight: weight, y: y, shape: s)
            let gradients = [g.dX, g.dWeight, g.dBias]
            #expect(GradientCheck.agrees(GradientCheck.directional(
                inputs: [x, weight, bias], upstream: upstream, gradients: gradients, stream: 164, forward: forward)))
            if elementwise {
                #expect(GradientCheck.elementwiseError(
                    inputs: [x, weight, bias], upstream: upstream, gradients: gradients, forward: forward)
                    <= Tolerance.gradient)
            }
        }
    }
}
