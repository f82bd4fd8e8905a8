import _EngineAVX512
import _MemoryHints

// The blocking driver of `GEMM`'s three products: the operand shapes, the epilogues, and
// `GEMMCore.multiply`, which decides a product's blocking and loop order once per call and runs
// the packing (GEMMPacking.swift) and the micro-kernels (GEMMKernels.swift) over its blocks.

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
}
