/// The object-pair kernels of a Relation Network.
///
/// g's first layer on [o_i, o_j, q] for all P = O² ordered pairs is linear, so it factors:
/// `W [o_i, o_j, q] + b = Wi o_i + Wj o_j + (Wq q + b) = A[i] + B[j] + Cq`, with A = O·Wiᵀ and
/// B = O·Wjᵀ computed once per object [B, O, H] and Cq = q·Wqᵀ + b once per question [B, H]
/// (three small GEMMs). What is left is a broadcast-add with ReLU over the pairs, and in the
/// backward its adjoint: sums of the pair gradient over j, over i and over both. After g's
/// last layer the pairs are summed per question, whose backward is a broadcast.
///
/// Pair p = i·O + j (row-major over (i, j)), self-pairs included. Batch elements are
/// independent, so any split of the batch among threads gives the same bits.
public enum PairKernels {
    /// `out[b, i·O + j, :] = relu(a[b, i, :] + b[b, j, :] + c[b, :])`.
    /// a, b: [B, O, H]; c: [B, H]; out: [B, P, H].
    public static func broadcastAddReLU(
        a: UnsafePointer<Float>, b: UnsafePointer<Float>, c: UnsafePointer<Float>,
        out: UnsafeMutablePointer<Float>, batch: Int, objects: Int, hidden: Int, pool: ThreadPool
    ) {
        forEachBatchElement(batch, pool: pool) { element in
            let aBase = a + element * objects * hidden, bBase = b + element * objects * hidden
            let cRow = c + element * hidden
            for i in 0..<objects {
                for j in 0..<objects {
                    let o = out + ((element * objects + i) * objects + j) * hidden
                    let ai = aBase + i * hidden, bj = bBase + j * hidden
                    var h = 0
                    while h + 8 <= hidden {
                        var v = loadVector(ai + h) + loadVector(bj + h) + loadVector(cRow + h)
                        v.replace(with: 0, where: v .< 0)
                        storeVector(v, o + h)
                        h += 8
                    }
                    while h < hidden {
                        let v = ai[h] + bj[h] + cRow[h]
                        o[h] = v < 0 ? 0 : v
                        h += 1
                    }
                }
            }
        }
    }

    /// The backward of `broadcastAddReLU`, overwriting its outputs: with `dZ = dOut ⊙ [out > 0]`,
    /// `dA[b, i] = Σ_j dZ[b, i·O + j]`, `dB[b, j] = Σ_i dZ[b, i·O + j]` and
    /// `dC[b] = Σ_i dA[b, i]` (each sum in increasing index order). Pass `out: nil` when dOut is
    /// dZ already (the layer above stored it masked); the bits are the same.
    public static func broadcastAddReLUBackward(
        dOut: UnsafePointer<Float>, out: UnsafePointer<Float>?, dA: UnsafeMutablePointer<Float>,
        dB: UnsafeMutablePointer<Float>, dC: UnsafeMutablePointer<Float>, batch: Int, objects: Int,
        hidden: Int, pool: ThreadPool
    ) {
        forEachBatchElement(batch, pool: pool) { element in
            let dABase = dA + element * objects * hidden, dBBase = dB + element * objects * hidden
            let dCRow = dC + element * hidden
            dABase.initialize(repeating: 0, count: objects * hidden)
            dBBase.initialize(repeating: 0, count: objects * hidden)
            dCRow.initialize(repeating: 0, count: hidden)
            for i in 0..<objects {
                let dAi = dABase + i * hidden
                for j in 0..<objects {
                    let offset = ((element * objects + i) * objects + j) * hidden
                    let g = dOut + offset, y = out.map { $0 + offset }
                    let dBj = dBBase + j * hidden
                    var h = 0
                    while h + 8 <= hidden {
                        var v = loadVector(g + h)
                        if let y { v.replace(with: 0, where: .!(loadVector(y + h) .> 0)) }
                        storeVector(loadVector(dAi + h) + v, dAi + h)
                        storeVector(loadVector(dBj + h) + v, dBj + h)
                        h += 8
                    }
                    while h < hidden {
                        var v = g[h]
                        if let y, !(y[h] > 0) { v = 0 }
                        dAi[h] += v
                        dBj[h] += v
                        h += 1
                    }
                }
                for h in 0..<hidden { dCRow[h] += dAi[h] }
            }
        }
    }

