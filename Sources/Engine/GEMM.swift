/// Matrix products for linear layers, packed and register-blocked in the BLIS style.
///
/// A linear layer with weight W[N, K] needs three products (M is the number of rows: the batch,
/// or batch x pairs P for g):
///
/// - forward  `Y[M, N] = X[M, K] · W[N, K]ᵀ + bias[N]`, ReLU fused into the store;
/// - backward `dX[M, K] = dZ[M, N] · W[N, K]`;
/// - backward `dW[N, K] = dZ[M, N]ᵀ · X[M, K]`, `dBias[N] = Σ_m dZ[m, :]`;
///
/// where `dZ = dY ⊙ [Y > 0]` when the layer has a ReLU. No pass over memory is spent on the
/// mask. Where the caller has dZ already (RN's g layers: the layer above stored it), both
/// backward products read it as it is; `backwardInput` can store its dX with the input's ReLU
/// mask (`inputMask`), which makes it the dZ of the layer below. Otherwise (`reluOutput`) the
/// mask is applied while the operand holding dY is copied into packed panels. dW is computed
/// as its transpose `Xᵀ · dZ`: Xᵀ is read in place, dZ packed, and the bias gradient summed
/// from the loads of that copy.
///
/// All three run on one core routine, `GEMMCore.multiply`: B is packed into 16-column panels,
/// A is read in place or copied (masked) per block of 72 rows, and a 6 x 16 register block of
/// twelve `SIMD8<Float>` accumulators runs `addingProduct` (one FMA per lane) over K. On a pool
/// whose `isa` is `.avx512`, pairs of 6-row micro-panels by pairs of panels go to the 12 x 32
/// block of `AVX512Kernels` instead, which gives the same bits (see there). While a block
/// computes, its kernels prefetch the next block's operands into L2 (`PrefetchQueue`), and an
/// output larger than the caches is written with streaming stores: memory hints that change no
/// value. Each output element is summed over k = 0 ..< K in order, whatever the row partition,
/// so the forward and dX products give the same bits on any number of threads. dW reduces over
/// M: M is split into a fixed number of chunks (a function of M only), each chunk's partial
/// product is computed by one thread, and the partials are added in chunk order.
public enum GEMM {
    /// `Y[M, N] = X[M, K] · W[N, K]ᵀ + bias[N]`, then ReLU when `relu`; with `accumulate`,
    /// the product is added to Y first.
    ///
    /// Leading dimensions (row strides, in floats) default to the packed widths; pass them to
    /// work on column slices, e.g. RN's g1 weight [H, 63] split into per-object and question
    /// blocks.
    public static func forward(
        x: UnsafePointer<Float>, w: UnsafePointer<Float>, bias: UnsafePointer<Float>?,
        y: UnsafeMutablePointer<Float>, m: Int, n: Int, k: Int, relu: Bool = false,
        accumulate: Bool = false, ldx: Int? = nil, ldw: Int? = nil, ldy: Int? = nil, pool: ThreadPool
    ) {
        let a = StridedMatrix(x, rowStride: ldx ?? k, columnStride: 1)
        let b = StridedMatrix(w, rowStride: 1, columnStride: ldw ?? k)
        let epilogue = Epilogue(accumulate: accumulate, columnBias: bias, rowBias: nil, relu: relu)
        multiplySplittingRows(m: m, n: n, k: k, a: a, b: b, c: y, ldc: ldy ?? n, epilogue: epilogue, pool: pool)
    }

    /// `dX[M, K] = dZ[M, N] · W[N, K]` with `dZ = dY ⊙ [reluOutput > 0]` when `reluOutput`
    /// (the layer's forward output Y, laid out like dY) is given; with `accumulate`, adds to dX.
    ///
    /// With `inputMask` (laid out like dX), dX is then zeroed where it is not positive. Pass the
    /// layer's input X when X is the ReLU output of the layer below: dX is then that layer's dZ,
    /// which its own products read without a mask, and no pass over dX is needed for it.
    public static func backwardInput(
        dY: UnsafePointer<Float>, w: UnsafePointer<Float>, dX: UnsafeMutablePointer<Float>,
        m: Int, n: Int, k: Int, reluOutput: UnsafePointer<Float>? = nil, inputMask: UnsafePointer<Float>? = nil,
        accumulate: Bool = false, lddy: Int? = nil, ldw: Int? = nil, lddx: Int? = nil, pool: ThreadPool
    ) {
        let a = StridedMatrix(dY, rowStride: lddy ?? n, columnStride: 1, reluMask: reluOutput)
        let b = StridedMatrix(w, rowStride: ldw ?? k, columnStride: 1)
        let epilogue = Epilogue(
            accumulate: accumulate, columnBias: nil, rowBias: nil, relu: false, outputMask: inputMask)
        multiplySplittingRows(m: m, n: k, k: n, a: a, b: b, c: dX, ldc: lddx ?? k, epilogue: epilogue, pool: pool)
    }

