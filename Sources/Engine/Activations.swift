/// ReLU on its own, for the places where it is not fused into a GEMM or convolution epilogue.
/// x, y, dY, dX: [count]; outputs may alias inputs.
public enum ReLU {
    /// `y = max(x, 0)` (NaN stays NaN, as in PyTorch).
    public static func forward(x: UnsafePointer<Float>, y: UnsafeMutablePointer<Float>, count: Int) {
        var e = 0
        while e + 8 <= count {
            var v = loadVector(x + e)
            v.replace(with: 0, where: v .< 0)
            storeVector(v, y + e)
            e += 8
        }
        while e < count {
            y[e] = x[e] < 0 ? 0 : x[e]
            e += 1
        }
    }

    /// `dX = dY ⊙ [y > 0]`, from the forward's output y (y > 0 exactly where x > 0).
    public static func backward(dY: UnsafePointer<Float>, y: UnsafePointer<Float>, dX: UnsafeMutablePointer<Float>, count: Int) {
        var e = 0
        while e + 8 <= count {
            var v = loadVector(dY + e)
            v.replace(with: 0, where: .!(loadVector(y + e) .> 0))
            storeVector(v, dX + e)
            e += 8
        }
        while e < count {
            dX[e] = y[e] > 0 ? dY[e] : 0
            e += 1
        }
    }

    // MARK: - Scalar references

    public static func forwardReference(_ x: [Double]) -> [Double] { x.map { max($0, 0) } }

    public static func backwardReference(dY: [Double], y: [Double]) -> [Double] {
        zip(dY, y).map { $1 > 0 ? $0 : 0 }
    }
}
