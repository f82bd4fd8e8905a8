/// The engine's AVX-512 kernels: this module alone is compiled for `skylake-avx512`, and the
/// engine calls into it only when `AVX512Kernels.isSupported` says the CPU runs it.
///
/// Every kernel here computes each output element with the same operations, in the same order,
/// as its 8-lane twin in `Engine` (`GEMMCore.microKernel` and `RegisterBlock.store`): the
/// accumulator starts at zero, takes one fused multiply-add per depth step p = 0, 1, ..., and the
/// epilogue adds C, then the bias, then applies the ReLU. Lane width changes how many elements
/// move at once, never the arithmetic of one element, so both paths give the same bits (a test
/// checks it) and golden values do not depend on the CPU's vector width.

import _CPUFeatures
import _MemoryHints

public enum AVX512Kernels {
    /// Whether this CPU and operating system run the kernels of this module.
    public static let isSupported: Bool = {
        #if arch(x86_64)
        return rnrepro_cpu_supports_avx512() != 0
        #else
        return false
        #endif
    }()

    /// Rows and columns of the register block: two of the engine's 6-row A micro-panels by two
    /// of its 16-column B panels, 24 ZMM accumulators. In the forward and dX products the twelve
    /// rows of A (12 KB at depth 256) stay in L1 while the block runs across B's pairs of panels;
    /// in dW the two B panels (32 KB) stay in L1 while it runs down A. A 6 x 64 block (one
    /// micro-panel by four panels, fewer broadcasts) measured no faster in the forward.
    public static let rows = 12
    public static let columns = 32

    /// Floats of scratch `multiply12x32` needs.
    public static let tileCount = rows * columns

    /// `C[rows, 32] = epilogue(A[rows, depth] · B[depth, 32])`: the block computes 12 rows and
    /// stores the first `rows` (the others are a ragged end's zero padding).
    ///
    /// A is two 6-row micro-panels: element (r, p) of panel h at `a_h[r * aRowStep + p * aDepthStep]`,
    /// one of the steps being 1. B is two packed 16-column panels, `b0` and `b1`, 64-byte
    /// aligned, 16 floats per depth step. With at most six rows and `aRowStep` 1, only `a0` is
    /// read (a 6 x 32 loop does half the work). The epilogue: with `loadC`, C's old value is added;
    /// then `columnBias[column]` and `rowBias[row]` (already offset to this block) when given;
    /// then ReLU when `relu`; then zero where `outputMask` (laid out like C, offset to this block)
    /// is not positive.
    ///
    /// The products go through `tile`, the caller's scratch of `tileCount` floats: with the
    /// whole epilogue in the same function as the loop, LLVM spilled accumulators inside it. A
    /// plain one (`C = [C +] A·B`, dW's) is written from the registers by micro-panel loops.
    ///
    /// Memory hints, which change no value: when `prefetch` is given, the loop asks for cache
    /// lines from there, `prefetchStep` floats further on per depth step (the caller's next
    /// block, fetched while this one computes; see `prefetchRate`). C's lines are asked for
    /// before the loop, to read when `loadC`, else to write: dW's sixteen partial products are
    /// rewritten at every call, each chunk's by whichever thread takes it, so about half their
    /// lines are held by the other core. Asked for with intent to write, dW won 605 of 1000
    /// paired runs on two threads (0.2 to 1.2 % of the peak faster on average); on one thread,
    /// where no other core holds them, quiet runs showed no difference. With `streaming`, C
    /// (64-byte aligned, `ldc` a multiple of 16, no `loadC`) is written with streaming stores,
    /// not asked for, and the caller fences.
    @inline(never)
    public static func multiply12x32(
        depth: Int, a0: UnsafePointer<Float>, a1: UnsafePointer<Float>, aRowStep: Int, aDepthStep: Int,
        b0: UnsafePointer<Float>, b1: UnsafePointer<Float>, c: UnsafeMutablePointer<Float>, ldc: Int,
        rows: Int, loadC: Bool, columnBias: UnsafePointer<Float>?, rowBias: UnsafePointer<Float>?, relu: Bool,
        outputMask: UnsafePointer<Float>?, prefetch: UnsafePointer<Float>?, prefetchStep: Int, streaming: Bool,
        tile: UnsafeMutablePointer<Float>
    ) {
        // The epilogue adds C: its lines come to L1 while the block computes. Or it only writes C
        // (the first depth block of one of dW's partial products): the lines are asked for with
        // intent to write, so the stores do not wait for another core to give them up.
        if !streaming { prefetchBlock(c, ldc: ldc, rows: rows, lines: 2, toRead: loadC) }
        // dW's epilogue only adds C: the micro-panel loops write it from the registers.
        let plain = columnBias == nil && rowBias == nil && !relu && outputMask == nil && !streaming
        if rows <= 6 && aRowStep == 1 {
            // A ragged end of at most six rows: half the work of a full block.
            accumulatePanel(
                depth: depth, a: a0, aDepthStep: aDepthStep, b0: b0, b1: b1, prefetch: prefetch,
                prefetchStep: prefetchStep, tile: tile, output: plain ? c : nil, ldc: ldc, rows: rows, loadC: loadC)
            if plain { return }
        } else if aRowStep == 1 {
            accumulatePanels(
                depth: depth, a0: a0, a1: a1, aDepthStep: aDepthStep, b0: b0, b1: b1, prefetch: prefetch,
                prefetchStep: prefetchStep, tile: tile, output: plain ? c : nil, ldc: ldc, rows: rows, loadC: loadC)
            if plain { return }
        } else {
            accumulateRows(
                depth: depth, a0: a0, a1: a1, aRowStep: aRowStep, b0: b0, b1: b1, prefetch: prefetch,
                prefetchStep: prefetchStep, tile: tile)
        }
        if streaming {
            store(tile: tile, to: c, ldc: ldc, rows: rows, loadC: false, columnBias: columnBias, rowBias: rowBias,
                  relu: relu, outputMask: outputMask, write: { rnrepro_stream16($1, $0) })
        } else {
            store(tile: tile, to: c, ldc: ldc, rows: rows, loadC: loadC, columnBias: columnBias, rowBias: rowBias,
                  relu: relu, outputMask: outputMask, write: storeUnaligned)
        }
    }