    /// `sum[b, :] = Σ_p x[b, p, :]` (in increasing p). x: [B, P, H]; sum: [B, H].
    public static func sumOverPairs(
        x: UnsafePointer<Float>, sum: UnsafeMutablePointer<Float>, batch: Int, pairs: Int, hidden: Int, pool: ThreadPool
    ) {
        forEachBatchElement(batch, pool: pool) { element in
            let row = sum + element * hidden
            row.initialize(repeating: 0, count: hidden)
            for p in 0..<pairs {
                let source = x + (element * pairs + p) * hidden
                var h = 0
                while h + 8 <= hidden {
                    storeVector(loadVector(row + h) + loadVector(source + h), row + h)
                    h += 8
                }
                while h < hidden {
                    row[h] += source[h]
                    h += 1
                }
            }
        }
    }

    /// The backward of `sumOverPairs`: `dX[b, p, :] = dSum[b, :]` for every pair p. With
    /// `reluOutput` (the summed x, when it is a ReLU output), dX is zeroed where it is not
    /// positive: the layer below's dZ, which its products then read without a mask.
    public static func sumOverPairsBackward(
        dSum: UnsafePointer<Float>, dX: UnsafeMutablePointer<Float>, reluOutput: UnsafePointer<Float>? = nil,
        batch: Int, pairs: Int, hidden: Int, pool: ThreadPool
    ) {
        forEachBatchElement(batch, pool: pool) { element in
            let row = dSum + element * hidden
            for p in 0..<pairs {
                let offset = (element * pairs + p) * hidden
                if let reluOutput {
                    ReLU.backward(dY: row, y: reluOutput + offset, dX: dX + offset, count: hidden)
                } else {
                    (dX + offset).update(from: row, count: hidden)
                }
            }
        }
    }

    static func forEachBatchElement(_ batch: Int, pool: ThreadPool, _ body: (Int) -> Void) {
        let parts = min(pool.threadCount, batch)
        let bounds = ThreadPool.ranges(of: batch, parts: parts)
        pool.forEachChunk(parts) { part in
            for element in bounds[part] { body(element) }
        }
    }

    // MARK: - Scalar references

    /// Reference of `broadcastAddReLU`.
    public static func broadcastAddReLUReference(
        a: [Double], b: [Double], c: [Double], batch: Int, objects: Int, hidden: Int
    ) -> [Double] {
        var out = [Double](repeating: 0, count: batch * objects * objects * hidden)
        for e in 0..<batch {
            for i in 0..<objects {
                for j in 0..<objects {
                    for h in 0..<hidden {
                        let v = a[(e * objects + i) * hidden + h] + b[(e * objects + j) * hidden + h] + c[e * hidden + h]
                        out[((e * objects + i) * objects + j) * hidden + h] = max(v, 0)
                    }
                }
            }
        }
        return out
    }

    /// Reference of `broadcastAddReLUBackward` (dC summed over all pairs directly).
    public static func broadcastAddReLUBackwardReference(
        dOut: [Double], out: [Double], batch: Int, objects: Int, hidden: Int
    ) -> (dA: [Double], dB: [Double], dC: [Double]) {
        var dA = [Double](repeating: 0, count: batch * objects * hidden), dB = dA
        var dC = [Double](repeating: 0, count: batch * hidden)
        for e in 0..<batch {
            for i in 0..<objects {
                for j in 0..<objects {
                    for h in 0..<hidden {
                        let index = ((e * objects + i) * objects + j) * hidden + h
                        let g = out[index] > 0 ? dOut[index] : 0
                        dA[(e * objects + i) * hidden + h] += g
                        dB[(e * objects + j) * hidden + h] += g
                        dC[e * hidden + h] += g
                    }
                }
            }
        }
        return (dA, dB, dC)
    }

    /// Reference of `sumOverPairs`.
    public static func sumOverPairsReference(x: [Double], batch: Int, pairs: Int, hidden: Int) -> [Double] {
        var sum = [Double](repeating: 0, count: batch * hidden)
        for e in 0..<batch {
            for p in 0..<pairs { for h in 0..<hidden { sum[e * hidden + h] += x[(e * pairs + p) * hidden + h] } }
        }
        return sum
    }

    /// Reference of `sumOverPairsBackward`.
    public static func sumOverPairsBackwardReference(
        dSum: [Double], reluOutput: [Double]? = nil, batch: Int, pairs: Int, hidden: Int
    ) -> [Double] {
        var dX = [Double](repeating: 0, count: batch * pairs * hidden)
        for e in 0..<batch {
            for p in 0..<pairs { for h in 0..<hidden { dX[(e * pairs + p) * hidden + h] = dSum[e * hidden + h] } }
        }
        if let reluOutput { for index in dX.indices where !(reluOutput[index] > 0) { dX[index] = 0 } }
        return dX
    }
}
