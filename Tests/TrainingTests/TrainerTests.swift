import Artifacts
import Engine
import Foundation
import Models
import SortOfCLEVR
import Testing
import _RNReproTestSupport
import _RNReproSupport

@testable import Training

/// The training loop's contracts: determinism across thread counts, bit-identical resumption,
/// clear refusals. Small models on a small data set, so the suite stays fast.
@Suite(.serialized) struct TrainerTests {
    static let directory: String = {
        try! Scratch.path("trainer")
    }()

    static let dataset: SortOfCLEVRDataset = {
        let path = directory + "/set.bin"
        try! DatasetFile.generate(DatasetHeader(seed: 4, testCount: 20, trainCount: 40), to: path, pool: ThreadPool(threadCount: 2))
        return try! DatasetFile.read(path)
    }()

    static func spec(model: RunSpec.Model = .rn, hidden: Int = 16, learningRate: Double = 1e-3, epochs: Double = 1,
                     evalEvery: Double = 0.25, dropout: RunSpec.Dropout = .train,
                     optimizer: RunSpec.Optimizer = .adam) -> RunSpec {
        RunSpec(model: model, hidden: hidden, batchSize: 8, learningRate: learningRate, optimizer: optimizer, epochs: epochs,
                evalEvery: evalEvery, seed: 7, dropout: dropout, coordinateTags: .grid,
                dataset: DatasetRef(seed: 4, trainImages: 40, testImages: 20, exactClosest: false, sha256: dataset.sha256))
    }

    static func trainer(_ spec: RunSpec, threads: Int = 2, isa: VectorISA = .best) throws -> Trainer {
        try Trainer(configuration: RunConfiguration(spec), dataset: dataset, pool: ThreadPool(threadCount: threads, isa: isa))
    }

    /// Metrics without their timings, which are the only part allowed to differ.
    static func accuracies(_ lines: [MetricsLine]) -> [[Double]] {
        lines.map { [$0.epoch, Double($0.steps), $0.testAccuracy.rel, $0.testAccuracy.nonrel, $0.trainLoss.rel,
                     $0.trainLoss.nonrel, $0.trainAccuracy.rel, $0.trainAccuracy.nonrel]
                   + $0.testAccuracyBySubtype.rel + $0.testAccuracyBySubtype.nonrel }
    }

    @Test(arguments: RunSpec.Model.allCases)
    func sameBitsWithOneAndTwoThreads(model: RunSpec.Model) throws {
        let spec = Self.spec(model: model)
        let one = try Self.trainer(spec, threads: 1)
        try one.run { _ in }
        let two = try Self.trainer(spec, threads: 2)
        try two.run { _ in }
        #expect(one.checkpoint().sections == two.checkpoint().sections)
        #expect(Self.accuracies(one.metrics) == Self.accuracies(two.metrics))
        #expect(one.metrics.count == 4 && one.steps == one.totalSteps)
    }

    /// Width 64 puts g's and f's products on the 12 x 32 AVX-512 blocks; the run must not notice.
    @Test(.enabled(if: VectorISA.avx512.isSupported, "this CPU has no AVX-512"), arguments: RunSpec.Model.allCases)
    func sameBitsWithAVX2AndAVX512(model: RunSpec.Model) throws {
        let spec = Self.spec(model: model, hidden: 64, epochs: 0.5)
        let narrow = try Self.trainer(spec, isa: .avx2)
        try narrow.run { _ in }
        let wide = try Self.trainer(spec, isa: .avx512)
        try wide.run { _ in }
        #expect(narrow.checkpoint().sections == wide.checkpoint().sections)
        #expect(Self.accuracies(narrow.metrics) == Self.accuracies(wide.metrics))
    }

