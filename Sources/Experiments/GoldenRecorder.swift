import Artifacts
import Engine
import Foundation
import SortOfCLEVR
import Training
import _RNReproSupport

/// `rnrepro golden record`: the only way golden files are made. Bands come from runs of the
/// profile's plan at several seed offsets (GoldenBands), or, for the paper profile, from the
/// campaign's finished runs, one seed each. Every golden file names what it measured: the data
/// set's SHA-256 and each run's spec hash in the plan `check` compares (seed offset 0).
public struct GoldenRecorder {
    public let profile: Profile
    public let paper: PaperFacts
    /// The runner of the plan at a seed offset.
    let runner: (UInt64) -> ProfileRunner
    let log: (String) -> Void

    public init(profile: Profile, paper: PaperFacts, runner: @escaping (UInt64) -> ProfileRunner,
                log: @escaping (String) -> Void) {
        self.profile = profile
        self.paper = paper
        self.runner = runner
        self.log = log
    }

    /// Trains (or reuses) the plan at each of `offsets`, then makes the bands over them and the
    /// seeds `existing` already holds.
    public func record(offsets: [UInt64], adding existing: GoldenFile? = nil, notes: [String],
                       pool: ThreadPool) throws -> GoldenFile {
        if let existing, let repeated = offsets.first(where: existing.seeds.contains) {
            throw GoldenError("the golden file already has seed offset \(repeated)")
        }
        var seedRuns: [GoldenBands.SeedRuns] = []
        var reference: ProfilePlan?
        var questions = 0
        for offset in offsets {
            let runner = runner(offset)
            let dataset = try runner.dataset(pool: pool)
            questions = dataset.test.count * SceneGeometry.questionsPerType
            let plan = runner.plan(for: dataset)
            try runner.writePlan(plan, dataset: dataset)
            for run in plan.runs where !runner.isFinished(run) {
                log("seed offset \(offset): training \(run.name)")
                try runner.train(run, dataset: dataset, pool: pool)
            }
            seedRuns.append(try Self.evaluations(of: plan.runs, in: runner))
            // The plan `check` compares is seed offset 0's, whichever offsets are recorded now.
            reference = runner.plan(for: dataset, seedOffset: 0)
        }
        guard let reference else { throw GoldenError("no seed offset to record") }
        return GoldenFile(
            profile: profile.rawValue, seeds: (existing?.seeds ?? []) + offsets, provenance: .current(),
            notes: notes.isEmpty ? existing?.notes ?? [] : notes, deviations: profile.deviations,
            datasetSHA256: reference.runs.first?.spec.dataset.sha256,
            runs: try GoldenBands.goldenRuns(of: reference.runs, runs: (existing.map(GoldenBands.seedRuns) ?? []) + seedRuns,
                                             questions: questions))
    }

    /// The paper campaign's finished runs (their files matching their manifests), one seed each.
    /// Without `notes`, the findings `existing` records are kept.
    public func recordFinished(notes: [String], existing: GoldenFile? = nil) throws -> GoldenFile {
        let runner = runner(0)
        let plan = try JSONFiles.read(ProfilePlan.self, from: runner.folder.planPath, schema: ProfilePlan.schema)
        let done = plan.runs.filter { runner.isFinished($0) }
        guard let first = done.first else {
            throw GoldenError("no run of \(runner.root) has finished yet; `make campaign-status` shows where they stand")
        }
        return GoldenFile(
            profile: profile.rawValue, seeds: [0], provenance: .current(), notes: notes.isEmpty ? existing?.notes ?? [] : notes,
            deviations: profile.deviations, datasetSHA256: first.spec.dataset.sha256,
            runs: try GoldenBands.goldenRuns(of: done, runs: [try Self.evaluations(of: done, in: runner)],
                                             questions: first.spec.dataset.testImages * SceneGeometry.questionsPerType))
    }

    static func evaluations(of runs: [PlannedRun], in runner: ProfileRunner) throws -> GoldenBands.SeedRuns {
        var evaluations: GoldenBands.SeedRuns = [:]
        for run in runs {
            evaluations[run.name] = try JSONFiles.readLines(MetricsLine.self, from: runner.directory(of: run).metricsPath)
                .map(GoldenBands.Evaluation.init)
        }
        return evaluations
    }

    /// Writes `golden` to `path`. A golden file is a commitment: it is never made from a tree
    /// with uncommitted changes (its provenance could not name the code), and an existing file
    /// is replaced only with `force`, or when the new one keeps every run the old one has,
    /// with the same bands, and adds to them (the paper campaign's file grows as runs finish).
    public static func write(_ golden: GoldenFile, to path: String, force: Bool) throws {
        guard !golden.provenance.commit.hasSuffix("-dirty") else {
            throw GoldenError("the source tree has uncommitted changes (\(golden.provenance.commit)); commit them first, so the golden file names the code that made it")
        }
        if !force, FileManager.default.fileExists(atPath: path) {
            let old = try JSONFiles.read(GoldenFile.self, from: path, schema: GoldenFile.schema)
            let kept = old.seeds == golden.seeds && old.runs.allSatisfy { golden.runs.contains($0) }
            guard kept else {
                throw GoldenError("\(path) exists and the new bands would change it; pass --force to replace it")
            }
        }
        try JSONFiles.write(golden, to: path)
    }
}
