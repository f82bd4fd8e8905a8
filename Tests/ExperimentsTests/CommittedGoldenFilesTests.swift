import Artifacts
import Engine
import Foundation
import SortOfCLEVR
import Testing
import _RNReproTestSupport

@testable import Experiments

/// Every committed golden file belongs to today's plan: the profile's data set, generated now,
/// has the SHA-256 it names, and every planned run has bands recorded for its spec hash. A
/// change to the plan (a scale, a seed, a rule of the data set) fails here, not as a silent
/// comparison with stale bands.
@Suite struct CommittedGoldenFilesTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    static var committed: [Profile] {
        Profile.allCases.filter { FileManager.default.fileExists(atPath: root.appendingPathComponent("golden/\($0.rawValue).json").path) }
    }

    @Test func smokeAndQuickAreCommitted() {
        #expect(Set(Self.committed).isSuperset(of: [.smoke, .quick]))
    }

    @Test(arguments: committed)
    func goldenFileMatchesTodaysPlan(profile: Profile) throws {
        let golden = try JSONFiles.read(GoldenFile.self, from: Self.root.appendingPathComponent("golden/\(profile.rawValue).json").path,
                                        schema: GoldenFile.schema)
        let paper = try JSONFiles.read(PaperFacts.self, from: Self.root.appendingPathComponent("paper/paper.json").path)
        let spec = profile.dataset
        let directory = try Scratch.path("golden")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/set.bin"
        try DatasetFile.generate(DatasetHeader(seed: spec.seed, testCount: spec.testImages, trainCount: spec.trainImages),
                                 to: path, pool: ThreadPool(threadCount: 2))
        let sha256 = try DatasetFile.read(path).sha256
        let plan = ExperimentPlan.make(profile: profile, paper: paper, dataset: DatasetRef(
            seed: spec.seed, trainImages: spec.trainImages, testImages: spec.testImages, exactClosest: false, sha256: sha256))
        // The paper's golden file holds the campaign's finished runs only.
        let pending = profile == .paper ? plan.runs.map(\.name).filter { name in !golden.runs.contains { $0.row == name } } : []
        #expect(golden.profile == profile.rawValue)
        #expect(DriftCheck.planProblems(golden: golden, plan: plan, pending: pending) == [])
    }
}
