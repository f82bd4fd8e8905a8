/// exp and log for Float, written here so that training results do not depend on the C
/// library's version (glibc's expf/logf changed implementation in 2.28, and other libms differ).
///
/// Both evaluate in Double with IEEE operations only (+, -, ·, /, fused multiply-add, and
/// conversions), all of which are exactly specified, so every conforming machine gives the same
/// bits. The Double result has relative error below 1e-9, so rounding it to Float is correct
/// except within 1e-9 of a rounding midpoint: the error is at most 0.52 ulp, i.e. never more
/// than 1 ulp. `MathFunctionsTests` checks both against Foundation's Double exp/log rounded
/// to Float on 2^20 arguments each: max difference 1 ulp.
public enum FloatMath {
    @usableFromInline static let log2e = 1.442_695_040_888_963_4
    @usableFromInline static let ln2 = 0.693_147_180_559_945_31

    /// e^x with at most 1 ulp error (see the type's note). exp(x) = 2^k · e^r with
    /// k = round(x / ln 2), |r| ≤ ln 2 / 2, e^r by its Taylor series to degree 9 (truncation
    /// error below 2e-10 relative).
    @inlinable
    public static func exp(_ x: Float) -> Float {
        if x.isNaN { return x }
        if x > 89 { return .infinity }  // e^88.73 already exceeds Float.greatestFiniteMagnitude
        if x < -104 { return 0 }  // below half the smallest subnormal
        let d = Double(x)
        let k = (d * log2e).rounded(.toNearestOrEven)
        let r = d.addingProduct(-k, ln2)  // exact to about 1e-16 · |k|
        var p = 1.0 / 362_880
        p = (1.0 / 40_320).addingProduct(p, r)
        p = (1.0 / 5_040).addingProduct(p, r)
        p = (1.0 / 720).addingProduct(p, r)
        p = (1.0 / 120).addingProduct(p, r)
        p = (1.0 / 24).addingProduct(p, r)
        p = (1.0 / 6).addingProduct(p, r)
        p = 0.5.addingProduct(p, r)
        p = 1.0.addingProduct(p, r)
        p = 1.0.addingProduct(p, r)
        // 2^k as a Double: k is within [-151, 129], far inside Double's exponent range.
        let scale = Double(sign: .plus, exponent: Int(k), significand: 1)
        return Float(p * scale)
    }

    /// ln x with at most 1 ulp error (see the type's note). x = 2^e · m with m in
    /// [√½, √2); ln m = 2 atanh(s) with s = (m - 1)/(m + 1), |s| ≤ 0.1716, by its series to s^15
    /// (truncation error below 2e-13 relative).
    @inlinable
    public static func log(_ x: Float) -> Float {
        if x.isNaN || x < 0 { return .nan }
        if x == 0 { return -.infinity }
        if x == .infinity { return x }
        let d = Double(x)  // subnormal Floats are normal Doubles
        var e = Double(d.exponent)
        var m = d.significand  // in [1, 2)
        if m > 1.414_213_562_373_095_1 {
            m *= 0.5
            e += 1
        }
        let f = m - 1  // exact
        let s = f / (2 + f)
        let s2 = s * s
        var series = 1.0 / 15
        series = (1.0 / 13).addingProduct(series, s2)
        series = (1.0 / 11).addingProduct(series, s2)
        series = (1.0 / 9).addingProduct(series, s2)
        series = (1.0 / 7).addingProduct(series, s2)
        series = (1.0 / 5).addingProduct(series, s2)
        series = (1.0 / 3).addingProduct(series, s2)
        let lnM = 2 * s + 2 * s * s2 * series
        return Float(lnM.addingProduct(e, ln2))
    }
}

/// exp and log for Double, for scalar coefficients such as NAdam's 0.96^(tψ): the same
/// reductions as `FloatMath` with longer series, IEEE operations only, so the bits do not
/// depend on the C library. Accuracy: a few ulp (tests check relative error below 1e-15
/// against Foundation's).
public enum DoubleMath {
    /// e^x: Taylor series of e^r to degree 17 after the reduction x = k ln 2 + r.
    public static func exp(_ x: Double) -> Double {
        if x.isNaN { return x }
        if x > 709.8 { return .infinity }
        if x < -745.2 { return 0 }
        let k = (x * FloatMath.log2e).rounded(.toNearestOrEven)
        // ln 2 split in two so r keeps its low bits for large k.
        let r = x.addingProduct(-k, 0.693_147_180_369_123_82).addingProduct(-k, 1.908_214_929_270_587_7e-10)
        var p = taylorCoefficients[17]
        for n in stride(from: 16, through: 0, by: -1) { p = taylorCoefficients[n].addingProduct(p, r) }
        // Two scalings keep 2^k representable down to the subnormal range.
        let half = Int(k) / 2
        return p * Double(sign: .plus, exponent: half, significand: 1)
            * Double(sign: .plus, exponent: Int(k) - half, significand: 1)
    }

    /// 1/n! for n = 0 ... 17.
    static let taylorCoefficients: [Double] = {
        var factorial = 1.0
        return (0...17).map { n in
            if n > 0 { factorial *= Double(n) }
            return 1 / factorial
        }
    }()

    /// ln x: ln m = 2 atanh((m - 1)/(m + 1)) by its series to s^29, plus e ln 2.
    public static func log(_ x: Double) -> Double {
        if x.isNaN || x < 0 { return .nan }
        if x == 0 { return -.infinity }
        if x == .infinity { return x }
        var e = Double(x.exponent)
        var m = x.significand
        if m > 1.414_213_562_373_095_1 {
            m *= 0.5
            e += 1
        }
        let f = m - 1
        let s = f / (2 + f)
        let s2 = s * s
        var series = 1.0 / 29
        for n in stride(from: 27, through: 3, by: -2) { series = (1 / Double(n)).addingProduct(series, s2) }
        let lnM = 2 * s + 2 * s * s2 * series
        return lnM.addingProduct(e, 0.693_147_180_369_123_82) + e * 1.908_214_929_270_587_7e-10
    }
}