    /// The prefetch rate for `multiply12x32` over `depth` steps: `step`, the floats from one
    /// request to the next per depth step, and how many lines that asks for.
    ///
    /// When A comes in micro-panels (`aRowStep` 1, dW), the loop asks once per step, and the
    /// rate is the slowest that covers `lines` (the caller's share of the next block): asking
    /// for dW's next block within the first third of the block, as a fixed one line per two
    /// steps did, fills the L1 miss buffers, each held while its line comes from memory, and the
    /// loop's loads of A, which miss L1 at every step, wait for a free one. Spread over the
    /// whole block, dW measured 1 to 1.5 % of the peak faster here.
    ///
    /// When A's rows are read in place (the forward, dX), the loop asks once every fourth step
    /// (a test per step costs more, see `accumulateRows`), one line at a time, whatever `lines`
    /// is: spread the same way, the forward product measured 0.7 to 1.3 % of the peak slower in
    /// paired runs (its loads of A miss L1 once in 16 steps, not at every step).
    public static func prefetchRate(lines: Int, depth: Int, aRowStep: Int) -> (step: Int, lines: Int) {
        guard depth > 0 else { return (0, 0) }
        guard aRowStep == 1 else { return (4, (depth - 1) / 4 + 1) }
        let step = min(16, max(1, (lines * 16 + depth - 1) / depth))
        return (step, step * (depth - 1) / 16 + 1)
    }

