import _EngineAVX512
import _MemoryHints

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

// MARK: - Core

/// A read-only operand: element (row, column) at `base[row * rowStride + column * columnStride]`,
/// read as zero where `reluMask` (same strides) is not positive.
struct StridedMatrix {
    let base: UnsafePointer<Float>
    let rowStride: Int
    let columnStride: Int
    let reluMask: UnsafePointer<Float>?

    init(_ base: UnsafePointer<Float>, rowStride: Int, columnStride: Int, reluMask: UnsafePointer<Float>? = nil) {
        self.base = base
        self.rowStride = rowStride
        self.columnStride = columnStride
        self.reluMask = reluMask
    }

    init(_ base: UnsafeMutablePointer<Float>, rowStride: Int, columnStride: Int, reluMask: UnsafePointer<Float>? = nil) {
        self.init(UnsafePointer(base), rowStride: rowStride, columnStride: columnStride, reluMask: reluMask)
    }
}

/// What happens to a finished block of C: `C = [C +] A·B [+ bias] [ReLU]`.
struct Epilogue {
    var accumulate: Bool
    /// Indexed by output column (a linear layer's bias).
    var columnBias: UnsafePointer<Float>?
    /// Indexed by output row (a convolution's bias, rows being output channels).
    var rowBias: UnsafePointer<Float>?
    var relu: Bool
    /// When given (laid out like C, `ldc` apart), C is zeroed where it is not positive, after
    /// everything else: the ReLU mask of the layer below, applied to a dX as it is stored.
    var outputMask: UnsafePointer<Float>? = nil
    /// Full blocks are written with streaming stores (set by `GEMMCore.multiply` for outputs
    /// too large for the caches; the values are the same).
    var streaming = false

    /// Whether the epilogue only stores C, or adds to it: `C = [C +] A·B`.
    var addsOnly: Bool {
        columnBias == nil && rowBias == nil && !relu && outputMask == nil && !streaming
    }
}

enum GEMMCore {
    /// Register block: 6 rows x 16 columns = 12 SIMD8 accumulators, plus 2 B vectors and one
    /// broadcast: 15 of the 16 ymm registers.
    static let mr = 6
    static let nr = 16
    /// Rows of A handled per block (72 x 256 floats = 72 KB, cache-resident while B's
    /// 16-column micro-panel, 16 KB, stays in L1).
    static let mc = 72
    /// The same for the AVX-512 block: 144 rows measured faster than 72 here, and, with each
    /// twelve rows running across all of B (see `multiply`), 96 even and 192 or 288 slower (the
    /// row partition does not change the bits).
    static let mcAVX512 = 144
    /// Depth of one pass: K up to 256 (every g and f layer) runs without splitting.
    static let kc = 256

