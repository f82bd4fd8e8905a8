import _EngineAVX512
import _MemoryHints

// `GEMMCore`'s micro-kernels (the 6 x 16 AVX2 register block; the 12 x 32 AVX-512 one is in
// `AVX512Kernels`), their edge stores, and the prefetch queue that feeds them.

extension GEMMCore {
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
