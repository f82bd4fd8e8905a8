/// 3 x 3 convolution, stride 2, padding 1, with bias: the conv stem's layers (75 -> 38 -> 19 ->
/// 10 -> 5 with C = 24 channels). Tensors are NCHW like PyTorch: x [B, Cin, H, W],
/// weight [Cout, Cin, 3, 3], bias [Cout], y [B, Cout, Ho, Wo].
///
/// Each image is lowered to columns (im2col: col [Cin·9, Ho·Wo]) and multiplied on the GEMM
/// core: `y_b = W · col_b`, whose rows are output channels, so the result is already NCHW and
/// the bias is a per-row epilogue, fused with the ReLU that follows every stem convolution.
/// Backward reuses the columns: `dW += dZ_b · col_bᵀ` (the bias gradient is summed while dZ_b
/// is packed) and `dcol = Wᵀ · dZ_b`, scattered back by col2im.
public struct ConvolutionShape: Equatable, Sendable {
    public static let kernelSize = 3
    public static let stride = 2
    public static let padding = 1

    public let batch: Int
    public let inChannels: Int
    public let outChannels: Int
    public let inHeight: Int
    public let inWidth: Int

    public init(batch: Int, inChannels: Int, outChannels: Int, inHeight: Int, inWidth: Int) {
        precondition(batch >= 1 && inChannels >= 1 && outChannels >= 1 && inHeight >= 1 && inWidth >= 1)
        self.batch = batch
        self.inChannels = inChannels
        self.outChannels = outChannels
        self.inHeight = inHeight
        self.inWidth = inWidth
    }

    public var outHeight: Int { (inHeight + 2 * Self.padding - Self.kernelSize) / Self.stride + 1 }
    public var outWidth: Int { (inWidth + 2 * Self.padding - Self.kernelSize) / Self.stride + 1 }
    public var inputCount: Int { batch * inChannels * inHeight * inWidth }
    public var outputCount: Int { batch * outChannels * outHeight * outWidth }
    public var weightCount: Int { outChannels * patchSize }
    /// Cin · 3 · 3: the length of one lowered patch.
    public var patchSize: Int { inChannels * Self.kernelSize * Self.kernelSize }
    /// Multiply-accumulates of one forward pass.
    public var multiplyAccumulates: Int { batch * outChannels * outHeight * outWidth * patchSize }
}

public enum Convolution {
    /// `y = conv(x, weight) + bias`, then ReLU when `relu`. Images are independent, so they are
    /// shared among threads in any way without changing the bits.
    public static func forward(
        x: UnsafePointer<Float>, weight: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>, shape: ConvolutionShape, relu: Bool, pool: ThreadPool
    ) {
        let pixels = shape.outHeight * shape.outWidth
        let patch = shape.patchSize
        // One image per chunk, so the threads share the images out as they become free.
        pool.forEachChunk(shape.batch) { image in
            let columns = Scratch(count: patch * pixels)
            defer { columns.free() }
            lowerToColumns(x + image * shape.inChannels * shape.inHeight * shape.inWidth, shape: shape, into: columns.base)
            GEMMCore.multiply(
                rows: 0..<shape.outChannels, n: pixels, k: patch,
                a: StridedMatrix(weight, rowStride: patch, columnStride: 1),
                b: StridedMatrix(columns.base, rowStride: pixels, columnStride: 1),
                c: y + image * shape.outChannels * pixels, ldc: pixels,
                epilogue: Epilogue(accumulate: false, columnBias: nil, rowBias: bias, relu: relu),
                aRowSums: nil, isa: pool.isa)
        }
    }