    /// `C[rows, 0 ..< n] = epilogue(A[rows, 0 ..< k] · B[0 ..< k, 0 ..< n])`, single-threaded,
    /// in blocks of `rowBlock` rows (by default `blockRows(isa:)`). With `sharedBlocks`, only the
    /// blocks this call takes from that queue (block i: rows `rows.lowerBound + i * rowBlock`
    /// on), the threads of one product sharing it; only for K ≤ `kc`. `then`: the operands of
    /// the product the caller runs next on this thread (dW's next chunk, the same but for K),
    /// whose first block the last block prefetches.
    /// When `aRowSums` is given, adds `Σ_p A[i, p]` (mask applied) to `aRowSums[i]` for every
    /// row i in `rows`; when `bColumnSums` is given, adds `Σ_p B[p, j]` (mask applied) to
    /// `bColumnSums[j]` for every j < n, even when `rows` is empty. Both sum each depth block of
    /// 256 from zero in order, then add it.
    ///
    /// B is always packed. A is read in place when its rows or its columns are contiguous, it
    /// needs no mask and no row sums (the forward reads X's rows, dW reads Xᵀ, each depth step a
    /// row of X); otherwise each block of `rowBlock` rows is copied once, masked, by `packA`.
    static func multiply(
        rows: Range<Int>, n: Int, k: Int, a: StridedMatrix, b: StridedMatrix,
        c: UnsafeMutablePointer<Float>, ldc: Int, epilogue: Epilogue, aRowSums: UnsafeMutablePointer<Float>?,
        bColumnSums: UnsafeMutablePointer<Float>? = nil, rowBlock: Int? = nil, sharedBlocks: ChunkQueue? = nil,
        then next: Operands? = nil, isa: VectorISA
    ) {
        guard n > 0, !rows.isEmpty || bColumnSums != nil else { return }
        let mc = rowBlock.map { max(mr, $0) } ?? blockRows(isa: isa)
        let panels = (n + nr - 1) / nr
        let maximumDepth = max(1, min(k, kc))
        let packedB = Scratch(count: panels * panelStride(rows: nr, depth: maximumDepth))
        // `packA` copies a block's rows one after another: at most mc rows of one depth block.
        let packedA = Scratch(count: mc * maximumDepth)
        let packedTail = Scratch(count: mr * maximumDepth)
        let leftover = Scratch(count: isa == .avx512 ? AVX512Kernels.rows * maximumDepth : 0)
        let tile = Scratch(count: isa == .avx512 ? AVX512Kernels.tileCount : 0)
        defer { packedB.free(); packedA.free(); packedTail.free(); leftover.free(); tile.free() }
        let direct = a.reluMask == nil && aRowSums == nil && (a.rowStride == 1 || a.columnStride == 1)
        let depthBlocks = max(1, (k + kc - 1) / kc)
        precondition(sharedBlocks == nil || depthBlocks == 1, "a shared product has one pass")
        // An output larger than the caches, written once, bypasses them (see `streamingFloats`).
        var epilogue = epilogue
        epilogue.streaming = !epilogue.accumulate && depthBlocks == 1 && rows.count * n >= streamingFloats
            && Int(bitPattern: c) % 64 == 0 && ldc % nr == 0
        defer { if epilogue.streaming { rnrepro_store_fence() } }
        // With one block of rows (dW's), each pair of B panels serves that block only: it is
        // packed just before its kernels, into one of two slots that stay in L1, instead of all
        // panels at once through L2 (the copy alone took 40 % less time; dW 0.7 to 1.4 % of the
        // peak in paired runs).
        let packPairs = isa == .avx512 && b.columnStride == 1 && b.reluMask == nil
            && n % AVX512Kernels.columns == 0 && sharedBlocks == nil && !rows.isEmpty && rows.count <= mc
        for depthBlock in 0..<depthBlocks {
            let p0 = depthBlock * kc
            let depth = min(kc, k - p0)
            let loadC = depthBlock > 0 || epilogue.accumulate
            let finish = depthBlock == depthBlocks - 1
            let bStride = panelStride(rows: nr, depth: depth)
            if !packPairs {
                packB(b, p0: p0, depth: depth, n: n, into: packedB.base, panelStride: bStride, columnSums: bColumnSums,
                      isa: isa)
            }
            // This thread's row blocks, each taken one ahead so that its rows can be prefetched.
            var blocks = RowBlocks(rows: rows, size: mc, shared: sharedBlocks)
            var upcoming = blocks.next()
            while let blockRange = upcoming {
                upcoming = blocks.next()
                let i0 = blockRange.lowerBound, blockRows = blockRange.count
                let block: PackedA
                if !direct {
                    block = packA(a, i0: i0, rows: blockRows, p0: p0, depth: depth, into: packedA.base, rowSums: aRowSums)
                } else if a.rowStride == 1 {
                    block = PackedA(base: a.base + i0 + p0 * a.columnStride, rowStep: 1, depthStep: a.columnStride,
                                    panelStride: mr)
                } else {
                    block = PackedA(base: a.base + i0 * a.rowStride + p0, rowStep: a.rowStride, depthStep: 1,
                                    panelStride: mr * a.rowStride)
                }
                // While this block computes, the memory system fetches the next one's operands:
                // the next rows of A (and of the output mask its epilogue reads), or after the
                // last rows the next depth block of B and A, or the first of the next product.
                var prefetches = PrefetchQueue()
                let firstRows = rows.lowerBound..<min(rows.lowerBound + mc, rows.upperBound)
                if let nextRows = upcoming {
                    prefetches.add(a, rows: nextRows, columns: p0..<p0 + depth)
                    if finish, let mask = epilogue.outputMask {
                        prefetches.add(StridedMatrix(mask, rowStride: ldc, columnStride: 1), rows: nextRows, columns: 0..<n)
                    }
                } else if depthBlock + 1 < depthBlocks {
                    let q0 = p0 + depth, nextDepth = min(kc, k - q0)
                    prefetches.add(b, rows: q0..<q0 + nextDepth, columns: 0..<n)
                    prefetches.add(a, rows: firstRows, columns: q0..<q0 + nextDepth)
                } else if let next {
                    prefetches.add(next.b, rows: 0..<min(kc, next.k), columns: 0..<n)
                    prefetches.add(next.a, rows: firstRows, columns: 0..<min(kc, next.k))
                }
                let microPanels = (blockRows + mr - 1) / mr
                let tailRows = blockRows - (microPanels - 1) * mr
                // A ragged last micro-panel read in place is copied zero-padded for the 6 x 16
                // kernel, so it never reads past the matrix (unneeded when the AVX-512 block
                // covers every panel: it copies the micro-panels after the last pair itself).
                let copyTail = tailRows < mr && (isa != .avx512 || n % AVX512Kernels.columns != 0)
                if copyTail {
                    block.copyMicroPanel(microPanels - 1, rows: tailRows, depth: depth, into: packedTail.base)
                }
                /// The 6 x 16 kernel on one micro-panel of this block and one panel of B.
                func multiplyBlock(_ microPanel: Int, _ panel: Int) {
                    let i = i0 + microPanel * mr, j = panel * nr
                    let isTail = microPanel == microPanels - 1
                    let useCopy = isTail && copyTail
                    microKernel(
                        depth: depth,
                        a: useCopy ? UnsafePointer(packedTail.base) : block.base + microPanel * block.panelStride,
                        aRowStep: useCopy ? 1 : block.rowStep, aDepthStep: useCopy ? mr : block.depthStep,
                        b: UnsafePointer(packedB.base + panel * bStride), c: c + i * ldc + j, ldc: ldc,
                        rows: isTail ? tailRows : mr, columns: min(nr, n - j), row: i, column: j,
                        loadC: loadC, finish: finish, epilogue: epilogue,
                        prefetch: prefetches.next(lines: depth / 4))
                }
                // Micro-panels whose six rows are all real.
                let fullMicroPanels = tailRows == mr ? microPanels : microPanels - 1
                // The AVX-512 block covers two micro-panels by two panels. The micro-panels after
                // the last full pair (one or two, the last maybe ragged) are copied once per
                // block, zero-padded to 12 rows, so that block covers them too and stores only
                // their real rows; but four rows of micro-panel A with a plain epilogue (dW's 256
                // rows of Xᵀ end so) go to the 4 x 64 block, four panels at a time, in place.
                let blockMicroPanels = AVX512Kernels.rows / mr, blockPanels = AVX512Kernels.columns / nr
                let pairedMicroPanels = fullMicroPanels / blockMicroPanels * blockMicroPanels
                let leftoverRows = isa == .avx512 && n >= AVX512Kernels.columns ? blockRows - pairedMicroPanels * mr : 0
                let wideEnd = leftoverRows == 4 && block.rowStep == 1 && epilogue.addsOnly && n % 64 == 0
                if leftoverRows > 0 && !wideEnd {
                    // Whole micro-panels, zero-padded. At most six rows need only the first: the
                    // block then runs its 6 x 32 loop, which reads no other.
                    for microPanel in 0..<(leftoverRows + mr - 1) / mr {
                        block.copyMicroPanel(
                            pairedMicroPanels + microPanel, rows: min(mr, leftoverRows - microPanel * mr), depth: depth,
                            into: leftover.base + microPanel * mr * depth)
                    }
                }
                // The AVX-512 calls share the next block's lines out evenly (see
                // `AVX512Kernels.prefetchRate`).
                let calls = n / AVX512Kernels.columns * pairedMicroPanels / blockMicroPanels
                    + (wideEnd ? n / 64 : leftoverRows > 0 ? n / AVX512Kernels.columns : 0)
                let linesPerCall = (prefetches.lineCount + calls - 1) / max(calls, 1)
                // For A in micro-panels (dW's Xᵀ, a copied leftover) and for A's rows in place.
                let panelRate = AVX512Kernels.prefetchRate(lines: linesPerCall, depth: depth, aRowStep: 1)
                let rowRate = AVX512Kernels.prefetchRate(lines: linesPerCall, depth: depth, aRowStep: block.rowStep)
                /// The 12 x 32 AVX-512 kernel on micro-panels `a0` and `a1` (rows from `i`, `rows` of
                /// them stored) and the two panels from `panel`.
                func multiplyPair(
                    _ a0: UnsafePointer<Float>, _ a1: UnsafePointer<Float>, rowStep: Int, depthStep: Int,
                    i: Int, rows: Int, panel: Int
                ) {
                    let j = panel * nr
                    let b0 = UnsafePointer(packedB.base + (packPairs ? panel % (2 * blockPanels) : panel) * bStride)
                    let rate = rowStep == 1 ? panelRate : rowRate
                    AVX512Kernels.multiply12x32(
                        depth: depth, a0: a0, a1: a1, aRowStep: rowStep, aDepthStep: depthStep,
                        b0: b0, b1: b0 + bStride, c: c + i * ldc + j, ldc: ldc, rows: rows, loadC: loadC,
                        columnBias: finish ? epilogue.columnBias.map { $0 + j } : nil,
                        rowBias: finish ? epilogue.rowBias.map { $0 + i } : nil,
                        relu: finish && epilogue.relu,
                        outputMask: finish ? epilogue.outputMask.map { $0 + i * ldc + j } : nil,
                        prefetch: prefetches.next(lines: rate.lines), prefetchStep: rate.step,
                        streaming: epilogue.streaming, tile: tile.base)
                }
                /// The 12 x 32 block on full micro-panels `microPanel` and `microPanel + 1` and the
                /// two panels from `panel`.
                func multiplyRows(_ microPanel: Int, _ panel: Int) {
                    let a0 = block.base + microPanel * block.panelStride
                    multiplyPair(
                        a0, a0 + block.panelStride, rowStep: block.rowStep, depthStep: block.depthStep,
                        i: i0 + microPanel * mr, rows: AVX512Kernels.rows, panel: panel)
                }
                /// The 12 x 32 block on the copied leftover rows and the two panels from `panel`.
                func multiplyLeftover(_ panel: Int) {
                    multiplyPair(
                        leftover.base, leftover.base + mr * depth, rowStep: 1, depthStep: mr,
                        i: i0 + pairedMicroPanels * mr, rows: leftoverRows, panel: panel)
                }
                var panel = 0
                // With B packed whole (every product but dW), each twelve rows of A stay in L1 while
                // they run across all of B's pairs of panels, which stream from L2 (the forward and
                // dX measured 1.5 to 2.3 % of the peak faster than running each pair down the
                // block's rows, whose A then came from L2 at every call). dW packs a pair at a time
                // into L1 instead and runs it down all of A, in the loop below, as does a product
                // ending in the 4 x 64 block, which reads two pairs at once.
                if isa == .avx512 && !packPairs && !wideEnd && n >= AVX512Kernels.columns {
                    let pairedPanels = n / AVX512Kernels.columns * blockPanels
                    for microPanel in stride(from: 0, to: pairedMicroPanels, by: blockMicroPanels) {
                        for pair in stride(from: 0, to: pairedPanels, by: blockPanels) {
                            multiplyRows(microPanel, pair)
                        }
                    }
                    if leftoverRows > 0 {
                        for pair in stride(from: 0, to: pairedPanels, by: blockPanels) { multiplyLeftover(pair) }
                    }
                    // Panels past the last pair go to the 6 x 16 block below.
                    panel = pairedPanels
                }
                while panel < panels {
                    guard isa == .avx512, (panel + blockPanels) * nr <= n else {
                        for microPanel in 0..<microPanels { multiplyBlock(microPanel, panel) }
                        panel += 1
                        continue
                    }
                    if packPairs {
                        AVX512Kernels.packPanels(
                            b.base + p0 * b.rowStride + panel * nr, rowStride: b.rowStride, depth: depth,
                            panels: blockPanels, into: packedB.base + panel % (2 * blockPanels) * bStride,
                            panelStride: bStride, columnSums: bColumnSums.map { $0 + panel * nr })
                    }
                    // Two full B panels: the 12 x 32 AVX-512 block on pairs of full micro-panels,
                    // then on the copied leftover, or every second time the 4 x 64 block on these
                    // and the two before.
                    for microPanel in stride(from: 0, to: pairedMicroPanels, by: blockMicroPanels) {
                        multiplyRows(microPanel, panel)
                    }
                    if wideEnd {
                        if panel % (2 * blockPanels) == blockPanels {
                            let first = panel - blockPanels
                            AVX512Kernels.multiply4x64(
                                depth: depth, a: block.base + pairedMicroPanels * block.panelStride,
                                aDepthStep: block.depthStep, b: packedB.base + (packPairs ? 0 : first) * bStride,
                                bStride: bStride, c: c + (i0 + pairedMicroPanels * mr) * ldc + first * nr, ldc: ldc,
                                loadC: loadC, prefetch: prefetches.next(lines: panelRate.lines),
                                prefetchStep: panelRate.step)
                        }
                    } else if leftoverRows > 0 {
                        multiplyLeftover(panel)
                    }
                    panel += blockPanels
                }
            }
        }
    }

