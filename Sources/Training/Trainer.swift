import Artifacts
import Dispatch
import Engine
import Foundation
import Models
import SortOfCLEVR

/// What a run reports as it goes. Progress displays, metrics files and checkpoints subscribe.
public enum TrainingEvent {
    /// After every optimizer step, and after the evaluation at a step that has one.
    case step(TrainingProgress)
    /// After every evaluation, with the line for metrics.jsonl.
    case evaluated(MetricsLine, TrainingProgress)
}

public struct TrainingProgress: Sendable {
    /// Steps taken and planned, over the whole run.
    public let step: Int
    public let totalSteps: Int
    public let epoch: Double
    /// Training questions per second over the recent steps.
    public let samplesPerSecond: Double
    /// The last evaluation's test accuracies, if any.
    public let lastTestAccuracy: PerType<Double>?
    /// Questions per step.
    public let batchSize: Int

    /// Training time left at the current speed (evaluations not included).
    public var etaSeconds: Double? {
        samplesPerSecond > 0 ? Double((totalSteps - step) * batchSize) / samplesPerSecond : nil
    }
}

/// One training run (docs/spec.md section 4): pure relational and non-relational batches
/// alternating, each epoch's questions shuffled per type from (seed, epoch, type), the tail
/// dropped; evaluation on every test question at fixed points.
///
/// The state is the parameters, the batch-norm running statistics, the optimizer state and the
/// step count: everything else (shuffles, dropout masks) is a pure function of the seed and the
/// step, so a run restored from a checkpoint continues bit-identically.
public final class Trainer {
    public let configuration: RunConfiguration
    public let dataset: SortOfCLEVRDataset
    public let schedule: EpochSchedule
    public let model: AnswerModel
    public let optimizer: Optimizer
    let pool: ThreadPool
    let inputs: InputBuffers

    /// Optimizer steps taken.
    public internal(set) var steps = 0
    /// Evaluations so far (one metrics line each).
    public internal(set) var metrics: [MetricsLine] = []
    /// How long the training took up to each evaluation (one line per metrics line). Not part
    /// of the checkpoint: a resumed run reads them back from its timings.jsonl.
    public internal(set) var timings: [TimingLine] = []
    /// Training wall time so far, evaluations excluded.
    public var trainSeconds: Double { timings.last.map { $0.wallSeconds + secondsSinceEvaluation } ?? secondsSinceEvaluation }
    /// Training wall time since the last evaluation.
    var secondsSinceEvaluation = 0.0

    // Training statistics since the last evaluation, per type (0 non-relational, 1 relational).
    var lossSums = [0.0, 0.0]
    var correctCounts = [0, 0]
    var questionCounts = [0, 0]

    public init(configuration: RunConfiguration, dataset: SortOfCLEVRDataset, pool: ThreadPool) throws {
        let spec = configuration.spec
        guard dataset.sha256 == spec.dataset.sha256 || spec.dataset.sha256.isEmpty else {
            throw RunSpecError(message: "the data set's SHA-256 \(dataset.sha256.prefix(12))... differs from the run spec's \(spec.dataset.sha256.prefix(12))...")
        }
        guard dataset.train.count * SceneGeometry.questionsPerType >= spec.batchSize else {
            throw RunSpecError(message: "batch size \(spec.batchSize) exceeds the \(dataset.train.count * SceneGeometry.questionsPerType) training questions of each type")
        }
        self.configuration = configuration
        self.dataset = dataset
        self.pool = pool
        schedule = EpochSchedule(trainImages: dataset.train.count, batchSize: spec.batchSize)
        (model, optimizer) = configuration.makeModelAndOptimizer()
        inputs = InputBuffers(capacity: spec.batchSize)
        guard totalSteps > 0 else {
            throw RunSpecError(message: "\(spec.epochs) epochs of batch \(spec.batchSize) on \(dataset.train.count) training images is no step at all; train for longer")
        }
    }