    /// Gradients of `forward`: from dY (the gradient of y) and, when the forward had a ReLU, its
    /// output y (`reluOutput`), computes dWeight and dBias (overwritten) and dX when asked (the
    /// first layer's input is the image and needs none).
    ///
    /// The weight and bias gradients reduce over the batch, so the batch is cut into a fixed
    /// number of chunks (`reductionChunkCount`, a function of the batch size only); each chunk
    /// sums its images in order, and the chunks' partials are added in chunk order.
    public static func backward(
        dY: UnsafePointer<Float>, x: UnsafePointer<Float>, weight: UnsafePointer<Float>,
        reluOutput: UnsafePointer<Float>?, dX: UnsafeMutablePointer<Float>?,
        dWeight: UnsafeMutablePointer<Float>, dBias: UnsafeMutablePointer<Float>,
        shape: ConvolutionShape, pool: ThreadPool
    ) {
        let pixels = shape.outHeight * shape.outWidth
        let patch = shape.patchSize
        let outputs = shape.outChannels
        let imageInput = shape.inChannels * shape.inHeight * shape.inWidth
        let chunks = reductionChunkCount(shape.batch)
        let bounds = ThreadPool.ranges(of: shape.batch, parts: chunks)
        let weightPartials = Scratch(count: chunks * outputs * patch)
        let biasPartials = Scratch(count: chunks * outputs)
        defer { weightPartials.free(); biasPartials.free() }
        biasPartials.base.initialize(repeating: 0, count: chunks * outputs)
        pool.forEachChunk(chunks) { chunk in
            let columns = Scratch(count: patch * pixels)
            let columnGradient = Scratch(count: dX == nil ? 0 : patch * pixels)
            defer { columns.free(); columnGradient.free() }
            for image in bounds[chunk] {
                let dZ = StridedMatrix(
                    dY + image * outputs * pixels, rowStride: pixels, columnStride: 1,
                    reluMask: reluOutput.map { $0 + image * outputs * pixels })
                lowerToRows(x + image * imageInput, shape: shape, into: columns.base)
                // dW[Cout, patch] (+)= dZ_b[Cout, pixels] · col_bᵀ[pixels, patch]
                GEMMCore.multiply(
                    rows: 0..<outputs, n: patch, k: pixels, a: dZ,
                    b: StridedMatrix(columns.base, rowStride: patch, columnStride: 1),
                    c: weightPartials.base + chunk * outputs * patch, ldc: patch,
                    epilogue: Epilogue(accumulate: image != bounds[chunk].lowerBound, columnBias: nil, rowBias: nil, relu: false),
                    aRowSums: biasPartials.base + chunk * outputs, isa: pool.isa)
                if let dX {
                    // dcol[patch, pixels] = Wᵀ[patch, Cout] · dZ_b[Cout, pixels]
                    GEMMCore.multiply(
                        rows: 0..<patch, n: pixels, k: outputs,
                        a: StridedMatrix(weight, rowStride: 1, columnStride: patch), b: dZ,
                        c: columnGradient.base, ldc: pixels,
                        epilogue: Epilogue(accumulate: false, columnBias: nil, rowBias: nil, relu: false),
                        aRowSums: nil, isa: pool.isa)
                    raiseFromColumns(columnGradient.base, shape: shape, into: dX + image * imageInput)
                }
            }
        }
        for index in 0..<(outputs * patch) {
            var sum = weightPartials.base[index]
            for chunk in 1..<chunks { sum += weightPartials.base[chunk * outputs * patch + index] }
            dWeight[index] = sum
        }
        for channel in 0..<outputs {
            var sum = biasPartials.base[channel]
            for chunk in 1..<chunks { sum += biasPartials.base[chunk * outputs + channel] }
            dBias[channel] = sum
        }
    }

    /// A function of the batch size only (never of the thread count): up to 8 chunks.
    public static func reductionChunkCount(_ batch: Int) -> Int { max(1, min(8, batch)) }

    /// The outputs `o` whose tap at kernel offset `k` reads an input inside `0 ..< input`:
    /// `0 ≤ 2·o - 1 + k < input`, among `0 ..< output`. The others read the zero padding.
    static func taps(offset k: Int, input: Int, output: Int) -> Range<Int> {
        // 2·o - 1 + k ≥ 0: o ≥ 1 when k = 0; 2·o - 1 + k ≤ input - 1: o ≤ (input - k) / 2.
        let end = input - k < 0 ? 0 : min(output, (input - k) / 2 + 1)
        return min(k == 0 ? 1 : 0, end)..<end
    }