    /// `C[4, 64] = [C +] A[4, depth] · B[depth, 64]`: four rows of A, four adjacent values per
    /// depth step `aDepthStep` apart (dW's Xᵀ read in place), by four packed 16-column panels
    /// from `b`, `bStride` apart (64-byte aligned); C's rows `ldc` apart, added to when `loadC`.
    /// Each element takes the operations of `multiply12x32`, so the bits are the same. The
    /// memory hints are those of `multiply12x32` with A in micro-panels.
    ///
    /// dW's 256 rows are 21 blocks of twelve and one of four. On a zero-padded copy of those four,
    /// the 6 x 32 loop did half again their work, on twelve accumulators; this block reads them in
    /// place, on sixteen (twice the FMA ports times their latency). In paired runs, dW took 1 to
    /// 1.8 % of the peak less time.
    @inline(never)
    public static func multiply4x64(
        depth: Int, a: UnsafePointer<Float>, aDepthStep: Int, b: UnsafePointer<Float>, bStride: Int,
        c: UnsafeMutablePointer<Float>, ldc: Int, loadC: Bool, prefetch: UnsafePointer<Float>?, prefetchStep: Int
    ) {
        prefetchBlock(c, ldc: ldc, rows: 4, lines: 4, toRead: loadC)
        var block = FourWideRows()
        var pa = a, pb = b
        let lines = prefetch ?? b, step = prefetch == nil ? 16 : prefetchStep
        for p in 0..<depth {
            rnrepro_prefetch(lines + step &* p)
            block.add(pa, (load(pb), load(pb + bStride), load(pb + 2 * bStride), load(pb + 3 * bStride)))
            pa += aDepthStep
            pb += 16
        }
        block.write(to: c, ldc: ldc, loadC: loadC)
    }

    /// Copies `depth` rows of a row-major B (`rowStride` apart) into `panels` packed 16-column
    /// panels `panelStride` floats apart: panel q holds, for each row p, B[p, 16q ..< 16q + 16]
    /// (one cache line, `out` being 64-byte aligned and `panelStride` a multiple of 16).
    ///
    /// With `columnSums`, also adds `Σ_p B[p, j]` to `columnSums[j]` for every column copied,
    /// each column summed from zero over p in order, then added (the order of the engine's
    /// `GEMMCore.packB`, so the bits agree): dW's bias gradient, taken from the same loads as
    /// the copy of dZ. Two panels at a time, down all rows, so the sums stay in registers.
    public static func packPanels(
        _ b: UnsafePointer<Float>, rowStride: Int, depth: Int, panels: Int,
        into out: UnsafeMutablePointer<Float>, panelStride: Int, columnSums: UnsafeMutablePointer<Float>?
    ) {
        @inline(__always) func add(_ sum: SIMD16<Float>, toSumOf panel: Int) {
            guard let columnSums else { return }
            let sums = columnSums + 16 * panel
            storeUnaligned(loadUnaligned(sums) + sum, sums)
        }
        var q = 0
        while q + 2 <= panels {
            var s0 = SIMD16<Float>(), s1 = s0
            var source = b + 16 * q, destination = out + q * panelStride
            for _ in 0..<depth {
                let v0 = loadUnaligned(source), v1 = loadUnaligned(source + 16)
                storeUnaligned(v0, destination)
                storeUnaligned(v1, destination + panelStride)
                s0 += v0
                s1 += v1
                source += rowStride
                destination += 16
            }
            add(s0, toSumOf: q)
            add(s1, toSumOf: q + 1)
            q += 2
        }
        if q < panels {
            var sum = SIMD16<Float>()
            var source = b + 16 * q, destination = out + q * panelStride
            for _ in 0..<depth {
                let v = loadUnaligned(source)
                storeUnaligned(v, destination)
                sum += v
                source += rowStride
                destination += 16
            }
            add(sum, toSumOf: q)
        }
    }
}

/// Asks for a block of C before its kernel computes it: `lines` cache lines of each of `rows`
/// rows `ldc` floats apart, into L1 to read (`toRead`, an epilogue that adds C) or with intent to
/// write (one that only writes it).
@inline(__always)
private func prefetchBlock(_ c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, lines: Int, toRead: Bool) {
    for r in 0..<rows {
        for q in 0..<lines {
            if toRead { rnrepro_prefetch_l1(c + r * ldc + 16 * q) } else { rnrepro_prefetch_write(c + r * ldc + 16 * q) }
        }
    }
}

