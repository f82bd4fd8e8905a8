/// The scales at which the paper's experiment plan runs (DESIGN.md, Profiles).
public enum Profile: String, CaseIterable, Sendable, Codable {
    /// The CI gate: minutes on 2 cores, every stage and model exercised.
    case smoke
    /// `make reproduce`'s default: every configuration in about an hour on 2 cores.
    case quick
    /// SPEC.md's scale exactly: days on 2 cores, resumable, split into independent jobs.
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
}