    /// `dW[N, K] = dZ[M, N]ᵀ · X[M, K]` and `dBias[N] = Σ_m dZ[m, :]` (when `dBias` is given),
    /// with `dZ = dY ⊙ [reluOutput > 0]` when `reluOutput` is given. With `accumulate`, both
    /// are added to the existing gradients.
    public static func backwardWeight(
        dY: UnsafePointer<Float>, x: UnsafePointer<Float>, dW: UnsafeMutablePointer<Float>,
        dBias: UnsafeMutablePointer<Float>?, m: Int, n: Int, k: Int,
        reluOutput: UnsafePointer<Float>? = nil, accumulate: Bool = false,
        lddy: Int? = nil, ldx: Int? = nil, lddw: Int? = nil, pool: ThreadPool
    ) {
        guard n > 0 else { return }
        let lddy = lddy ?? n, ldx = ldx ?? k, lddw = lddw ?? k
        let chunks = reductionChunkCount(m)
        let bounds = ThreadPool.ranges(of: m, parts: chunks)
        // Chunk c's partial product is dWᵀ over its rows: element (p, j) at partials[(c * k + p) * n + j].
        let partials = Scratch(count: chunks * k * n)
        let biasPartials = Scratch(count: chunks * n)
        defer { partials.free(); biasPartials.free() }
        biasPartials.base.initialize(repeating: 0, count: chunks * n)
        // dWᵀ = Xᵀ · dZ over chunk c's rows. A = Xᵀ is read in place (element (p, i) at X[i, p],
        // each depth step a row of X); B = dZ is packed, its mask applied and the bias gradient's
        // column sums taken from the same loads.
        func operands(_ chunk: Int) -> GEMMCore.Operands {
            let rows = bounds[chunk]
            return GEMMCore.Operands(
                a: StridedMatrix(x + rows.lowerBound * ldx, rowStride: 1, columnStride: ldx),
                b: StridedMatrix(
                    dY + rows.lowerBound * lddy, rowStride: lddy, columnStride: 1,
                    reluMask: reluOutput.map { $0 + rows.lowerBound * lddy }),
                k: rows.count)
        }
        // The threads take the chunks from a queue, each one chunk ahead, so that it prefetches
        // the next chunk's first block while it finishes one (a chunk's partial does not depend
        // on who computes it).
        let queue = ChunkQueue(count: chunks)
        pool.forEachChunk(min(pool.threadCount, chunks)) { _ in
            var upcoming = queue.next()
            while let chunk = upcoming {
                upcoming = queue.next()
                let this = operands(chunk)
                GEMMCore.multiply(
                    rows: 0..<k, n: n, k: this.k, a: this.a, b: this.b, c: partials.base + chunk * k * n, ldc: n,
                    epilogue: Epilogue(accumulate: false, columnBias: nil, rowBias: nil, relu: false),
                    aRowSums: nil, bColumnSums: dBias == nil ? nil : biasPartials.base + chunk * n,
                    // All K rows of Xᵀ in one block: each depth step of A is then one contiguous
                    // row of X, read in address order.
                    rowBlock: min(k, 512), then: upcoming.map(operands), isa: pool.isa)
            }
        }
        // dW[j, p] = Σ_c partial_c[p, j] (after dW[j, p] when accumulating), the partials added in
        // chunk order, so the bits do not depend on who computed them. Row p of every partial is
        // read in address order, eight columns at a time; the eight sums go down column p of dW.
        // Sixteen rows p to a chunk, so the threads share them out as they become free.
        let depthParts = ThreadPool.ranges(of: k, parts: max(1, (k + 15) / 16))
        pool.forEachChunk(depthParts.count) { part in
            for p in depthParts[part] {
                let out = dW + p
                var j = 0
                while j + 8 <= n {
                    var sum = loadVector(partials.base + p * n + j)
                    if accumulate {
                        var old = SIMD8<Float>()
                        for lane in 0..<8 { old[lane] = out[(j + lane) * lddw] }
                        sum = old + sum
                    }
                    for chunk in 1..<chunks { sum += loadVector(partials.base + (chunk * k + p) * n + j) }
                    for lane in 0..<8 { out[(j + lane) * lddw] = sum[lane] }
                    j += 8
                }
                while j < n {
                    var sum = accumulate ? out[j * lddw] + partials.base[p * n + j] : partials.base[p * n + j]
                    for chunk in 1..<chunks { sum += partials.base[(chunk * k + p) * n + j] }
                    out[j * lddw] = sum
                    j += 1
                }
            }
        }
        if let dBias {
            for j in 0..<n {
                var sum = accumulate ? dBias[j] + biasPartials.base[j] : biasPartials.base[j]
                for chunk in 1..<chunks { sum += biasPartials.base[chunk * n + j] }
                dBias[j] = sum
            }
        }
    }