@inline(__always)
private func load(_ pointer: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(pointer).load(as: SIMD16<Float>.self)
}

@inline(__always)
private func loadUnaligned(_ pointer: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always)
private func loadUnaligned(_ pointer: UnsafeMutablePointer<Float>) -> SIMD16<Float> {
    loadUnaligned(UnsafePointer(pointer))
}

@inline(__always)
private func storeUnaligned(_ vector: SIMD16<Float>, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: SIMD16<Float>.self)
}

/// Six rows of a 32-column block, two accumulators each: the unit the 12 x 32 and 6 x 32 loops
/// are built of. Its methods are inlined, so the accumulators live in ZMM registers.
private struct SixRows {
    private var r0 = (SIMD16<Float>(), SIMD16<Float>()), r1 = (SIMD16<Float>(), SIMD16<Float>())
    private var r2 = (SIMD16<Float>(), SIMD16<Float>()), r3 = (SIMD16<Float>(), SIMD16<Float>())
    private var r4 = (SIMD16<Float>(), SIMD16<Float>()), r5 = (SIMD16<Float>(), SIMD16<Float>())

    /// One depth step: row r += `a[r * rowStep]` · (b0, b1), two fused multiply-adds per row.
    @inline(__always)
    mutating func add(_ a: UnsafePointer<Float>, rowStep: Int = 1, _ b0: SIMD16<Float>, _ b1: SIMD16<Float>) {
        Self.fma(&r0, a[0], b0, b1); Self.fma(&r1, a[rowStep], b0, b1)
        Self.fma(&r2, a[2 * rowStep], b0, b1); Self.fma(&r3, a[3 * rowStep], b0, b1)
        Self.fma(&r4, a[4 * rowStep], b0, b1); Self.fma(&r5, a[5 * rowStep], b0, b1)
    }

    @inline(__always)
    private static func fma(
        _ row: inout (SIMD16<Float>, SIMD16<Float>), _ a: Float, _ b0: SIMD16<Float>, _ b1: SIMD16<Float>
    ) {
        let s = SIMD16<Float>(repeating: a)
        row.0 = row.0.addingProduct(s, b0)
        row.1 = row.1.addingProduct(s, b1)
    }

    /// The six rows to a tile's rows, 32 floats apart.
    @inline(__always)
    func store(to tile: UnsafeMutablePointer<Float>) {
        for (r, row) in [r0, r1, r2, r3, r4, r5].enumerated() {
            storeUnaligned(row.0, tile + 32 * r)
            storeUnaligned(row.1, tile + 32 * r + 16)
        }
    }

    /// A plain epilogue for the first `rows` rows: `out[r, 0 ..< 32] = [out +] row r`, rows
    /// `ldc` apart, the sum in the order of the tile's epilogue (`store(tile:...)`).
    @inline(__always)
    func write(to out: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, loadC: Bool) {
        @inline(__always) func write(_ row: (SIMD16<Float>, SIMD16<Float>), _ r: Int) {
            guard r < rows else { return }
            let line = out + r * ldc
            storeUnaligned(loadC ? row.0 + loadUnaligned(line) : row.0, line)
            storeUnaligned(loadC ? row.1 + loadUnaligned(line + 16) : row.1, line + 16)
        }
        write(r0, 0); write(r1, 1); write(r2, 2); write(r3, 3); write(r4, 4); write(r5, 5)
    }
}

/// Four rows of a 64-column block, four accumulators each: the unit of the 4 x 64 loop, built
/// like `SixRows`.
private struct FourWideRows {
    typealias Row = (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>)
    private static let zero: Row = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
    private var r0 = zero, r1 = zero, r2 = zero, r3 = zero

    /// One depth step: row r += `a[r]` · b, four fused multiply-adds per row.
    @inline(__always)
    mutating func add(_ a: UnsafePointer<Float>, _ b: Row) {
        Self.fma(&r0, a[0], b); Self.fma(&r1, a[1], b); Self.fma(&r2, a[2], b); Self.fma(&r3, a[3], b)
    }

