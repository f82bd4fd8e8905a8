@testable import Engine
import Testing

/// Shapes (M, N, K) around the block sizes: 6-row and 16-column register blocks (12 x 32 for
/// AVX-512), 72-row A blocks, 256-deep passes; none of the odd ones divides evenly.
private let shapes: [(m: Int, n: Int, k: Int)] = [
    (1, 1, 1), (7, 13, 5), (37, 29, 53), (73, 16, 256), (150, 40, 300), (13, 33, 257), (96, 64, 64),
    (161, 80, 270),
]

@Suite struct GEMMTests {
    @Test(arguments: [false, true])
    func forwardMatchesReference(relu: Bool) {
        for pool in poolsForEveryISA {
            for (index, s) in shapes.enumerated() {
                let x = randomValues(s.m * s.k, stream: UInt32(10 * index))
                let w = randomValues(s.n * s.k, stream: UInt32(10 * index + 1))
                let bias = randomValues(s.n, stream: UInt32(10 * index + 2))
                let buffers = Buffers()
                let y = buffers.zeros(s.m * s.n)
                GEMM.forward(
                    x: buffers.make(x), w: buffers.make(w), bias: buffers.make(bias), y: y, m: s.m, n: s.n, k: s.k,
                    relu: relu, pool: pool)
                let reference = GEMM.forwardReference(x: x, w: w, bias: bias, m: s.m, n: s.n, k: s.k, relu: relu)
                #expect(maxScaledError(read(y, s.m * s.n), reference) <= Tolerance.floatKernel, "shape \(s), \(pool.isa)")
            }
        }
    }

    @Test func forwardWithoutBiasAccumulatesAndHonoursLeadingDimensions() {
        let (m, n, k) = (41, 21, 19)
        let (ldx, ldw, ldy) = (k + 3, k + 5, n + 2)
        let x = randomValues(m * ldx, stream: 1), w = randomValues(n * ldw, stream: 2)
        let start = randomValues(m * ldy, stream: 3)
        let buffers = Buffers()
        let y = buffers.make(start)
        GEMM.forward(
            x: buffers.make(x), w: buffers.make(w), bias: nil, y: y, m: m, n: n, k: k, accumulate: true,
            ldx: ldx, ldw: ldw, ldy: ldy, pool: twoPools)
        let packedX = (0..<m).flatMap { i in x[(i * ldx)..<(i * ldx + k)] }
        let packedW = (0..<n).flatMap { j in w[(j * ldw)..<(j * ldw + k)] }
        let product = GEMM.forwardReference(x: packedX, w: packedW, bias: nil, m: m, n: n, k: k, relu: false)
        var expected = start
        for i in 0..<m { for j in 0..<n { expected[i * ldy + j] += product[i * n + j] } }
        #expect(maxScaledError(read(y, m * ldy), expected) <= Tolerance.floatKernel)
    }

    /// dX with the layer's own ReLU mask on dY (`reluOutput`), with the input's mask on the
    /// stored dX (`inputMask`, as g's layers store it for the layer below), with both and with
    /// neither, against the reference, on every shape (edge blocks included).
    @Test(arguments: [false, true], [false, true])
    func backwardInputMatchesReference(masked: Bool, inputMasked: Bool) {
        for pool in poolsForEveryISA {
            for (index, s) in shapes.enumerated() {
                let dY = randomValues(s.m * s.n, stream: UInt32(10 * index + 3))
                let w = randomValues(s.n * s.k, stream: UInt32(10 * index + 4))
                let y = randomValues(s.m * s.n, stream: UInt32(10 * index + 5)).map { max($0, 0) }
                let x = randomValues(s.m * s.k, stream: UInt32(10 * index + 62)).map { max($0, 0) }
                let buffers = Buffers()
                let dX = buffers.zeros(s.m * s.k)
                GEMM.backwardInput(
                    dY: buffers.make(dY), w: buffers.make(w), dX: dX, m: s.m, n: s.n, k: s.k,
                    reluOutput: masked ? UnsafePointer(buffers.make(y)) : nil,
                    inputMask: inputMasked ? UnsafePointer(buffers.make(x)) : nil, pool: pool)
                let reference = GEMM.backwardReference(
                    dY: dY, x: x, w: w, y: masked ? y : nil, m: s.m, n: s.n, k: s.k)
                let expected = inputMasked ? zip(reference.dX, x).map { $1 > 0 ? $0 : 0 } : reference.dX
                #expect(maxScaledError(read(dX, s.m * s.k), expected) <= Tolerance.floatKernel, "shape \(s), \(pool.isa)")
            }
        }
    }