    /// Steps in the whole run: whole relational + non-relational pairs.
    public var totalSteps: Int { 2 * Int((configuration.spec.epochs * Double(schedule.batchesPerType)).rounded()) }

    /// The step counts after which the run evaluates: every `evalEvery` epochs (rounded to
    /// whole step pairs) and at the end.
    public var evaluationSteps: [Int] {
        let spec = configuration.spec
        var points: [Int] = []
        var k = 1
        while true {
            let pairs = Int((Double(k) * spec.evalEvery * Double(schedule.batchesPerType)).rounded())
            let step = min(2 * pairs, totalSteps)
            if step > (points.last ?? 0) { points.append(step) }
            if step >= totalSteps { break }
            k += 1
        }
        return points
    }

    public var epoch: Double { Double(steps) / Double(schedule.steps) }

    /// Trains until the end of the run, emitting events. Stops early, after an evaluation, when
    /// `stopAfterEvaluations` is reached (for tests of resumption).
    public func run(stopAfterEvaluations: Int? = nil, events: (TrainingEvent) throws -> Void) throws {
        let points = evaluationSteps
        var order: (epoch: Int, rel: [QuestionRef], nonrel: [QuestionRef])?
        var recentStart = DispatchTime.now()
        var recentSamples = 0
        while steps < totalSteps {
            let pair = steps / 2
            let epochIndex = pair / schedule.batchesPerType
            if order?.epoch != epochIndex {
                let seed = configuration.spec.seed
                order = (epochIndex,
                         Shuffle.epochOrder(of: dataset.train, type: .relational, epoch: epochIndex, seed: seed),
                         Shuffle.epochOrder(of: dataset.train, type: .nonRelational, epoch: epochIndex, seed: seed))
            }
            let type: QuestionType = steps % 2 == 0 ? .relational : .nonRelational
            let batchIndex = pair % schedule.batchesPerType
            let size = configuration.spec.batchSize
            let refs = (type == .relational ? order!.rel : order!.nonrel)[(batchIndex * size)..<((batchIndex + 1) * size)]

            let start = DispatchTime.now()
            let loss = trainStep(refs, step: steps)
            let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
            guard loss.isFinite else {
                throw TrainingError.nonFiniteLoss(step: steps, loss: loss)
            }
            secondsSinceEvaluation += seconds
            recentSamples += size
            record(type: type, loss: loss, batch: inputs.batch(size: size))
            steps += 1

            if points.contains(steps) {
                let intervalSamples = questionCounts.reduce(0, +)
                let line = evaluate()
                let rate = secondsSinceEvaluation > 0 ? Double(intervalSamples) / secondsSinceEvaluation : 0
                timings.append(TimingLine(epoch: line.epoch, steps: line.steps, wallSeconds: trainSeconds, samplesPerSecond: rate))
                metrics.append(line)
                secondsSinceEvaluation = 0
                try events(.evaluated(line, TrainingProgress(step: steps, totalSteps: totalSteps, epoch: epoch,
                                                             samplesPerSecond: rate,
                                                             lastTestAccuracy: line.testAccuracy, batchSize: size)))
                if let stop = stopAfterEvaluations, metrics.count >= stop { return }
            }
            // The step event comes after the evaluation it completes, so a subscriber that saves
            // a checkpoint on it never saves one that owes an evaluation.
            let recentElapsed = Double(DispatchTime.now().uptimeNanoseconds - recentStart.uptimeNanoseconds) / 1e9
            try events(.step(TrainingProgress(step: steps, totalSteps: totalSteps, epoch: epoch,
                                              samplesPerSecond: recentElapsed > 0 ? Double(recentSamples) / recentElapsed : 0,
                                              lastTestAccuracy: metrics.last?.testAccuracy, batchSize: size)))
            if recentElapsed > 5 {
                recentStart = DispatchTime.now()
                recentSamples = 0
            }
        }
    }