    /// Rows per block: `mc`, or `mcAVX512` for the AVX-512 kernels.
    static func blockRows(isa: VectorISA) -> Int {
        isa == .avx512 ? mcAVX512 : mc
    }

    /// How many blocks of `blockRows(isa:)` rows `m` rows make.
    static func rowBlocks(_ m: Int, isa: VectorISA) -> Int {
        (m + blockRows(isa: isa) - 1) / blockRows(isa: isa)
    }

    /// The operands of a product: A [rows, k] and B [k, n].
    struct Operands {
        var a: StridedMatrix
        var b: StridedMatrix
        var k: Int
    }

    /// The row blocks one thread computes, in order: `rows` cut into blocks of `size`, or, with
    /// `shared`, the blocks it takes from that queue (block i: rows from `rows.lowerBound + i * size`).
    struct RowBlocks: IteratorProtocol {
        let rows: Range<Int>
        let size: Int
        let shared: ChunkQueue?
        private var index = 0

        init(rows: Range<Int>, size: Int, shared: ChunkQueue?) {
            self.rows = rows
            self.size = size
            self.shared = shared
        }

        mutating func next() -> Range<Int>? {
            let block: Int
            if let shared {
                guard let taken = shared.next() else { return nil }
                block = taken
            } else {
                block = index
                index += 1
            }
            let start = rows.lowerBound + block * size
            return start < rows.upperBound ? start..<min(start + size, rows.upperBound) : nil
        }
    }