    /// im2col for one image: `col[(ci·3 + kh)·3 + kw, oh·Wo + ow] = x[ci, 2·oh - 1 + kh, 2·ow - 1 + kw]`,
    /// zero where the tap falls in the padding. The taps of one output row are every second
    /// input of one input row: eight at a time from sixteen adjacent floats.
    static func lowerToColumns(_ x: UnsafePointer<Float>, shape: ConvolutionShape, into col: UnsafeMutablePointer<Float>) {
        let h = shape.inHeight, w = shape.inWidth, ho = shape.outHeight, wo = shape.outWidth
        var row = col
        for channel in 0..<shape.inChannels {
            let plane = x + channel * h * w
            for kh in 0..<3 {
                let rows = taps(offset: kh, input: h, output: ho)
                for kw in 0..<3 {
                    let columns = taps(offset: kw, input: w, output: wo)
                    for oh in 0..<ho {
                        let out = row + oh * wo
                        guard rows.contains(oh) else {
                            out.initialize(repeating: 0, count: wo)
                            continue
                        }
                        let line = plane + (2 * oh - 1 + kh) * w
                        // At most one output on each side reads the padding (see `taps`).
                        if columns.lowerBound > 0 { out[0] = 0 }
                        var ow = columns.lowerBound
                        // The sixteen floats from input 2·ow - 1 + kw must lie in this row.
                        while ow + 8 <= columns.upperBound && 2 * ow - 1 + kw + 16 <= w {
                            let pairs = UnsafeRawPointer(line + 2 * ow - 1 + kw).loadUnaligned(as: SIMD16<Float>.self)
                            storeVector(pairs.evenHalf, out + ow)
                            ow += 8
                        }
                        while ow < columns.upperBound {
                            out[ow] = line[2 * ow - 1 + kw]
                            ow += 1
                        }
                        if columns.upperBound < wo { out[wo - 1] = 0 }
                    }
                    row += ho * wo
                }
            }
        }
    }

    /// The transpose of `lowerToColumns`: one row of Cin·9 taps per output pixel, so the dW
    /// product packs it with contiguous loads. A pixel whose nine taps all lie inside the image
    /// copies them without tests.
    static func lowerToRows(_ x: UnsafePointer<Float>, shape: ConvolutionShape, into rows: UnsafeMutablePointer<Float>) {
        let h = shape.inHeight, w = shape.inWidth, ho = shape.outHeight, wo = shape.outWidth
        let patch = shape.patchSize, planeSize = h * w
        let inside = (rows: taps(offset: 0, input: h, output: ho).clamped(to: taps(offset: 2, input: h, output: ho)),
                      columns: taps(offset: 0, input: w, output: wo).clamped(to: taps(offset: 2, input: w, output: wo)))
        for oh in 0..<ho {
            for ow in 0..<wo {
                let out = rows + (oh * wo + ow) * patch
                // The tap (kh, kw) = (0, 0) of this pixel, maybe in the padding.
                let corner = (2 * oh - 1) * w + 2 * ow - 1
                if inside.rows.contains(oh) && inside.columns.contains(ow) {
                    for channel in 0..<shape.inChannels {
                        let source = x + channel * planeSize + corner, nine = out + channel * 9
                        nine[0] = source[0]; nine[1] = source[1]; nine[2] = source[2]
                        nine[3] = source[w]; nine[4] = source[w + 1]; nine[5] = source[w + 2]
                        nine[6] = source[2 * w]; nine[7] = source[2 * w + 1]; nine[8] = source[2 * w + 2]
                    }
                    continue
                }
                for channel in 0..<shape.inChannels {
                    let plane = x + channel * planeSize
                    for kh in 0..<3 {
                        let ih = 2 * oh - 1 + kh
                        for kw in 0..<3 {
                            let iw = 2 * ow - 1 + kw
                            out[(channel * 3 + kh) * 3 + kw] = ih >= 0 && ih < h && iw >= 0 && iw < w ? plane[ih * w + iw] : 0
                        }
                    }
                }
            }
        }
    }

