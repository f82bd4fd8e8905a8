import _EngineAVX512

// Packing of `GEMMCore`'s operands into the panels the micro-kernels read.

extension GEMMCore {
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
}