    /// Floats from one packed panel to the next: `rows x depth` plus one cache line, so the
    /// panels, written side by side a depth step at a time, do not all map to the same few L1
    /// sets (at depth 256 they would be 6 KB or 16 KB apart).
    static func panelStride(rows: Int, depth: Int) -> Int {
        rows * depth + 16
    }

    /// Outputs of at least this many floats (8 MB, beyond the L2 of the CPUs we run on) are
    /// written with streaming stores when written once: the g layers' 40000 x 256 activations.
    static let streamingFloats = 1 << 21

    /// Where a block of A lies after `packA`: element (r, p) of micro-panel q at
    /// `base[q * panelStride + r * rowStep + p * depthStep]`.
    struct PackedA {
        var base: UnsafePointer<Float>
        var rowStep: Int
        var depthStep: Int
        var panelStride: Int

        /// Copies the first `rows` rows of micro-panel `microPanel` over `depth` steps to `out`,
        /// zero up to `mr` rows: six values per depth step, the layout the kernels read with row
        /// step 1 and depth step `mr`, never past the matrix's last row.
        func copyMicroPanel(_ microPanel: Int, rows: Int, depth: Int, into out: UnsafeMutablePointer<Float>) {
            let source = base + microPanel * panelStride
            for p in 0..<depth {
                for r in 0..<mr {
                    out[p &* mr &+ r] = r < rows ? source[r &* rowStep &+ p &* depthStep] : 0
                }
            }
        }
    }