    /// How many fixed chunks the M reduction of dW is split into: a function of M only (never
    /// of the thread count), 16 for RN's g layers so up to 16 threads find work.
    public static func reductionChunkCount(_ m: Int) -> Int {
        max(1, min(16, m / 256))
    }

    /// Shares the output rows among the threads in blocks, each thread taking the next block
    /// when it is free; a product deeper than one pass (K > `GEMMCore.kc`) is split into one
    /// contiguous range per thread instead, since a block's later passes add to its earlier ones.
    /// Rows are independent, so the sharing changes the schedule, never the bits.
    static func multiplySplittingRows(
        m: Int, n: Int, k: Int, a: StridedMatrix, b: StridedMatrix, c: UnsafeMutablePointer<Float>,
        ldc: Int, epilogue: Epilogue, pool: ThreadPool
    ) {
        let parts = max(1, min(pool.threadCount, m / GEMMCore.mr))
        if k <= GEMMCore.kc {
            let blocks = ChunkQueue(count: GEMMCore.rowBlocks(m, isa: pool.isa))
            pool.forEachChunk(parts) { _ in
                GEMMCore.multiply(
                    rows: 0..<m, n: n, k: k, a: a, b: b, c: c, ldc: ldc, epilogue: epilogue, aRowSums: nil,
                    sharedBlocks: blocks, isa: pool.isa)
            }
            return
        }
        let bounds = ThreadPool.ranges(of: m, parts: parts)
        pool.forEachChunk(parts) { part in
            GEMMCore.multiply(
                rows: bounds[part], n: n, k: k, a: a, b: b, c: c, ldc: ldc, epilogue: epilogue, aRowSums: nil,
                isa: pool.isa)
        }
    }

    // MARK: - Scalar references

    /// `Y = X · Wᵀ + bias`, then ReLU when `relu`: the plain triple loop the fast kernel is
    /// tested against. X [M, K], W [N, K], bias [N], Y [M, N].
    public static func forwardReference(
        x: [Double], w: [Double], bias: [Double]?, m: Int, n: Int, k: Int, relu: Bool
    ) -> [Double] {
        var y = [Double](repeating: 0, count: m * n)
        for i in 0..<m {
            for j in 0..<n {
                var sum = bias?[j] ?? 0
                for p in 0..<k { sum += x[i * k + p] * w[j * k + p] }
                y[i * n + j] = relu ? max(sum, 0) : sum
            }
        }
        return y
    }

    /// The backward of `forwardReference`: given dY [M, N] (and Y for the ReLU mask), returns
    /// dX [M, K], dW [N, K], dBias [N].
    public static func backwardReference(
        dY: [Double], x: [Double], w: [Double], y: [Double]?, m: Int, n: Int, k: Int
    ) -> (dX: [Double], dW: [Double], dBias: [Double]) {
        var dZ = dY
        if let y { for index in dZ.indices where !(y[index] > 0) { dZ[index] = 0 } }
        var dX = [Double](repeating: 0, count: m * k)
        var dW = [Double](repeating: 0, count: n * k)
        var dBias = [Double](repeating: 0, count: n)
        for i in 0..<m {
            for j in 0..<n {
                let g = dZ[i * n + j]
                dBias[j] += g
                for p in 0..<k {
                    dX[i * k + p] += g * w[j * k + p]
                    dW[j * k + p] += g * x[i * k + p]
                }
            }
        }
        return (dX, dW, dBias)
    }
}