    @Test(arguments: [false, true])
    func backwardWeightMatchesReference(masked: Bool) {
        // M = 1100 and 4000 split the reduction into 4 and 15 chunks.
        for pool in poolsForEveryISA {
            for (index, s) in (shapes + [(1100, 24, 37), (4000, 18, 9)]).enumerated() {
                let dY = randomValues(s.m * s.n, stream: UInt32(10 * index + 6))
                let x = randomValues(s.m * s.k, stream: UInt32(10 * index + 7))
                let y = randomValues(s.m * s.n, stream: UInt32(10 * index + 8)).map { max($0, 0) }
                let buffers = Buffers()
                let dW = buffers.zeros(s.n * s.k), dBias = buffers.zeros(s.n)
                GEMM.backwardWeight(
                    dY: buffers.make(dY), x: buffers.make(x), dW: dW, dBias: dBias, m: s.m, n: s.n, k: s.k,
                    reluOutput: masked ? UnsafePointer(buffers.make(y)) : nil, pool: pool)
                let reference = GEMM.backwardReference(
                    dY: dY, x: x, w: [Double](repeating: 0, count: s.n * s.k), y: masked ? y : nil, m: s.m, n: s.n, k: s.k)
                // dW sums M terms: scale the tolerance by how far M exceeds the kernel tests' K.
                let tolerance = Tolerance.floatKernel * max(1, Double(s.m) / 1000)
                #expect(maxScaledError(read(dW, s.n * s.k), reference.dW) <= tolerance, "shape \(s), \(pool.isa)")
                #expect(maxScaledError(read(dBias, s.n), reference.dBias) <= tolerance, "shape \(s), \(pool.isa)")
            }
        }
    }

    /// With no input columns (K = 0) there is no dW, but the bias gradient is still dZ's column
    /// sums: they are taken while dZ is packed, which must happen even with no rows of dWᵀ.
    @Test func backwardWeightWithoutInputColumnsStillSumsTheBias() {
        let (m, n) = (600, 64)
        let dY = randomValues(m * n, stream: 24)
        for pool in poolsForEveryISA {
            let buffers = Buffers()
            let dBias = buffers.zeros(n)
            GEMM.backwardWeight(
                dY: buffers.make(dY), x: buffers.zeros(1), dW: buffers.zeros(1), dBias: dBias, m: m, n: n, k: 0,
                pool: pool)
            let reference = GEMM.backwardReference(dY: dY, x: [], w: [], y: nil, m: m, n: n, k: 0)
            #expect(maxScaledError(read(dBias, n), reference.dBias) <= Tolerance.floatKernel, "\(pool.isa)")
        }
    }

    @Test func backwardWeightAccumulatesIntoStridedSlice() {
        // RN's g1 weight [H, 63] receives its per-object block's gradient as a column slice.
        let (m, n, k, lddw) = (300, 20, 26, 63)
        let dY = randomValues(m * n, stream: 20), x = randomValues(m * k, stream: 21)
        let start = randomValues(n * lddw, stream: 22), startBias = randomValues(n, stream: 23)
        let buffers = Buffers()
        let dW = buffers.make(start), dBias = buffers.make(startBias)
        GEMM.backwardWeight(
            dY: buffers.make(dY), x: buffers.make(x), dW: dW, dBias: dBias, m: m, n: n, k: k,
            accumulate: true, lddw: lddw, pool: twoPools)
        let reference = GEMM.backwardReference(
            dY: dY, x: x, w: [Double](repeating: 0, count: n * k), y: nil, m: m, n: n, k: k)
        var expected = start
        for j in 0..<n { for p in 0..<k { expected[j * lddw + p] += reference.dW[j * k + p] } }
        #expect(maxScaledError(read(dW, n * lddw), expected) <= Tolerance.floatKernel)
        #expect(maxScaledError(read(dBias, n), zip(startBias, reference.dBias).map(+)) <= Tolerance.floatKernel)
    }