    @inline(__always)
    private static func fma(_ row: inout Row, _ a: Float, _ b: Row) {
        let s = SIMD16<Float>(repeating: a)
        row.0 = row.0.addingProduct(s, b.0)
        row.1 = row.1.addingProduct(s, b.1)
        row.2 = row.2.addingProduct(s, b.2)
        row.3 = row.3.addingProduct(s, b.3)
    }

    /// `out[r, 0 ..< 64] = [out +] row r`, rows `ldc` apart, in the order of `SixRows.write`.
    @inline(__always)
    func write(to out: UnsafeMutablePointer<Float>, ldc: Int, loadC: Bool) {
        @inline(__always) func write(_ value: SIMD16<Float>, _ line: UnsafeMutablePointer<Float>) {
            storeUnaligned(loadC ? value + loadUnaligned(line) : value, line)
        }
        @inline(__always) func write(_ row: Row, _ r: Int) {
            let line = out + r * ldc
            write(row.0, line); write(row.1, line + 16); write(row.2, line + 32); write(row.3, line + 48)
        }
        write(r0, 0); write(r1, 1); write(r2, 2); write(r3, 3)
    }
}

extension AVX512Kernels {
    /// The 12 x 32 product from two micro-panels of six adjacent values per depth step (dW's Xᵀ
    /// in place, or a zero-padded copy) into `tile`; or, given `output`, its first `rows` rows to
    /// there (`ldc` apart), added to what is there when `loadC`. Twelve rows of two accumulators:
    /// 24 of the 32 ZMM registers, two more for B and one for the broadcast A value.
    @inline(never)
    static func accumulatePanels(
        depth: Int, a0: UnsafePointer<Float>, a1: UnsafePointer<Float>, aDepthStep: Int,
        b0: UnsafePointer<Float>, b1: UnsafePointer<Float>, prefetch: UnsafePointer<Float>?, prefetchStep: Int,
        tile: UnsafeMutablePointer<Float>, output: UnsafeMutablePointer<Float>?, ldc: Int, rows: Int, loadC: Bool
    ) {
        var top = SixRows(), bottom = SixRows()
        var pa = a0, pc = a1, pb0 = b0, pb1 = b1
        // One prefetch per step, `prefetchStep` floats on: a line is asked for again while the
        // step is under 16 floats, which costs less than a test per step. Without a queue, the
        // lines asked for are B's, already in L1.
        let lines = prefetch ?? b0, step = prefetch == nil ? 16 : prefetchStep
        // Two steps per trip: half the loop's own instructions, which take issue slots from the
        // FMAs (dW measured 0.5 to 1 % of the peak faster in paired runs).
        var p = 0
        while p &+ 2 <= depth {
            rnrepro_prefetch(lines + step &* p)
            var u = load(pb0), v = load(pb1)
            top.add(pa, u, v)
            bottom.add(pc, u, v)
            rnrepro_prefetch(lines + step &* (p &+ 1))
            u = load(pb0 + 16)
            v = load(pb1 + 16)
            top.add(pa + aDepthStep, u, v)
            bottom.add(pc + aDepthStep, u, v)
            pa += 2 &* aDepthStep
            pc += 2 &* aDepthStep
            pb0 += 32
            pb1 += 32
            p &+= 2
        }
        if p < depth {
            rnrepro_prefetch(lines + step &* p)
            let u = load(pb0), v = load(pb1)
            top.add(pa, u, v)
            bottom.add(pc, u, v)
        }
        guard let output else {
            top.store(to: tile)
            bottom.store(to: tile + 6 * columns)
            return
        }
        top.write(to: output, ldc: ldc, rows: rows, loadC: loadC)
        bottom.write(to: output + 6 * ldc, ldc: ldc, rows: rows - 6, loadC: loadC)
    }

