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

public enum AVX512Kernels {
    /// Whether this CPU and operating system run the kernels of this module.
    public static let isSupported: Bool = {
        #if arch(x86_64)
        return rnrepro_cpu_supports_avx512() != 0
        #else
        return false
        #endif
    }()

    /// Rows and columns of the register block: one of the engine's 6-row A micro-panels by four
    /// of its 16-column B panels, 24 ZMM accumulators. (A 12 x 32 block, two micro-panels by two
    /// panels, needs twice the broadcasts per FMA and ran 10-20 % slower here.)
    public static let rows = 6
    public static let columns = 64

    /// Floats of scratch `multiply6x64` needs.
    public static let tileCount = rows * columns

    /// `C[6, 64] = epilogue(A[6, depth] · B[depth, 64])`.
    ///
    /// A is one 6-row micro-panel: element (r, p) at `a[r * aRowStep + p * aDepthStep]`, one of
    /// the steps being 1. B is four packed 16-column panels, one after the other from `b`
    /// (`16 * depth` floats each), 64-byte aligned, 16 floats per depth step. The epilogue: with
    /// `loadC`, C's old value is added; then `columnBias[column]` and `rowBias[row]` (already
    /// offset to this block) when given; then ReLU when `relu`.
    ///
    /// The products go through `tile`, the caller's scratch of `tileCount` floats: with the
    /// epilogue in the same function as the loop, LLVM spilled accumulators inside it.
    @inline(never)
    public static func multiply6x64(
        depth: Int, a: UnsafePointer<Float>, aRowStep: Int, aDepthStep: Int, b: UnsafePointer<Float>,
        c: UnsafeMutablePointer<Float>, ldc: Int, loadC: Bool, columnBias: UnsafePointer<Float>?,
        rowBias: UnsafePointer<Float>?, relu: Bool, tile: UnsafeMutablePointer<Float>
    ) {
        if aRowStep == 1 {
            accumulatePanel(depth: depth, a: a, aDepthStep: aDepthStep, b: b, tile: tile)
        } else {
            accumulateRows(depth: depth, a: a, aRowStep: aRowStep, b: b, tile: tile)
        }
        store(tile: tile, to: c, ldc: ldc, loadC: loadC, columnBias: columnBias, rowBias: rowBias, relu: relu)
    }

    /// Runs `iterations` steps of 12 independent `SIMD16<Float>` FMA chains: the 16-lane twin of
    /// `PeakProbe`'s loop. Returns a sum of the chains, so the work cannot be dropped.
    @inline(never)
    public static func fmaChains(iterations: Int, seed: Float) -> Float {
        let a = SIMD16<Float>(repeating: 0.999_999)
        let b = SIMD16<Float>(repeating: 1e-7)
        var c0 = SIMD16<Float>(repeating: seed), c1 = c0 + 1, c2 = c0 + 2, c3 = c0 + 3
        var c4 = c0 + 4, c5 = c0 + 5, c6 = c0 + 6, c7 = c0 + 7
        var c8 = c0 + 8, c9 = c0 + 9, c10 = c0 + 10, c11 = c0 + 11
        for _ in 0..<iterations {
            c0 = b.addingProduct(c0, a); c1 = b.addingProduct(c1, a)
            c2 = b.addingProduct(c2, a); c3 = b.addingProduct(c3, a)
            c4 = b.addingProduct(c4, a); c5 = b.addingProduct(c5, a)
            c6 = b.addingProduct(c6, a); c7 = b.addingProduct(c7, a)
            c8 = b.addingProduct(c8, a); c9 = b.addingProduct(c9, a)
            c10 = b.addingProduct(c10, a); c11 = b.addingProduct(c11, a)
        }
        let sum = ((c0 + c1) + (c2 + c3)) + ((c4 + c5) + (c6 + c7)) + ((c8 + c9) + (c10 + c11))
        return sum.sum()
    }
}

@inline(__always)
private func load(_ pointer: UnsafePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(pointer).load(as: SIMD16<Float>.self)
}

@inline(__always)
private func loadUnaligned(_ pointer: UnsafeMutablePointer<Float>) -> SIMD16<Float> {
    UnsafeRawPointer(pointer).loadUnaligned(as: SIMD16<Float>.self)
}

@inline(__always)
private func storeUnaligned(_ vector: SIMD16<Float>, _ pointer: UnsafeMutablePointer<Float>) {
    UnsafeMutableRawPointer(pointer).storeBytes(of: vector, as: SIMD16<Float>.self)
}

/// Four 16-lane accumulators: one row of the 6 x 64 block.
private typealias Row = (SIMD16<Float>, SIMD16<Float>, SIMD16<Float>, SIMD16<Float>)

