import Engine
import Foundation
import Testing

/// Distance in units in the last place between two finite Floats of the same sign.
private func ulps(_ a: Float, _ b: Float) -> Int {
    if a == b { return 0 }
    func ordered(_ x: Float) -> Int { x.sign == .minus ? -Int(x.magnitude.bitPattern) : Int(x.bitPattern) }
    return abs(ordered(a) - ordered(b))
}

@Suite struct MathFunctionsTests {
    static let samples = 1 << 20

    @Test func expIsWithinOneUlpOfDoubleExp() {
        var worst = 0, exact = 0
        for i in 0..<Self.samples {
            let x = Float(-103.9 + 192.6 * Double(i) / Double(Self.samples))
            let d = ulps(FloatMath.exp(x), Float(Foundation.exp(Double(x))))
            worst = max(worst, d)
            if d == 0 { exact += 1 }
        }
        #expect(worst <= 1)
        #expect(Double(exact) / Double(Self.samples) > 0.999)
        #expect(FloatMath.exp(0) == 1)
        #expect(FloatMath.exp(-.infinity) == 0)
        #expect(FloatMath.exp(.infinity) == .infinity)
        #expect(FloatMath.exp(89) == .infinity)
        #expect(FloatMath.exp(.nan).isNaN)
    }

    @Test func logIsWithinOneUlpOfDoubleLog() {
        var worst = 0, exact = 0
        // Evenly spaced bit patterns over all positive finite Floats, subnormals included.
        let last = Int(Float.greatestFiniteMagnitude.bitPattern)
        for i in 0..<Self.samples {
            let x = Float(bitPattern: UInt32(1 + (last - 1) * i / (Self.samples - 1)))
            let d = ulps(FloatMath.log(x), Float(Foundation.log(Double(x))))
            worst = max(worst, d)
            if d == 0 { exact += 1 }
        }
        // Densely around 1, where the result is small and cancellation would show.
        for i in 0..<(Self.samples / 4) {
            let x = Float(0.5 + 1.5 * Double(i) / Double(Self.samples / 4))
            worst = max(worst, ulps(FloatMath.log(x), Float(Foundation.log(Double(x)))))
        }
        #expect(worst <= 1)
        #expect(Double(exact) / Double(Self.samples) > 0.999)
        #expect(FloatMath.log(1) == 0)
        #expect(FloatMath.log(0) == -.infinity)
        #expect(FloatMath.log(-1).isNaN)
        #expect(FloatMath.log(.infinity) == .infinity)
    }

    @Test func doubleExpAndLogAgreeWithFoundation() {
        var worst = 0.0
        for i in 0..<20_000 {
            let x = -700 + 1400 * Double(i) / 20_000 + 0.123_456_789
            worst = max(worst, abs(DoubleMath.exp(x) - Foundation.exp(x)) / Foundation.exp(x))
            let y = Foundation.exp(x / 3)
            let reference = Foundation.log(y)
            worst = max(worst, abs(DoubleMath.log(y) - reference) / max(abs(reference), 1e-300))
        }
        #expect(worst < 1e-15)
        #expect(DoubleMath.exp(0) == 1)
        #expect(DoubleMath.log(1) == 0)
    }
}