    /// The 6 x 32 product from one such micro-panel into the first six rows of `tile`, or to
    /// `output` like `accumulatePanels`: twelve accumulators, still two per FMA port times its
    /// latency.
    @inline(never)
    static func accumulatePanel(
        depth: Int, a: UnsafePointer<Float>, aDepthStep: Int, b0: UnsafePointer<Float>, b1: UnsafePointer<Float>,
        prefetch: UnsafePointer<Float>?, prefetchStep: Int, tile: UnsafeMutablePointer<Float>,
        output: UnsafeMutablePointer<Float>?, ldc: Int, rows: Int, loadC: Bool
    ) {
        var top = SixRows()
        var pa = a, pb0 = b0, pb1 = b1
        let lines = prefetch ?? b0, step = prefetch == nil ? 16 : prefetchStep
        for p in 0..<depth {
            rnrepro_prefetch(lines + step &* p)
            top.add(pa, load(pb0), load(pb1))
            pa += aDepthStep
            pb0 += 16
            pb1 += 16
        }
        guard let output else { return top.store(to: tile) }
        top.write(to: output, ldc: ldc, rows: rows, loadC: loadC)
    }

    /// The 12 x 32 product from twelve rows of A read in place, `aRowStep` floats apart within
    /// each half (the forward reads X's rows directly), into `tile`.
    @inline(never)
    static func accumulateRows(
        depth: Int, a0: UnsafePointer<Float>, a1: UnsafePointer<Float>, aRowStep s: Int,
        b0: UnsafePointer<Float>, b1: UnsafePointer<Float>, prefetch: UnsafePointer<Float>?, prefetchStep: Int,
        tile: UnsafeMutablePointer<Float>
    ) {
        var top = SixRows(), bottom = SixRows()
        var pb0 = b0, pb1 = b1
        // With twelve row addresses live, the branch-free form of `accumulatePanels` made LLVM
        // spill accumulators: here a line is asked for every fourth step, behind a test.
        var line = prefetch
        let lineStep = 4 &* prefetchStep
        for p in 0..<depth {
            if let request = line, p & 3 == 0 {
                rnrepro_prefetch(request)
                line = request + lineStep
            }
            let u = load(pb0), v = load(pb1)
            top.add(a0 + p, rowStep: s, u, v)
            bottom.add(a1 + p, rowStep: s, u, v)
            pb0 += 16
            pb1 += 16
        }
        top.store(to: tile)
        bottom.store(to: tile + 6 * columns)
    }

    /// The epilogue of the engine's `RegisterBlock.store`, 16 lanes at a time:
    /// `C = [C +] tile [+ bias] [ReLU] [⊙ mask]`, each vector written by `write`.
    @inline(__always)
    static func store(
        tile: UnsafeMutablePointer<Float>, to c: UnsafeMutablePointer<Float>, ldc: Int, rows: Int, loadC: Bool,
        columnBias: UnsafePointer<Float>?, rowBias: UnsafePointer<Float>?, relu: Bool,
        outputMask: UnsafePointer<Float>?, write: (SIMD16<Float>, UnsafeMutablePointer<Float>) -> Void
    ) {
        var bias0 = SIMD16<Float>(), bias1 = SIMD16<Float>()
        if let columnBias {
            bias0 = UnsafeRawPointer(columnBias).loadUnaligned(as: SIMD16<Float>.self)
            bias1 = UnsafeRawPointer(columnBias + 16).loadUnaligned(as: SIMD16<Float>.self)
        }
        for r in 0..<rows {
            let out = c + r * ldc
            var x0 = loadUnaligned(tile + 32 * r), x1 = loadUnaligned(tile + 32 * r + 16)
            if loadC {
                x0 += loadUnaligned(out)
                x1 += loadUnaligned(out + 16)
            }
            if columnBias != nil { x0 += bias0; x1 += bias1 }
            if let rowBias { x0 += rowBias[r]; x1 += rowBias[r] }
            if relu {
                x0.replace(with: 0, where: x0 .< 0)
                x1.replace(with: 0, where: x1 .< 0)
            }
            if let outputMask {
                let mask = outputMask + r * ldc
                x0.replace(with: 0, where: .!(loadUnaligned(mask) .> 0))
                x1.replace(with: 0, where: .!(loadUnaligned(mask + 16) .> 0))
            }
            write(x0, out)
            write(x1, out + 16)
        }
    }
}