/// One depth step of one row: `row += a · (b0, b1, b2, b3)`, four fused multiply-adds.
@inline(__always)
private func fma(_ row: inout Row, _ a: Float, _ b0: SIMD16<Float>, _ b1: SIMD16<Float>, _ b2: SIMD16<Float>, _ b3: SIMD16<Float>) {
    let s = SIMD16<Float>(repeating: a)
    row.0 = row.0.addingProduct(s, b0)
    row.1 = row.1.addingProduct(s, b1)
    row.2 = row.2.addingProduct(s, b2)
    row.3 = row.3.addingProduct(s, b3)
}

/// Writes six rows of accumulators to a 6 x 64 tile.
@inline(__always)
private func storeRows(_ rows: [Row], to tile: UnsafeMutablePointer<Float>) {
    for (r, row) in rows.enumerated() {
        storeUnaligned(row.0, tile + 64 * r)
        storeUnaligned(row.1, tile + 64 * r + 16)
        storeUnaligned(row.2, tile + 64 * r + 32)
        storeUnaligned(row.3, tile + 64 * r + 48)
    }
}

extension AVX512Kernels {
    /// The 6 x 64 product from a packed micro-panel (six adjacent values per depth step), into
    /// `tile`. Six rows of four accumulators: 24 of the 32 ZMM registers, four more for B and
    /// one for the broadcast A value.
    @inline(never)
    static func accumulatePanel(
        depth: Int, a: UnsafePointer<Float>, aDepthStep: Int, b: UnsafePointer<Float>, tile: UnsafeMutablePointer<Float>
    ) {
        let zero: Row = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
        var r0 = zero, r1 = zero, r2 = zero, r3 = zero, r4 = zero, r5 = zero
        let b0 = b, b1 = b + 16 * depth, b2 = b + 32 * depth, b3 = b + 48 * depth
        var pa = a, offset = 0
        for _ in 0..<depth {
            let u0 = load(b0 + offset), u1 = load(b1 + offset), u2 = load(b2 + offset), u3 = load(b3 + offset)
            fma(&r0, pa[0], u0, u1, u2, u3); fma(&r1, pa[1], u0, u1, u2, u3); fma(&r2, pa[2], u0, u1, u2, u3)
            fma(&r3, pa[3], u0, u1, u2, u3); fma(&r4, pa[4], u0, u1, u2, u3); fma(&r5, pa[5], u0, u1, u2, u3)
            pa += aDepthStep
            offset += 16
        }
        storeRows([r0, r1, r2, r3, r4, r5], to: tile)
    }

    /// The 6 x 64 product from six rows of A read in place, `aRowStep` floats apart (the forward
    /// reads X's rows directly), into `tile`.
    @inline(never)
    static func accumulateRows(
        depth: Int, a: UnsafePointer<Float>, aRowStep s: Int, b: UnsafePointer<Float>, tile: UnsafeMutablePointer<Float>
    ) {
        let zero: Row = (SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>(), SIMD16<Float>())
        var r0 = zero, r1 = zero, r2 = zero, r3 = zero, r4 = zero, r5 = zero
        let b0 = b, b1 = b + 16 * depth, b2 = b + 32 * depth, b3 = b + 48 * depth
        let a0 = a, a1 = a + s, a2 = a + 2 * s, a3 = a + 3 * s, a4 = a + 4 * s, a5 = a + 5 * s
        var offset = 0
        for p in 0..<depth {
            let u0 = load(b0 + offset), u1 = load(b1 + offset), u2 = load(b2 + offset), u3 = load(b3 + offset)
            fma(&r0, a0[p], u0, u1, u2, u3); fma(&r1, a1[p], u0, u1, u2, u3); fma(&r2, a2[p], u0, u1, u2, u3)
            fma(&r3, a3[p], u0, u1, u2, u3); fma(&r4, a4[p], u0, u1, u2, u3); fma(&r5, a5[p], u0, u1, u2, u3)
            offset += 16
        }
        storeRows([r0, r1, r2, r3, r4, r5], to: tile)
    }

    /// The epilogue of the engine's `RegisterBlock.store`, 16 lanes at a time:
    /// `C = [C +] tile [+ bias] [ReLU]`.
    @inline(__always)
    static func store(
        tile: UnsafeMutablePointer<Float>, to c: UnsafeMutablePointer<Float>, ldc: Int, loadC: Bool,
        columnBias: UnsafePointer<Float>?, rowBias: UnsafePointer<Float>?, relu: Bool
    ) {
        for r in 0..<6 {
            let out = c + r * ldc
            for half in 0..<4 {
                var x = loadUnaligned(tile + 64 * r + 16 * half)
                if loadC { x += loadUnaligned(out + 16 * half) }
                if let columnBias { x += UnsafeRawPointer(columnBias + 16 * half).loadUnaligned(as: SIMD16<Float>.self) }
                if let rowBias { x += rowBias[r] }
                if relu { x.replace(with: 0, where: x .< 0) }
                storeUnaligned(x, out + 16 * half)
            }
        }
    }
}