    /// One optimizer step on `refs`; returns the batch's mean loss.
    func trainStep(_ refs: ArraySlice<QuestionRef>, step: Int) -> Float {
        let batch = inputs.load(refs, from: dataset.train)
        let loss = model.forward(batch, phase: .training(step: step), pool: pool)
        model.backward(batch, pool: pool)
        optimizer.step(parameters: model.parameters.values.base, gradients: model.parameters.gradients.base, pool: pool)
        return loss
    }

    func record(type: QuestionType, loss: Float, batch: InputBatch) {
        let t = type.rawValue
        lossSums[t] += Double(loss) * Double(batch.size)
        correctCounts[t] += model.correctPredictions(batch).filter { $0 }.count
        questionCounts[t] += batch.size
    }

    /// Accuracy on every test question, per type and subtype, and the training statistics
    /// since the previous evaluation.
    func evaluate() -> MetricsLine {
        let test = dataset.test
        var correct = [[0, 0, 0], [0, 0, 0]]
        var total = [[0, 0, 0], [0, 0, 0]]
        let size = configuration.spec.batchSize
        var pass = metrics.count * 1_000_000
        for type in QuestionType.allCases {
            let refs = test.questions(of: type)
            var start = 0
            while start < refs.count {
                let slice = refs[start..<min(start + size, refs.count)]
                let batch = inputs.load(slice, from: test)
                _ = model.forward(batch, phase: .evaluation(pass: pass), pool: pool)
                for (ref, right) in zip(slice, model.correctPredictions(batch)) {
                    let subtype = test.question(ref).subtype
                    total[type.rawValue][subtype] += 1
                    if right { correct[type.rawValue][subtype] += 1 }
                }
                start += size
                pass += 1
            }
        }
        func percent(_ right: Int, _ all: Int) -> Double { all == 0 ? 0 : 100 * Double(right) / Double(all) }
        let byType = (0..<2).map { percent(correct[$0].reduce(0, +), total[$0].reduce(0, +)) }
        let bySubtype = (0..<2).map { t in (0..<3).map { percent(correct[t][$0], total[t][$0]) } }
        let line = MetricsLine(
            epoch: epoch, steps: steps, samples: steps * size,
            trainLoss: PerType(rel: lossSums[1] / Double(max(questionCounts[1], 1)),
                               nonrel: lossSums[0] / Double(max(questionCounts[0], 1))),
            trainAccuracy: PerType(rel: percent(correctCounts[1], questionCounts[1]),
                                   nonrel: percent(correctCounts[0], questionCounts[0])),
            testAccuracy: PerType(rel: byType[1], nonrel: byType[0]),
            testAccuracyBySubtype: PerType(rel: bySubtype[1], nonrel: bySubtype[0]))
        lossSums = [0, 0]
        correctCounts = [0, 0]
        questionCounts = [0, 0]
        return line
    }
}

public enum TrainingError: Error, CustomStringConvertible {
    case nonFiniteLoss(step: Int, loss: Float)

    public var description: String {
        switch self {
        case .nonFiniteLoss(let step, let loss):
            "training diverged: loss \(loss) at step \(step)"
        }
    }
}

/// The input tensors of one batch, allocated once.
public final class InputBuffers {
    let capacity: Int
    let images: Slab
    let questions: Slab
    let answers: UnsafeMutablePointer<Int32>

    public init(capacity: Int) {
        self.capacity = capacity
        images = Slab(count: capacity * 3 * SceneGeometry.side * SceneGeometry.side)
        questions = Slab(count: capacity * Question.vectorLength)
        answers = .allocate(capacity: capacity)
        answers.initialize(repeating: 0, count: capacity)
    }

    deinit { answers.deallocate() }

    public func load(_ refs: ArraySlice<QuestionRef>, from split: SplitData) -> InputBatch {
        precondition(refs.count <= capacity)
        split.assemble(refs, images: images.base, questions: questions.base, answers: answers)
        return batch(size: refs.count)
    }

    func batch(size: Int) -> InputBatch {
        InputBatch(images: images.base, questions: questions.base, answers: answers, size: size)
    }
}