    /// Copies rows `i0 ..< i0 + rows`, depth `p0 ..< p0 + depth` of A, masked, row by row, and
    /// adds each row's sum to `rowSums` when given.
    static func packA(
        _ a: StridedMatrix, i0: Int, rows: Int, p0: Int, depth: Int, into out: UnsafeMutablePointer<Float>,
        rowSums: UnsafeMutablePointer<Float>?
    ) -> PackedA {
        let rs = a.rowStride, cs = a.columnStride
        @inline(__always) func masked(_ offset: Int) -> Float {
            if let mask = a.reluMask, !(mask[offset] > 0) { return 0 }
            return a.base[offset]
        }
        @inline(__always) func maskedVector(_ offset: Int) -> SIMD8<Float> {
            var value = loadVector(a.base + offset)
            if let mask = a.reluMask { value.replace(with: 0, where: .!(loadVector(mask + offset) .> 0)) }
            return value
        }
        for r in 0..<rows {
            let source = (i0 + r) * rs + p0 * cs
            let d = out + r * depth
            var sum: Float = 0
            var p = 0
            if cs == 1 {
                var vectorSum = SIMD8<Float>()
                while p + 8 <= depth {
                    let value = maskedVector(source + p)
                    storeVector(value, d + p)
                    vectorSum += value
                    p += 8
                }
                sum = vectorSum.sum()
            }
            while p < depth {
                let value = masked(source + p * cs)
                d[p] = value
                sum += value
                p += 1
            }
            rowSums?[i0 + r] += sum
        }
        return PackedA(base: UnsafePointer(out), rowStep: depth, depthStep: 1, panelStride: mr * depth)
    }