    @Test func sameBitsOnOneTwoAndThreeThreads() {
        let (m, n, k) = (2000, 40, 70)
        let x = randomValues(m * k, stream: 30), w = randomValues(n * k, stream: 31)
        let bias = randomValues(n, stream: 32), dY = randomValues(m * n, stream: 33)
        var results: [[Float]] = []
        for pool in [onePool, twoPools, threePools] {
            let buffers = Buffers()
            let y = buffers.zeros(m * n), dX = buffers.zeros(m * k), dW = buffers.zeros(n * k), dBias = buffers.zeros(n)
            let xs = buffers.make(x), ws = buffers.make(w), dYs = buffers.make(dY)
            GEMM.forward(x: xs, w: ws, bias: buffers.make(bias), y: y, m: m, n: n, k: k, relu: true, pool: pool)
            GEMM.backwardInput(dY: dYs, w: ws, dX: dX, m: m, n: n, k: k, reluOutput: y, pool: pool)
            GEMM.backwardWeight(dY: dYs, x: xs, dW: dW, dBias: dBias, m: m, n: n, k: k, reluOutput: y, pool: pool)
            results.append(read(y, m * n) + read(dX, m * k) + read(dW, n * k) + read(dBias, n))
        }
        #expect(sameBits(results[0], results[1]))
        #expect(sameBits(results[0], results[2]))
    }

    /// The AVX-512 kernels do each element's arithmetic in the AVX2 kernels' order, so the two
    /// agree to the bit: on the shapes around the block sizes, with bias, ReLU, accumulation and
    /// leading dimensions.
    @Test(.enabled(if: VectorISA.avx512.isSupported, "this CPU has no AVX-512"))
    func sameBitsWithAVX2AndAVX512() {
        var results: [[Float]] = []
        for isa in [VectorISA.avx2, .avx512] {
            let pool = ThreadPool(threadCount: 2, isa: isa)
            var result: [Float] = []
            for (index, s) in (shapes + [(1000, 96, 64), (300, 256, 256)]).enumerated() {
                let ldx = s.k + index % 3, ldy = s.n + index % 2
                let x = randomValues(s.m * ldx, stream: UInt32(10 * index + 50))
                let w = randomValues(s.n * s.k, stream: UInt32(10 * index + 51))
                let bias = randomValues(s.n, stream: UInt32(10 * index + 52))
                let dY = randomValues(s.m * ldy, stream: UInt32(10 * index + 53))
                let buffers = Buffers()
                let y = buffers.make(randomValues(s.m * ldy, stream: UInt32(10 * index + 54)))
                let dX = buffers.zeros(s.m * ldx), dW = buffers.zeros(s.n * s.k), dBias = buffers.zeros(s.n)
                let xs = buffers.make(x), ws = buffers.make(w), dYs = buffers.make(dY)
                GEMM.forward(
                    x: xs, w: ws, bias: buffers.make(bias), y: y, m: s.m, n: s.n, k: s.k, relu: true,
                    accumulate: index % 2 == 1, ldx: ldx, ldy: ldy, pool: pool)
                GEMM.backwardInput(
                    dY: dYs, w: ws, dX: dX, m: s.m, n: s.n, k: s.k, reluOutput: y, lddy: ldy, lddx: ldx, pool: pool)
                GEMM.backwardWeight(
                    dY: dYs, x: xs, dW: dW, dBias: dBias, m: s.m, n: s.n, k: s.k, reluOutput: y,
                    lddy: ldy, ldx: ldx, pool: pool)
                result += read(y, s.m * ldy) + read(dX, s.m * ldx) + read(dW, s.n * s.k) + read(dBias, s.n)
                // As g's layers run them: dX stored with the input's mask, dW from an unmasked dZ.
                GEMM.backwardInput(
                    dY: dYs, w: ws, dX: dX, m: s.m, n: s.n, k: s.k, inputMask: xs, lddy: ldy, lddx: ldx, pool: pool)
                GEMM.backwardWeight(
                    dY: dYs, x: xs, dW: dW, dBias: dBias, m: s.m, n: s.n, k: s.k, lddy: ldy, ldx: ldx, pool: pool)
                result += read(dX, s.m * ldx) + read(dW, s.n * s.k) + read(dBias, s.n)
            }
            results.append(result)
        }
        #expect(sameBits(results[0], results[1]))
    }

