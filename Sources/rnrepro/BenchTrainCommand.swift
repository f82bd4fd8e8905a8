import ArgumentParser
import Artifacts
import Dispatch
import Engine
import Foundation
import Models
import Training

/// `rnrepro bench train`: training throughput on synthetic data of the real shapes.
struct BenchTrain: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Measure training samples/s (forward, backward, Adam) on synthetic batches of the real shapes.",
        discussion: """
            Prints where a step's time goes, phase by phase (the model's layers mark their ends), \
            then `train_samples_per_s=... effective_gflops=... peak_gflops=...`, where effective \
            GFLOP/s counts 3 x 2 x the forward multiply-accumulates per question (RN with g's \
            first layer factored) times samples/s, and the peak is the FMA probe's in this run.
            """
    )

    @Option(help: "rn or cnn-mlp.")
    var model: RunSpec.Model = .rn

    @Option(help: "Batch size.")
    var batch: Int = 64

    @Option(help: "Timed steps (after 2 warm-up steps).")
    var steps: Int = 20

    @Option(help: "Width of g and f (RN) or of the MLP.")
    var hidden: Int = 256

    @OptionGroup var threadOptions: ThreadOptions

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1 (got \(batch))") }
        guard steps >= 1 else { throw ValidationError("--steps must be at least 1 (got \(steps))") }
        guard hidden >= 1 else { throw ValidationError("--hidden must be at least 1 (got \(hidden))") }
    }

    func run() throws {
        let pool = try threadOptions.makePool()
        let config = ModelConfig(kind: model.kind, hidden: hidden)
        let network = makeModel(config, capacity: batch, dropout: .train, tags: .grid, seed: 1)
        network.parameters.initialise(seed: 1)
        let optimizer = Adam(count: network.parameters.slabCount, learningRate: 1e-4)

        // Synthetic inputs: uniform pixels, one-hot questions, uniform answers.
        var random = RandomStream(seed: 1, domain: .synthetic)
        let imageCount = batch * 3 * 75 * 75
        let images = Slab(count: imageCount)
        for e in 0..<imageCount { images.base[e] = random.nextUnitFloat() }
        let questions = Slab(count: batch * ModelConfig.questionLength)
        let answers = UnsafeMutablePointer<Int32>.allocate(capacity: batch)
        defer { answers.deallocate() }
        for b in 0..<batch {
            let row = questions.base + b * ModelConfig.questionLength
            row[random.nextInt(below: 6)] = 1
            row[6 + random.nextInt(below: 2)] = 1
            row[8 + random.nextInt(below: 3)] = 1
            answers[b] = Int32(random.nextInt(below: ModelConfig.answerCount))
        }
        let input = InputBatch(images: images.base, questions: questions.base, answers: answers, size: batch)

        // The FMA peak of this run's threads and kernels, before the steps.
        var peak = 0.0
        for _ in 0..<3 { peak = max(peak, PeakProbe.fmaGFLOPS(pool: pool)) }

        var timed = pool
        let clock = PhaseClock()
        timed.phaseEnded = { clock.lap($0) }
        func step(_ index: Int, pool: ThreadPool) {
            _ = network.forward(input, phase: .training(step: index), pool: pool)
            network.backward(input, pool: pool)
            optimizer.step(parameters: network.parameters.values.base, gradients: network.parameters.gradients.base, pool: pool)
            pool.phaseEnded?("Adam")
        }
        step(0, pool: pool)
        step(1, pool: pool)
        let start = DispatchTime.now()
        clock.reset()
        for index in 0..<steps { step(2 + index, pool: timed) }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        let samplesPerSecond = Double(steps * batch) / seconds
        let flopsPerSample = 6 * Double(config.forwardMultiplyAccumulates)
        let gflops = samplesPerSecond * flopsPerSample / 1e9
        print("\(model.rawValue) hidden \(hidden), batch \(batch), \(pool.threadCount) threads, \(pool.isa): \(steps) steps in \(String(format: "%.2f", seconds)) s")
        print(String(format: "%.2f GFLOP per training sample (3 x forward, %.1f M multiply-accumulates)",
                     flopsPerSample / 1e9, Double(config.forwardMultiplyAccumulates) / 1e6))
        print("where a step's time goes (per step; GFLOP/s for g's products of (batch x 625) x \(hidden) x \(hidden)):")
        let stepSeconds = seconds / Double(steps)
        let productFlops = 2 * Double(batch * 625 * hidden * hidden)
        let phases = Self.grouped(clock.phases, steps: steps)
        let accounted = phases.reduce(0) { $0 + $1.1 }
        for (name, perStep) in phases + [("everything else", max(0, stepSeconds - accounted))] {
            var line = String(format: "  %@ %8.2f ms  %5.1f %%", name.padding(toLength: 22, withPad: " ", startingAt: 0),
                              1e3 * perStep, 100 * perStep / stepSeconds)
            if model == .rn, name.hasPrefix("g"), name != "g1 forward", name != "g1 backward" {
                line += String(format: "  %6.1f GFLOP/s", productFlops / perStep / 1e9)
            }
            print(line)
        }
        print(String(format: "train_samples_per_s=%.1f effective_gflops=%.1f peak_gflops=%.1f", samplesPerSecond, gflops, peak))
    }

    /// Per step, in the order they ran; the answer head's and f1's layers (f1, f2, f3: small
    /// products, dropout) as one forward and one backward.
    static func grouped(_ phases: [(name: String, seconds: Double)], steps: Int) -> [(String, Double)] {
        var groups: [(String, Double)] = []
        for (name, seconds) in phases {
            let head = ["f1", "f2", "f3"].contains { name.hasPrefix($0 + " ") }
            let group = head ? (name.hasSuffix("forward") ? "f forward" : "f backward") : name
            if let index = groups.firstIndex(where: { $0.0 == group }) {
                groups[index].1 += seconds / Double(steps)
            } else {
                groups.append((group, seconds / Double(steps)))
            }
        }
        return groups
    }
}