    /// Packs depth `p0 ..< p0 + depth` of B into 16-column panels `panelStride` floats apart:
    /// panel q holds, for each p, B[p, 16q ..< 16q + 16] (zero past the last column). With
    /// `columnSums`, adds `Σ_p B[p, j]` (masked) to `columnSums[j]` for j < n, each column
    /// summed from zero over p in order, then added.
    static func packB(
        _ b: StridedMatrix, p0: Int, depth: Int, n: Int, into out: UnsafeMutablePointer<Float>, panelStride: Int,
        columnSums: UnsafeMutablePointer<Float>?, isa: VectorISA
    ) {
        let rs = b.rowStride, cs = b.columnStride
        let panels = (n + nr - 1) / nr
        let fullPanels = cs == 1 ? n / nr : 0
        if fullPanels > 0 && isa == .avx512 && b.reluMask == nil {
            // One 16-lane vector per panel and row: one cache line each.
            AVX512Kernels.packPanels(
                b.base + p0 * rs, rowStride: rs, depth: depth, panels: fullPanels, into: out, panelStride: panelStride,
                columnSums: columnSums)
        } else if fullPanels > 0 {
            // Row by row, so a large B (dZ in the dW product, streamed from memory) is read in
            // address order and the hardware prefetcher keeps up.
            let sums = Scratch(count: columnSums == nil ? 0 : fullPanels * nr)
            defer { sums.free() }
            sums.base.initialize(repeating: 0, count: sums.count)
            for p in 0..<depth {
                let source = (p0 + p) * rs
                for panel in 0..<fullPanels {
                    let offset = source + panel * nr
                    var v0 = loadVector(b.base + offset)
                    var v1 = loadVector(b.base + offset + 8)
                    if let mask = b.reluMask {
                        v0.replace(with: 0, where: .!(loadVector(mask + offset) .> 0))
                        v1.replace(with: 0, where: .!(loadVector(mask + offset + 8) .> 0))
                    }
                    let d = out + panel * panelStride + p * nr
                    storeVector(v0, d)
                    storeVector(v1, d + 8)
                    if columnSums != nil {
                        let sum = sums.base + panel * nr
                        storeVector(loadVector(sum) + v0, sum)
                        storeVector(loadVector(sum + 8) + v1, sum + 8)
                    }
                }
            }
            if let columnSums {
                for j in 0..<sums.count { columnSums[j] += sums.base[j] }
            }
        }
        // The rest column by column (the forward's Wᵀ, whose columns are W's contiguous rows),
        // zero past the last column.
        for panel in fullPanels..<panels {
            let j = panel * nr
            let valid = min(nr, n - j)
            let d = out + panel * panelStride
            for column in 0..<nr {
                guard column < valid else {
                    for p in 0..<depth { d[p * nr + column] = 0 }
                    continue
                }
                let source = p0 * rs + (j + column) * cs
                guard b.reluMask != nil || columnSums != nil else {
                    for p in 0..<depth { d[p * nr + column] = b.base[source + p * rs] }
                    continue
                }
                var sum: Float = 0
                for p in 0..<depth {
                    let offset = source + p * rs
                    var value = b.base[offset]
                    if let mask = b.reluMask, !(mask[offset] > 0) { value = 0 }
                    d[p * nr + column] = value
                    sum += value
                }
                columnSums?[j + column] += sum
            }
        }
    }

    /// The 6 x 16 register block over `depth` steps, then the epilogue into C. A's element
    /// (r, p) is at `a[r * aRowStep + p * aDepthStep]`; one of the two steps is 1. With
    /// `prefetch`, one cache line from there is requested every 4 depth steps (see
    /// `PrefetchQueue`).
    @inline(__always)
    static func microKernel(
        depth: Int, a: UnsafePointer<Float>, aRowStep: Int, aDepthStep: Int, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, row: Int, column: Int,
        loadC: Bool, finish: Bool, epilogue: Epilogue, prefetch: UnsafePointer<Float>? = nil
    ) {
        // The epilogue adds C: its lines come to L1 while the block computes.
        if loadC {
            for r in 0..<rows {
                rnrepro_prefetch_l1(c + r * ldc)
                rnrepro_prefetch_l1(c + r * ldc + nr - 1)
            }
        }
        var block = RegisterBlock()
        var pb = b
        var p = 0
        if aRowStep == 1 {
            // A's six values for one p are adjacent: constant displacements off one pointer.
            // (The helpers take the block inout: captured, a `var` lives in a heap box whose
            // accesses are checked at run time.)
            var pa = a
            let step = aDepthStep
            @inline(__always) func update(
                _ block: inout RegisterBlock, _ pa: UnsafePointer<Float>, _ pb: UnsafePointer<Float>
            ) {
                block.update(loadAligned(pb), loadAligned(pb + 8), pa[0], pa[1], pa[2], pa[3], pa[4], pa[5])
            }
            // Unrolled by four so the loop counter and pointer updates are paid once per four
            // steps of twelve FMAs.
            while p + 4 <= depth {
                if let prefetch { rnrepro_prefetch(prefetch + 4 * p) }
                update(&block, pa, pb)
                update(&block, pa + step, pb + nr)
                update(&block, pa + 2 * step, pb + 2 * nr)
                update(&block, pa + 3 * step, pb + 3 * nr)
                pa += 4 * step
                pb += 4 * nr
                p += 4
            }
            while p < depth {
                update(&block, pa, pb)
                pa += step
                pb += nr
                p += 1
            }
        } else {
            // Six row streams; unrolled by four with constant offsets along each row.
            let a0 = a, a1 = a + aRowStep, a2 = a + 2 * aRowStep
            let a3 = a + 3 * aRowStep, a4 = a + 4 * aRowStep, a5 = a + 5 * aRowStep
            @inline(__always) func update(_ block: inout RegisterBlock, _ q: Int, _ pb: UnsafePointer<Float>) {
                block.update(loadAligned(pb), loadAligned(pb + 8), a0[q], a1[q], a2[q], a3[q], a4[q], a5[q])
            }
            while p + 4 <= depth {
                if let prefetch { rnrepro_prefetch(prefetch + 4 * p) }
                update(&block, p, pb)
                update(&block, p + 1, pb + nr)
                update(&block, p + 2, pb + 2 * nr)
                update(&block, p + 3, pb + 3 * nr)
                pb += 4 * nr
                p += 4
            }
            while p < depth {
                update(&block, p, pb)
                pb += nr
                p += 1
            }
        }
        if rows == mr && columns == nr {
            block.store(
                to: c, ldc: ldc, loadC: loadC, finish: finish, epilogue: epilogue, row: row, column: column)
        } else {
            storeEdge(block, c: c, ldc: ldc, rows: rows, columns: columns, row: row, column: column,
                      loadC: loadC, finish: finish, epilogue: epilogue)
        }
    }

