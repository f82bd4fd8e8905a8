import Artifacts
import Engine
import Models

extension Trainer {
    /// The run's state now: parameters, batch-norm running statistics, optimizer state, step
    /// count, the metrics so far and, between two evaluations, the training statistics since the
    /// last one. At an evaluation its bytes depend on the spec and data only; between two, the
    /// interval's training time is in it too.
    public func checkpoint() -> Checkpoint {
        var sections: [(String, [Float])] = [
            ("parameters", model.parameters.flatValues()),
            ("batchnorm.running", model.runningStatistics),
        ]
        sections += optimizerSections()
        return Checkpoint(spec: configuration.spec, steps: steps, optimizerSteps: optimizer.stepCount,
                          metrics: metrics, sinceEvaluation: intervalStatistics, sections: sections)
    }

    /// Continues from `checkpoint`, which must come from a run with the same spec. `timings`
    /// (the run's timings.jsonl, if any) keep the wall time summed across the interruption; only
    /// the lines of evaluations the checkpoint holds are kept.
    public func restore(_ checkpoint: Checkpoint, timings: [TimingLine] = []) throws {
        guard checkpoint.header.spec == configuration.spec else {
            let differences = checkpoint.header.spec.differences(from: configuration.spec)
            throw RunSpecError(message: "the checkpoint belongs to another run: \(differences.joined(separator: ", "))")
        }
        let expected = model.parameters.specs.reduce(0) { $0 + $1.count }
        guard let parameters = checkpoint.section("parameters"), parameters.count == expected,
            let running = checkpoint.section("batchnorm.running"), running.count == model.runningStatistics.count
        else {
            throw RunSpecError(message: "the checkpoint's sections do not fit this model")
        }
        if let interval = checkpoint.header.sinceEvaluation {
            guard [interval.lossSums.count, interval.correctCounts.count, interval.questionCounts.count] == [2, 2, 2] else {
                throw RunSpecError(message: "the checkpoint's interval statistics are not per question type")
            }
        }
        model.parameters.load(flatValues: parameters)
        model.runningStatistics = running
        try restoreOptimizer(from: checkpoint)
        steps = checkpoint.header.steps
        metrics = checkpoint.header.metrics
        self.timings = Array(timings.prefix(metrics.count))
        let interval = checkpoint.header.sinceEvaluation
        lossSums = interval?.lossSums ?? [0, 0]
        correctCounts = interval?.correctCounts ?? [0, 0]
        questionCounts = interval?.questionCounts ?? [0, 0]
        secondsSinceEvaluation = interval?.trainSeconds ?? 0
    }

    /// The statistics since the last evaluation, or nil right after one (or before any step).
    var intervalStatistics: IntervalStatistics? {
        guard questionCounts.reduce(0, +) > 0 else { return nil }
        return IntervalStatistics(lossSums: lossSums, correctCounts: correctCounts, questionCounts: questionCounts,
                                  trainSeconds: secondsSinceEvaluation)
    }

    private func optimizerSections() -> [(String, [Float])] {
        func values(_ slab: Slab) -> [Float] { Array(UnsafeBufferPointer(start: slab.base, count: slab.count)) }
        switch optimizer {
        case let adam as Adam:
            return [("adam.m", values(adam.firstMoment)), ("adam.v", values(adam.secondMoment))]
        case let nadam as NAdam:
            return [("nadam.m", values(nadam.firstMoment)), ("nadam.v", values(nadam.secondMoment)),
                    ("nadam.mu_product", [nadam.muProduct])]
        case let sgd as SGDMomentum:
            return [("sgd.momentum", values(sgd.momentumBuffer))]
        default:
            preconditionFailure("unknown optimizer \(type(of: optimizer))")
        }
    }

    private func restoreOptimizer(from checkpoint: Checkpoint) throws {
        func load(_ name: String, into slab: Slab) throws {
            guard let values = checkpoint.section(name), values.count == slab.count else {
                throw RunSpecError(message: "the checkpoint has no optimizer state '\(name)' of \(slab.count) values")
            }
            values.withUnsafeBufferPointer { slab.base.update(from: $0.baseAddress!, count: slab.count) }
        }
        let steps = checkpoint.header.optimizerSteps
        switch optimizer {
        case let adam as Adam:
            try load("adam.m", into: adam.firstMoment)
            try load("adam.v", into: adam.secondMoment)
            adam.stepCount = steps
        case let nadam as NAdam:
            try load("nadam.m", into: nadam.firstMoment)
            try load("nadam.v", into: nadam.secondMoment)
            guard let mu = checkpoint.section("nadam.mu_product")?.first else {
                throw RunSpecError(message: "the checkpoint has no NAdam momentum product")
            }
            nadam.muProduct = mu
            nadam.stepCount = steps
        case let sgd as SGDMomentum:
            try load("sgd.momentum", into: sgd.momentumBuffer)
            sgd.stepCount = steps
        default:
            preconditionFailure("unknown optimizer \(type(of: optimizer))")
        }
    }
}