    @Test(arguments: [(RunSpec.Model.rn, RunSpec.Optimizer.adam, RunSpec.Dropout.train), (.cnnMLP, .nadam, .trainAndTest),
                      (.rn, .sgdMomentum, .none)])
    func resumeIsBitIdentical(model: RunSpec.Model, optimizer: RunSpec.Optimizer, dropout: RunSpec.Dropout) throws {
        let spec = Self.spec(model: model, epochs: 2, evalEvery: 0.5, dropout: dropout, optimizer: optimizer)
        let straight = try Self.trainer(spec)
        let straightRun = RunDirectory(path: Self.directory + "/straight-\(model)-\(optimizer)")
        try straightRun.start(straight, resume: false)
        try straight.run { event in
            if case .evaluated = event { try straightRun.recordEvaluation(of: straight) }
        }

        let path = Self.directory + "/resume-\(model)-\(optimizer)"
        let run = RunDirectory(path: path)
        let first = try Self.trainer(spec)
        try run.start(first, resume: false)
        try first.run(stopAfterEvaluations: 2) { event in
            if case .evaluated = event { try run.recordEvaluation(of: first) }
        }
        #expect(first.steps == straight.totalSteps / 2)

        let second = try Self.trainer(spec)
        try run.start(second, resume: true)
        #expect(second.steps == first.steps)
        try second.run { event in
            if case .evaluated = event { try run.recordEvaluation(of: second) }
        }
        #expect(second.checkpoint().sections == straight.checkpoint().sections)
        #expect(Self.accuracies(second.metrics) == Self.accuracies(straight.metrics))
        let written = try JSONFiles.readLines(MetricsLine.self, from: run.metricsPath)
        #expect(Self.accuracies(written) == Self.accuracies(straight.metrics))
        // The run's files, byte for byte; only timings.jsonl may differ, and it keeps a line
        // per evaluation across the interruption.
        for name in ["spec.json", "metrics.jsonl", "checkpoint.bin"] {
            let resumed = try Data(contentsOf: URL(fileURLWithPath: path + "/" + name))
            let uninterrupted = try Data(contentsOf: URL(fileURLWithPath: straightRun.path + "/" + name))
            #expect(resumed == uninterrupted, "\(name) differs")
        }
        let timings = try JSONFiles.readLines(TimingLine.self, from: run.timingsPath)
        #expect(timings.map(\.steps) == straight.metrics.map(\.steps))
        #expect(zip(timings, timings.dropFirst()).allSatisfy { $0.wallSeconds <= $1.wallSeconds })
    }

    @Test func checkpointOfAnotherRunIsRefused() throws {
        let path = Self.directory + "/other"
        let run = RunDirectory(path: path)
        let trainer = try Self.trainer(Self.spec(model: .rn))
        try run.start(trainer, resume: false)
        try trainer.run(stopAfterEvaluations: 1) { event in
            if case .evaluated = event { try run.recordEvaluation(of: trainer) }
        }
        let other = try Self.trainer(Self.spec(model: .cnnMLP))
        #expect(throws: FileError.self) { try run.start(other, resume: true) }
        let otherRate = try Self.trainer(Self.spec(model: .rn, learningRate: 1e-2))
        #expect(throws: FileError.self) { try run.start(otherRate, resume: true) }
        // A new run does not overwrite a directory holding one.
        #expect(throws: FileError.self) { try run.start(try Self.trainer(Self.spec()), resume: false) }
    }

    @Test func divergenceStopsTheRunAndKeepsTheLastCheckpoint() throws {
        let path = Self.directory + "/diverge"
        let run = RunDirectory(path: path)
        let trainer = try Self.trainer(Self.spec(model: .cnnMLP))
        try run.start(trainer, resume: false)
        var saved = 0
        #expect {
            try trainer.run { event in
                if case .evaluated = event {
                    try run.recordEvaluation(of: trainer)
                    saved = trainer.steps
                    // Poison one weight after the first evaluation: the next loss is NaN.
                    trainer.model.parameters.value("f3.weight")[0] = .nan
                }
            }
        } throws: { error in
            guard case TrainingError.nonFiniteLoss(let step, _) = error else { return false }
            return step == saved && "\(error)".contains("training diverged")
        }
        #expect(saved > 0)
        #expect(try Checkpoint.read(run.checkpointPath).header.steps == saved)
        #expect(try JSONFiles.readLines(MetricsLine.self, from: run.metricsPath).count == 1)
    }

    @Test func badSpecsAreRefused() throws {
        // A setting outside its set does not even read: the file's reader names it.
        var json = String(decoding: try JSONFiles.encoder().encode(Self.spec()), as: UTF8.self)
        json = json.replacingOccurrences(of: "\"model\" : \"rn\"", with: "\"model\" : \"transformer\"")
        #expect {
            try JSONFiles.decode(RunSpec.self, from: Data(json.utf8), path: "spec.json", schema: RunSpec.schema)
        } throws: { "\($0)".hasPrefix("spec.json: invalid JSON for RunSpec: model: ") }
        var spec = Self.spec()
        spec.hidden = 0
        #expect(throws: RunSpecError.self) { try RunConfiguration(spec) }
        spec = Self.spec()
        spec.dataset.sha256 = "feed"
        #expect(throws: RunSpecError.self) { try Self.trainer(spec) }
    }

    @Test func evaluationPoints() throws {
        let trainer = try Self.trainer(Self.spec(epochs: 1.25, evalEvery: 0.5))
        // 40 images: 400 questions per type, batch 8: 50 pairs of steps per epoch.
        #expect(trainer.totalSteps == 2 * 63)
        #expect(trainer.evaluationSteps == [50, 100, 126])
    }
}