    /// An edge block (fewer than 6 rows or 16 columns): goes through a full-size tile so the
    /// epilogue is the same code as for full blocks.
    @inline(never)
    static func storeEdge(
        _ block: RegisterBlock, c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, columns: Int, row: Int,
        column: Int, loadC: Bool, finish: Bool, epilogue: Epilogue
    ) {
        withUnsafeTemporaryAllocation(of: Float.self, capacity: mr * nr + 2 * nr) { buffer in
            let tile = buffer.baseAddress!
            tile.initialize(repeating: 0, count: mr * nr + 2 * nr)
            if loadC {
                for r in 0..<rows { for j in 0..<columns { tile[r * nr + j] = c[r * ldc + j] } }
            }
            // Biases padded with zeros, so the block's epilogue reads no further than they go.
            let columnBias = tile + mr * nr, rowBias = columnBias + nr
            var padded = epilogue
            padded.streaming = false
            padded.outputMask = nil
            if let bias = epilogue.columnBias {
                for j in 0..<columns { columnBias[j] = bias[column + j] }
                padded.columnBias = UnsafePointer(columnBias)
            }
            if let bias = epilogue.rowBias {
                for r in 0..<rows { rowBias[r] = bias[row + r] }
                padded.rowBias = UnsafePointer(rowBias)
            }
            block.store(to: tile, ldc: nr, loadC: loadC, finish: finish, epilogue: padded, row: 0, column: 0)
            let outputMask = finish ? epilogue.outputMask.map { $0 + row * ldc + column } : nil
            for r in 0..<rows {
                for j in 0..<columns {
                    let value = tile[r * nr + j]
                    c[r * ldc + j] = outputMask.map { $0[r * ldc + j] > 0 } ?? true ? value : 0
                }
            }
        }
    }
}

/// Cache lines to fetch while a block computes: the next block's operands, handed to its kernel
/// calls a slice at a time: as many consecutive lines as the kernel asks for (one every 4 depth
/// steps for the 6 x 16 block; the AVX-512 block's calls share the lines out evenly, see
/// `AVX512Kernels.prefetchRate`). The ranges are handed out in the order they were added: for
/// the next depth block, B's rows before A's, since its packing reads B first. (Taking turns
/// between the ranges measured 1 to 2 % of the peak slower for dW and dX in paired runs.)
struct PrefetchQueue {
    private var pending: [(next: UnsafeRawPointer, end: UnsafeRawPointer)] = []

    /// Operands spanning more than this are not prefetched: the next block would not fit in
    /// L2 beside the current one.
    static let limitBytes = 1 << 20

    /// Queues the memory of elements `rows x columns` of `matrix` (and of its mask): the whole
    /// span from the first element to the last, a line at a time.
    mutating func add(_ matrix: StridedMatrix, rows: Range<Int>, columns: Range<Int>) {
        guard !rows.isEmpty, !columns.isEmpty else { return }
        let first = rows.lowerBound * matrix.rowStride + columns.lowerBound * matrix.columnStride
        let last = (rows.upperBound - 1) * matrix.rowStride + (columns.upperBound - 1) * matrix.columnStride
        guard (last - first + 1) * 4 <= Self.limitBytes else { return }
        for base in [matrix.base, matrix.reluMask].compactMap({ $0 }) {
            let start = UnsafeRawPointer(base + first), end = UnsafeRawPointer(base + last + 1)
            // From the start of its cache line, so stepping by lines reaches the last one.
            let aligned = UnsafeRawPointer(bitPattern: UInt(bitPattern: start) & ~63)!
            pending.append((aligned, end))
        }
    }

    /// Lines not yet handed out.
    var lineCount: Int {
        pending.reduce(0) { count, range in count + (range.next.distance(to: range.end) + 63) / 64 }
    }

    /// Where the next kernel call's `lines` lines start, or nil when nothing is left.
    mutating func next(lines: Int) -> UnsafePointer<Float>? {
        guard let range = pending.first, lines > 0 else { return nil }
        pending[0].next += lines * 64
        if pending[0].next >= range.end { pending.removeFirst() }
        return range.next.assumingMemoryBound(to: Float.self)
    }
}