    /// An output of `streamingFloats` floats or more, written once, goes around the caches with
    /// streaming stores. This forward and dX stream as a whole; cut into three slices of rows,
    /// each below the threshold, they are stored normally. The bits agree, on every kind of
    /// kernel and on one and three threads.
    @Test func streamingStoresGiveTheSameBits() {
        let (n, k) = (256, 256)
        let m = GEMMCore.streamingFloats / n + 7
        let x = randomValues(m * k, stream: 70), w = randomValues(n * k, stream: 71)
        let bias = randomValues(n, stream: 72), dY = randomValues(m * n, stream: 73)
        let slices = ThreadPool.ranges(of: m, parts: 3)
        #expect(m * n >= GEMMCore.streamingFloats && slices.allSatisfy { $0.count * n < GEMMCore.streamingFloats })
        for isa in VectorISA.allCases where isa.isSupported {
            for threads in [1, 3] {
                let pool = ThreadPool(threadCount: threads, isa: isa)
                var results: [[Float]] = []
                for pieces in [[0..<m], slices] {
                    let buffers = Buffers()
                    let xs = buffers.make(x), ws = buffers.make(w), dYs = buffers.make(dY), biases = buffers.make(bias)
                    let y = buffers.zeros(m * n), dX = buffers.zeros(m * k)
                    for rows in pieces {
                        let at = rows.lowerBound
                        GEMM.forward(
                            x: xs + at * k, w: ws, bias: biases, y: y + at * n, m: rows.count, n: n, k: k,
                            relu: true, pool: pool)
                    }
                    for rows in pieces {
                        let at = rows.lowerBound
                        GEMM.backwardInput(
                            dY: dYs + at * n, w: ws, dX: dX + at * k, m: rows.count, n: n, k: k,
                            reluOutput: y + at * n, pool: pool)
                    }
                    results.append(read(y, m * n) + read(dX, m * k))
                }
                #expect(sameBits(results[0], results[1]), "\(isa), \(threads) threads")
            }
        }
    }

    /// The prefetch queue hands out every cache line of the ranges it is given (A, its mask, B),
    /// each once, a slice of `lines` per kernel call, and nothing after that.
    @Test func prefetchQueueCoversTheNextBlockOnce() {
        let values = UnsafeMutableRawPointer.allocate(byteCount: 1 << 16, alignment: 64).bindMemory(to: Float.self, capacity: 1 << 14)
        defer { values.deallocate() }
        let mask = values + 8000
        // A 20 x 30 block at row stride 100 from an unaligned start, and a column-major 7 x 5 one.
        let a = StridedMatrix(values + 3, rowStride: 100, columnStride: 1, reluMask: UnsafePointer(mask))
        let b = StridedMatrix(values + 5000, rowStride: 1, columnStride: 64)
        var queue = PrefetchQueue()
        queue.add(a, rows: 2..<22, columns: 1..<31)
        queue.add(b, rows: 0..<7, columns: 0..<5)
        func line(_ pointer: UnsafePointer<Float>) -> Int { (Int(bitPattern: pointer) - Int(bitPattern: values)) >> 6 }
        var handedOut: [Int] = []
        while let start = queue.next(lines: 3) {
            handedOut += (0..<3).map { line(start) + $0 }
        }
        var expected = Set<Int>()
        for (base, matrix, rows, columns) in [(values + 3, a, 2..<22, 1..<31), (mask + 3, a, 2..<22, 1..<31),
                                              (values + 5000, b, 0..<7, 0..<5)] {
            let first = rows.lowerBound * matrix.rowStride + columns.lowerBound * matrix.columnStride
            let last = (rows.upperBound - 1) * matrix.rowStride + (columns.upperBound - 1) * matrix.columnStride
            expected.formUnion(line(base + first)...line(base + last))
        }
        // Slices end on whole slices, so up to two lines past a range's end may be requested.
        #expect(Set(handedOut).isSuperset(of: expected))
        #expect(handedOut.count == Set(handedOut).count)
        #expect(handedOut.count <= expected.count + 3 * 2)
        #expect(queue.next(lines: 3) == nil)
    }

    /// The reference backward is the derivative of the reference forward (bias and ReLU included).
    @Test func referenceBackwardPassesGradientCheck() {
        for (m, n, k, elementwise) in [(2, 3, 4, true), (9, 7, 11, false)] {
            let x = randomValues(m * k, stream: 40), w = randomValues(n * k, stream: 41)
            let bias = randomValues(n, stream: 42), upstream = randomValues(m * n, stream: 43)
            let forward: ([[Double]]) -> [Double] = { inputs in
                GEMM.forwardReference(x: inputs[0], w: inputs[1], bias: inputs[2], m: m, n: n, k: k, relu: true)
            }
            let y = forward([x, w, bias])
            let g = GEMM.backwardReference(dY: upstream, x: x, w: w, y: y, m: m, n: n, k: k)
            let gradients = [g.dX, g.dW, g.dBias]
            #expect(GradientCheck.agrees(GradientCheck.directional(
                inputs: [x, w, bias], upstream: upstream, gradients: gradients, stream: 44, forward: forward)))
            if elementwise {
                #expect(GradientCheck.elementwiseError(
                    inputs: [x, w, bias], upstream: upstream, gradients: gradients, forward: forward) <= Tolerance.gradient)
            }
        }
    }
}