    /// col2im for one image: the adjoint of `lowerToColumns`, overwriting dx. Taps are added in
    /// a fixed order (channel, kh, kw, oh, ow), each input receiving at most one per (kh, kw):
    /// eight at a time into every second float of sixteen adjacent ones (the others are
    /// rewritten unchanged).
    static func raiseFromColumns(_ col: UnsafePointer<Float>, shape: ConvolutionShape, into dx: UnsafeMutablePointer<Float>) {
        let h = shape.inHeight, w = shape.inWidth, ho = shape.outHeight, wo = shape.outWidth
        dx.initialize(repeating: 0, count: shape.inChannels * h * w)
        var row = col
        for channel in 0..<shape.inChannels {
            let plane = dx + channel * h * w
            for kh in 0..<3 {
                let rows = taps(offset: kh, input: h, output: ho)
                for kw in 0..<3 {
                    let columns = taps(offset: kw, input: w, output: wo)
                    for oh in rows {
                        let line = plane + (2 * oh - 1 + kh) * w
                        let source = row + oh * wo
                        var ow = columns.lowerBound
                        while ow + 8 <= columns.upperBound && 2 * ow - 1 + kw + 16 <= w {
                            let target = UnsafeMutableRawPointer(line + 2 * ow - 1 + kw)
                            var pairs = target.loadUnaligned(as: SIMD16<Float>.self)
                            pairs.evenHalf += loadVector(source + ow)
                            target.storeBytes(of: pairs, as: SIMD16<Float>.self)
                            ow += 8
                        }
                        while ow < columns.upperBound {
                            line[2 * ow - 1 + kw] += source[ow]
                            ow += 1
                        }
                    }
                    row += ho * wo
                }
            }
        }
    }

    // MARK: - Scalar references

    /// The direct seven-loop convolution, ReLU optional.
    public static func forwardReference(
        x: [Double], weight: [Double], bias: [Double], shape: ConvolutionShape, relu: Bool
    ) -> [Double] {
        let s = shape
        var y = [Double](repeating: 0, count: s.outputCount)
        for b in 0..<s.batch {
            for co in 0..<s.outChannels {
                for oh in 0..<s.outHeight {
                    for ow in 0..<s.outWidth {
                        var sum = bias[co]
                        for ci in 0..<s.inChannels {
                            for kh in 0..<3 {
                                for kw in 0..<3 {
                                    let ih = 2 * oh - 1 + kh, iw = 2 * ow - 1 + kw
                                    guard ih >= 0 && ih < s.inHeight && iw >= 0 && iw < s.inWidth else { continue }
                                    sum += weight[((co * s.inChannels + ci) * 3 + kh) * 3 + kw]
                                        * x[((b * s.inChannels + ci) * s.inHeight + ih) * s.inWidth + iw]
                                }
                            }
                        }
                        y[((b * s.outChannels + co) * s.outHeight + oh) * s.outWidth + ow] = relu ? max(sum, 0) : sum
                    }
                }
            }
        }
        return y
    }

    /// The backward of `forwardReference`; `y` (its output) supplies the ReLU mask when given.
    public static func backwardReference(
        dY: [Double], x: [Double], weight: [Double], y: [Double]?, shape: ConvolutionShape
    ) -> (dX: [Double], dWeight: [Double], dBias: [Double]) {
        let s = shape
        var dX = [Double](repeating: 0, count: s.inputCount)
        var dWeight = [Double](repeating: 0, count: s.weightCount)
        var dBias = [Double](repeating: 0, count: s.outChannels)
        for b in 0..<s.batch {
            for co in 0..<s.outChannels {
                for oh in 0..<s.outHeight {
                    for ow in 0..<s.outWidth {
                        let index = ((b * s.outChannels + co) * s.outHeight + oh) * s.outWidth + ow
                        if let y, !(y[index] > 0) { continue }
                        let g = dY[index]
                        dBias[co] += g
                        for ci in 0..<s.inChannels {
                            for kh in 0..<3 {
                                for kw in 0..<3 {
                                    let ih = 2 * oh - 1 + kh, iw = 2 * ow - 1 + kw
                                    guard ih >= 0 && ih < s.inHeight && iw >= 0 && iw < s.inWidth else { continue }
                                    let wi = ((co * s.inChannels + ci) * 3 + kh) * 3 + kw
                                    let xi = ((b * s.inChannels + ci) * s.inHeight + ih) * s.inWidth + iw
                                    dWeight[wi] += g * x[xi]
                                    dX[xi] += g * weight[wi]
                                }
                            }
                        }
                    }
                }
            }
        }
        return (dX, dWeight, dBias)
    }
}
