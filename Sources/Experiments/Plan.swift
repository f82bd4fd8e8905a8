import Artifacts
import Models
import SortOfCLEVR

/// The experiment plan: every row of the paper's Tables 1 and 2, as many replicates as the paper
/// ran of it, each scaled by the profile. A run's id is its name plus a hash of its spec.
public enum ExperimentPlan {
    /// - Parameter seedOffset: added to every run's seed (replicate r has seed offset + r); the
    ///   golden file's extra seeds are whole-plan offsets.
    public static func make(profile: Profile, paper: PaperFacts, dataset: DatasetRef, seedOffset: UInt64 = 0) -> ProfilePlan {
        let scale = profile.scale
        var runs: [PlannedRun] = []
        for row in paper.allRows {
            for replicate in 1...max(row.runs, 1) {
                let spec = RunSpec(
                    model: row.model, hidden: scale.hidden, batchSize: row.batchSize, learningRate: row.learningRate,
                    optimizer: .adam, epochs: scale.epochs(row.model, row.epochs),
                    evalEvery: min(scale.evalEvery, scale.epochs(row.model, row.epochs)),
                    seed: seedOffset + UInt64(replicate), dropout: .train, coordinateTags: .grid, dataset: dataset)
                let name = runName(row: row.id, replicate: replicate)
                runs.append(PlannedRun(id: "\(name)-\(spec.hash)", row: row.id, replicate: replicate, spec: spec,
                                       parameterCount: parameterCount(of: spec)))
            }
        }
        if profile == .smoke {
            runs.append(learningProbe(dataset: dataset, seedOffset: seedOffset))
        }
        return ProfilePlan(profile: profile.rawValue, summary: profile.summary, deviations: profile.deviations,
                           testQuestionsPerType: dataset.testImages * SceneGeometry.questionsPerType, runs: runs)
    }

    /// The smoke profile's one run outside the paper: a CNN+MLP set up to learn within two
    /// short epochs (batch 16, lr 5e-4, width 128), so that its band sits well above the
    /// question-only baseline and a training loop that learns nothing fails the check. At the
    /// paper's settings the smoke scale is too short for any run to leave that baseline.
    public static func learningProbe(dataset: DatasetRef, seedOffset: UInt64) -> PlannedRun {
        let spec = RunSpec(model: .cnnMLP, hidden: 128, batchSize: 16, learningRate: 5e-4, optimizer: .adam, epochs: 2,
                           evalEvery: 0.5, seed: seedOffset + 1, dropout: .train, coordinateTags: .grid, dataset: dataset)
        let row = "probe-cnn-mlp-b16-lr5e-4"
        return PlannedRun(id: "\(runName(row: row, replicate: 1))-\(spec.hash)", row: row, replicate: 1, spec: spec,
                          parameterCount: parameterCount(of: spec))
    }

    /// The parameter count of `spec`'s model at its width.
    static func parameterCount(of spec: RunSpec) -> Int {
        ModelConfig(kind: spec.model.kind, hidden: spec.hidden).parameterCount
    }

    /// "rn-b64-lr1e-4-r1": the paper row and the replicate, stable across seeds and builds.
    public static func runName(row: String, replicate: Int) -> String { "\(row)-r\(replicate)" }
}

extension PlannedRun {
    public var name: String { ExperimentPlan.runName(row: row, replicate: replicate) }
}
