import Engine
import Foundation
import Testing

@Suite struct LossAndActivationTests {
    private let batch = 7, classes = 10

    private func targets() -> [Int32] {
        var random = RandomStream(seed: 3, domain: .synthetic, 400, 0)
        return (0..<batch).map { _ in Int32(random.nextInt(below: classes)) }
    }

    @Test func logSoftmaxLossMatchesReference() {
        let logits = randomValues(batch * classes, stream: 401, range: -8...8)
        let targets = targets()
        let buffers = Buffers()
        let logProbabilities = buffers.zeros(batch * classes), dLogits = buffers.zeros(batch * classes)
        let loss = targets.withUnsafeBufferPointer { t in
            let loss = LogSoftmaxLoss.forward(
                logits: buffers.make(logits), targets: t.baseAddress!, logProbabilities: logProbabilities,
                batch: batch, classes: classes)
            LogSoftmaxLoss.backward(
                logProbabilities: logProbabilities, targets: t.baseAddress!, dLogits: dLogits, batch: batch, classes: classes)
            return loss
        }
        let reference = LogSoftmaxLoss.forwardReference(
            logits: logits, targets: targets.map(Int.init), batch: batch, classes: classes, exp: Foundation.exp, log: Foundation.log)
        #expect(maxScaledError(read(logProbabilities, batch * classes), reference.logProbabilities) <= Tolerance.floatKernel)
        #expect(abs(Double(loss) - reference.loss) <= Tolerance.floatKernel * max(1, reference.loss))
        let gradient = LogSoftmaxLoss.backwardReference(
            logProbabilities: reference.logProbabilities, targets: targets.map(Int.init), batch: batch, classes: classes,
            exp: Foundation.exp)
        #expect(maxScaledError(read(dLogits, batch * classes), gradient) <= Tolerance.floatKernel)
    }

    @Test func logSoftmaxLossReferencePassesGradientCheck() {
        let targets = targets().map(Int.init)
        for (rows, elementwise) in [(2, true), (batch, false)] {
            let logits = randomValues(rows * classes, stream: 402, range: -4...4)
            let forward: ([[Double]]) -> [Double] = { inputs in
                [LogSoftmaxLoss.forwardReference(
                    logits: inputs[0], targets: targets, batch: rows, classes: classes, exp: Foundation.exp,
                    log: Foundation.log).loss]
            }
            let logProbabilities = LogSoftmaxLoss.forwardReference(
                logits: logits, targets: targets, batch: rows, classes: classes, exp: Foundation.exp, log: Foundation.log
            ).logProbabilities
            let gradient = LogSoftmaxLoss.backwardReference(
                logProbabilities: logProbabilities, targets: targets, batch: rows, classes: classes, exp: Foundation.exp)
            #expect(GradientCheck.agrees(GradientCheck.directional(
                inputs: [logits], upstream: [1], gradients: [gradient], stream: 403, forward: forward)))
            if elementwise {
                #expect(GradientCheck.elementwiseError(inputs: [logits], upstream: [1], gradients: [gradient], forward: forward)
                    <= Tolerance.gradient)
            }
        }
    }

    @Test func dropoutMaskIsTheGeneratorsAndBackwardAppliesIt() {
        let count = 4099
        let x = randomValues(count, stream: 410), dY = randomValues(count, stream: 411)
        let buffers = Buffers()
        let y = buffers.zeros(count), mask = buffers.zeros(count), dX = buffers.zeros(count)
        Dropout.forward(x: buffers.make(x), y: y, mask: mask, count: count, probability: 0.5, seed: 9, step: 12, layer: 1)
        let reference = Dropout.maskReference(count: count, probability: 0.5, seed: 9, step: 12, layer: 1)
        #expect(maxScaledError(read(mask, count), reference) == 0)
        #expect(maxScaledError(read(y, count), zip(x, reference).map(*)) == 0)
        let kept = reference.filter { $0 > 0 }.count
        #expect(abs(Double(kept) / Double(count) - 0.5) < 0.03)
        #expect(Set(reference) == [0, 2])
        Dropout.backward(dY: buffers.make(dY), mask: mask, dX: dX, count: count)
        #expect(maxScaledError(read(dX, count), zip(dY, reference).map(*)) == 0)
        // Another step or layer draws another mask.
        #expect(Dropout.maskReference(count: count, probability: 0.5, seed: 9, step: 13, layer: 1) != reference)
        #expect(Dropout.maskReference(count: count, probability: 0.5, seed: 9, step: 12, layer: 2) != reference)
    }

    @Test func dropoutIsLinearInItsInput() {
        // Its gradient check: y = x ⊙ mask, so the vjp is dY ⊙ mask.
        let count = 40
        let mask = Dropout.maskReference(count: count, probability: 0.3, seed: 1, step: 0, layer: 0)
        let x = randomValues(count, stream: 412), upstream = randomValues(count, stream: 413)
        let forward: ([[Double]]) -> [Double] = { inputs in zip(inputs[0], mask).map(*) }
        let gradient = zip(upstream, mask).map(*)
        #expect(GradientCheck.elementwiseError(inputs: [x], upstream: upstream, gradients: [gradient], forward: forward)
            <= Tolerance.gradient)
    }

    @Test func reluMatchesReference() {
        let count = 45
        let x = randomValues(count, stream: 420), dY = randomValues(count, stream: 421)
        let buffers = Buffers()
        let y = buffers.zeros(count), dX = buffers.zeros(count)
        ReLU.forward(x: buffers.make(x), y: y, count: count)
        ReLU.backward(dY: buffers.make(dY), y: y, dX: dX, count: count)
        #expect(maxScaledError(read(y, count), ReLU.forwardReference(x)) == 0)
        #expect(maxScaledError(read(dX, count), ReLU.backwardReference(dY: dY, y: ReLU.forwardReference(x))) == 0)
        let forward: ([[Double]]) -> [Double] = { ReLU.forwardReference($0[0]) }
        #expect(GradientCheck.elementwiseError(
            inputs: [x], upstream: dY, gradients: [ReLU.backwardReference(dY: dY, y: ReLU.forwardReference(x))],
            forward: forward) <= Tolerance.gradient)
    }
}
