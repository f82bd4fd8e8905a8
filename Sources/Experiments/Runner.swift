import Artifacts
import Engine
import Foundation
import SortOfCLEVR
import Training
import _RNReproSupport

/// Runs a profile's plan: makes or verifies the data set, writes `plan.json` and `samples.json`,
/// skips runs that finished (their manifest's hashes verify), resumes interrupted ones from
/// their checkpoints and trains the rest, one after another or as parallel processes.
public final class ProfileRunner {
    public let profile: Profile
    /// `runs/<profile>` for the plan `reproduce` runs, another folder for golden seeds.
    public let root: String
    public let seedOffset: UInt64
    public let paper: PaperFacts
    /// Wall-time seconds between two checkpoints of a run between its evaluations.
    public var checkpointEvery: Double
    let log: (String) -> Void

    public init(profile: Profile, root: String, seedOffset: UInt64 = 0, paper: PaperFacts,
                log: @escaping (String) -> Void) {
        self.profile = profile
        self.checkpointEvery = RunSession.defaultCheckpointInterval
        self.root = root
        self.seedOffset = seedOffset
        self.paper = paper
        self.log = log
    }

    /// Reads the profile's data set, generating it first when absent. A file that exists but
    /// was made with other settings is an error, never silently replaced.
    public func dataset(pool: ThreadPool) throws -> SortOfCLEVRDataset {
        let path = profile.datasetPath
        let expected = profile.dataset
        if !FileManager.default.fileExists(atPath: path) {
            log("generating \(path)")
            try DatasetFile.generate(
                DatasetHeader(seed: expected.seed, testCount: expected.testImages, trainCount: expected.trainImages),
                to: path, pool: pool)
        }
        let dataset = try DatasetFile.read(path)
        let header = dataset.header
        guard header.seed == expected.seed, header.trainCount == expected.trainImages,
            header.testCount == expected.testImages, !header.rules.exactClosest
        else {
            throw FileError(path: path, reason: "holds another data set (seed \(header.seed), \(header.trainCount)/\(header.testCount) images); the \(profile.rawValue) profile needs seed \(expected.seed), \(expected.trainImages)/\(expected.testImages); move it away")
        }
        return dataset
    }

    /// The plan on `dataset` at this runner's seed offset, or at `seedOffset`.
    public func plan(for dataset: SortOfCLEVRDataset, seedOffset: UInt64? = nil) -> ProfilePlan {
        let reference = DatasetRef(seed: dataset.header.seed, trainImages: dataset.train.count,
                                   testImages: dataset.test.count, exactClosest: dataset.header.rules.exactClosest,
                                   sha256: dataset.sha256)
        return ExperimentPlan.make(profile: profile, paper: paper, dataset: reference, seedOffset: seedOffset ?? self.seedOffset)
    }

    /// Writes plan.json and samples.json (four test images for the report's sample figure).
    public func writePlan(_ plan: ProfilePlan, dataset: SortOfCLEVRDataset) throws {
        try JSONFiles.write(plan, to: folder.planPath)
        try JSONFiles.write((0..<min(4, dataset.test.count)).map { SceneSample(dataset.test, index: $0) },
                            to: folder.samplesPath)
    }

    /// The layout of `root`.
    public var folder: ProfileFolder { ProfileFolder(root: root) }

    public func directory(of run: PlannedRun) -> RunDirectory { RunDirectory(path: folder.run(run.id).path) }

    /// Whether `run` finished: its manifest exists and every file hash in it verifies.
    public func isFinished(_ run: PlannedRun) -> Bool {
        (try? directory(of: run).verifiedManifest()) != nil
    }

    /// Trains one run in this process, resuming from its checkpoint if it has one, until its
    /// end or until `stop` is requested; between evaluations it checkpoints every
    /// `checkpointEvery` seconds.
    @discardableResult
    public func train(_ run: PlannedRun, dataset: SortOfCLEVRDataset, pool: ThreadPool, stop: StopRequest? = nil,
                      progress: (TrainingEvent) -> Void = { _ in }) throws -> RunSession.Outcome {
        let trainer = try Trainer(configuration: RunConfiguration(run.spec), dataset: dataset, pool: pool)
        let session = try RunSession(directory: directory(of: run), trainer: trainer, pool: pool, resume: true)
        return try session.run(checkpointEvery: checkpointEvery, stop: stop, progress: progress)
    }
}
