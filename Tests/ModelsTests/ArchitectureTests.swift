import Testing

@testable import Models

@Suite struct ArchitectureTests {
    /// docs/spec.md section 3's counts at the paper's width, and the scaled-down widths measured in
    /// PyTorch (docs/calibration.md).
    @Test(arguments: [
        (ModelKind.relationNetwork, 256, 364_402), (.cnnMLP, 256, 241_522),
        (.relationNetwork, 128, 108_530), (.cnnMLP, 128, 112_626),
        (.relationNetwork, 64, 42_034), (.cnnMLP, 64, 60_466),
    ])
    func parameterCounts(kind: ModelKind, hidden: Int, expected: Int) {
        #expect(ModelConfig(kind: kind, hidden: hidden).parameterCount == expected)
    }

    @Test func pytorchNamesAndShapes() {
        let rn = ModelConfig(kind: .relationNetwork).parameterTensors
        #expect(rn.first == TensorSpec(name: "conv1.weight", shape: [24, 3, 3, 3]))
        #expect(rn.contains(TensorSpec(name: "g1.weight", shape: [256, 63])))
        #expect(rn.last == TensorSpec(name: "f3.bias", shape: [10]))
        let cnn = ModelConfig(kind: .cnnMLP).parameterTensors
        #expect(cnn.contains(TensorSpec(name: "fc1.weight", shape: [256, 611])))
        #expect(!cnn.contains { $0.name.hasPrefix("g") || $0.name.hasPrefix("f1.") })
        #expect(Set(rn.map(\.name)).count == rn.count)
    }
}

extension ArchitectureTests {
    /// docs/spec.md section 5: conv stem 3.46 M, g2...g4 122.9 M, f 0.13 M multiply-accumulates per
    /// question; the factored g1 costs 25 x 2 x 26 x H + 11 x H instead of 625 x 63 x H.
    @Test func forwardCost() {
        let rn = ModelConfig(kind: .relationNetwork).forwardMultiplyAccumulates
        let stem = 3_455_136
        #expect(rn == stem + 2 * 25 * 26 * 256 + 11 * 256 + 3 * 625 * 256 * 256 + 256 * 256 + 256 * 256 + 2_560)
        let cnn = ModelConfig(kind: .cnnMLP).forwardMultiplyAccumulates
        #expect(cnn == stem + 611 * 256 + 256 * 256 + 2_560)
        #expect(abs(Double(cnn) - 3.68e6) < 0.01e6)
    }
}