/// Aligned load from a packed panel (panels are 64-byte aligned, steps multiples of 16 floats).
@inlinable @inline(__always)
func loadAligned(_ pointer: UnsafePointer<Float>) -> SIMD8<Float> {
    UnsafeRawPointer(pointer).load(as: SIMD8<Float>.self)
}

/// The 6 x 16 accumulators of the micro-kernel: twelve SIMD8 registers.
struct RegisterBlock {
    var c0a = SIMD8<Float>(), c0b = SIMD8<Float>()
    var c1a = SIMD8<Float>(), c1b = SIMD8<Float>()
    var c2a = SIMD8<Float>(), c2b = SIMD8<Float>()
    var c3a = SIMD8<Float>(), c3b = SIMD8<Float>()
    var c4a = SIMD8<Float>(), c4b = SIMD8<Float>()
    var c5a = SIMD8<Float>(), c5b = SIMD8<Float>()

    /// One step of depth: row r += a_r · (b0, b1), as fused multiply-adds.
    @inline(__always)
    mutating func update(
        _ b0: SIMD8<Float>, _ b1: SIMD8<Float>, _ a0: Float, _ a1: Float, _ a2: Float, _ a3: Float, _ a4: Float, _ a5: Float
    ) {
        var s = SIMD8<Float>(repeating: a0)
        c0a = c0a.addingProduct(s, b0); c0b = c0b.addingProduct(s, b1)
        s = SIMD8<Float>(repeating: a1)
        c1a = c1a.addingProduct(s, b0); c1b = c1b.addingProduct(s, b1)
        s = SIMD8<Float>(repeating: a2)
        c2a = c2a.addingProduct(s, b0); c2b = c2b.addingProduct(s, b1)
        s = SIMD8<Float>(repeating: a3)
        c3a = c3a.addingProduct(s, b0); c3b = c3b.addingProduct(s, b1)
        s = SIMD8<Float>(repeating: a4)
        c4a = c4a.addingProduct(s, b0); c4b = c4b.addingProduct(s, b1)
        s = SIMD8<Float>(repeating: a5)
        c5a = c5a.addingProduct(s, b0); c5b = c5b.addingProduct(s, b1)
    }

    /// `C = [C +] block [+ bias] [ReLU]` for a full 6 x 16 block at `c` (row `row`, column
    /// `column` of the whole output, for the biases).
    @inline(__always)
    func store(
        to c: UnsafeMutablePointer<Float>, ldc: Int, loadC: Bool, finish: Bool, epilogue: Epilogue, row: Int, column: Int
    ) {
        // Constants, not `var`s: a `var` captured by `finishRow` lives in a heap box, two
        // allocations per block (with their exclusivity checks, 22 % of the AVX2 forward's time
        // in `perf`; the forward ran at half its present speed).
        let columnBias = finish ? epilogue.columnBias.map { $0 + column } : nil
        let bias0 = columnBias.map { loadVector($0) } ?? SIMD8<Float>()
        let bias1 = columnBias.map { loadVector($0 + 8) } ?? SIMD8<Float>()
        let rowBias = finish ? epilogue.rowBias.map { $0 + row } : nil
        let relu = finish && epilogue.relu
        let outputMask = finish ? epilogue.outputMask.map { $0 + row * ldc + column } : nil
        @inline(__always) func finishRow(_ v0: SIMD8<Float>, _ v1: SIMD8<Float>, _ r: Int) {
            let out = c + r * ldc
            var x0 = v0, x1 = v1
            if loadC {
                x0 += loadVector(out)
                x1 += loadVector(out + 8)
            }
            if columnBias != nil { x0 += bias0; x1 += bias1 }
            if let rowBias { x0 += rowBias[r]; x1 += rowBias[r] }
            if relu {
                x0.replace(with: 0, where: x0 .< 0)
                x1.replace(with: 0, where: x1 .< 0)
            }
            if let outputMask {
                x0.replace(with: 0, where: .!(loadVector(outputMask + r * ldc) .> 0))
                x1.replace(with: 0, where: .!(loadVector(outputMask + r * ldc + 8) .> 0))
            }
            if epilogue.streaming && !loadC {
                rnrepro_stream8(out, x0)
                rnrepro_stream8(out + 8, x1)
            } else {
                storeVector(x0, out)
                storeVector(x1, out + 8)
            }
        }
        finishRow(c0a, c0b, 0)
        finishRow(c1a, c1b, 1)
        finishRow(c2a, c2b, 2)
        finishRow(c3a, c3b, 3)
        finishRow(c4a, c4b, 4)
        finishRow(c5a, c5b, 5)
    }
}
