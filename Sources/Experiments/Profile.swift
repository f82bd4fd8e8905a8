import Artifacts

/// The scales at which the paper's experiment plan runs (docs/spec.md section 6).
public enum Profile: String, CaseIterable, Sendable, Codable {
    /// The CI gate: minutes on 2 cores, every stage and model exercised.
    case smoke
    /// `make reproduce`'s default: every configuration in about an hour on 2 cores.
    case quick
    /// The paper's scale exactly (docs/spec.md section 6): days on 2 cores, resumable, split into independent jobs.
    case paper

    /// The data set every run of the profile trains on.
    public var dataset: (seed: UInt64, trainImages: Int, testImages: Int) {
        switch self {
        case .smoke: (1, 980, 200)
        case .quick, .paper: (1, 9_800, 200)
        }
    }

    /// Where the profile's data set lives, relative to the repository root.
    public var datasetPath: String {
        let spec = dataset
        return "data/sort-of-clevr-seed\(spec.seed)-\(spec.trainImages)-\(spec.testImages).bin"
    }

    /// Where the profile's plan and runs live, relative to the repository root: the paper
    /// profile's in `results/paper`, tracked in git so that its runs, days long, can be carried
    /// from machine to machine; the others' in `runs/`, scratch.
    public var root: String {
        self == .paper ? "results/paper" : "runs/\(rawValue)"
    }

    /// How a paper row is scaled: width, training length and evaluation interval. Batch size,
    /// learning rate, optimizer and the rest of the row are never changed.
    public struct Scale: Sendable {
        public var hidden: Int
        /// Epochs of a row, from the paper's epochs for it.
        public var epochs: @Sendable (_ model: RunSpec.Model, _ paperEpochs: Int) -> Double
        public var evalEvery: Double
    }

    public var scale: Scale {
        switch self {
        case .paper:
            Scale(hidden: 256, epochs: { _, paperEpochs in Double(paperEpochs) }, evalEvery: 1)
        case .quick:
            // docs/calibration.md: at width 64 the RN leaves the question-only plateau after about
            // 185k-205k questions (1 epoch = 196k); 1.25 epochs show the early ordering only.
            Scale(hidden: 64, epochs: { model, _ in model == .rn ? 1.25 : 2.5 }, evalEvery: 0.125)
        case .smoke:
            Scale(hidden: 16, epochs: { model, _ in model == .rn ? 0.25 : 1 }, evalEvery: 0.125)
        }
    }

    /// What the profile can show, for the plan and the report.
    public var summary: String {
        switch self {
        case .paper:
            "The paper's scale exactly (docs/spec.md section 6): width 256, the paper's epochs, evaluation after every epoch."
        case .quick:
            "Every configuration of Tables 1 and 2 at width 64 for 1.25 epochs (RN) or 2.5 epochs (CNN+MLP), evaluated every 1/8 epoch. The RN spends its first ~190k questions on the question-only plateau, so this scale can show the early ordering of the settings only, never the paper's final accuracies."
        case .smoke:
            "The CI gate: every configuration at width 16 for a fraction of an epoch on a tenth of the data, to exercise every model and stage; its numbers say nothing about the paper."
        }
    }

    /// Each departure from the paper's scale, one sentence each.
    public var deviations: [String] {
        switch self {
        case .paper: []
        case .quick: [
            "Width of g and f (RN) and of the MLP is 64, not 256.",
            "RN runs train for 1.25 epochs and CNN+MLP for 2.5, not 20 and 50.",
            "Test accuracy is evaluated every 1/8 epoch; the run's value is its last evaluation.",
        ]
        case .smoke: [
            "Width is 16, not 256.",
            "980 training images, not 9,800.",
            "RN runs train for 0.25 epoch and CNN+MLP for 1 epoch.",
            "One extra run outside the paper, probe-cnn-mlp-b16-lr5e-4: CNN+MLP at batch 16, lr 5e-4, width 128 for 2 epochs, whose band lies above the question-only baseline, so a training loop that learns nothing fails the check.",
        ]
        }
    }
}
