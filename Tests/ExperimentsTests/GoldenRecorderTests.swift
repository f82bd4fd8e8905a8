import Artifacts
import Foundation
import Testing
import _RNReproTestSupport

@testable import Experiments

/// A golden file is a commitment: never made from uncommitted code, never replaced silently.
@Suite struct GoldenRecorderTests {
    func golden(commit: String, bandHi: Double = 60) -> GoldenFile {
        let metric = GoldenMetric(name: "test_accuracy.rel", band: Band(lo: 40, hi: bandHi), seedValues: [50], reference: 50)
        let run = GoldenRun(row: "rn-b64-lr1e-4-r1", metrics: [metric], curves: [], specHash: "0123456789ab")
        var provenance = Provenance.current()
        provenance.commit = commit
        return GoldenFile(profile: "paper", seeds: [0], provenance: provenance, notes: [], deviations: [],
                          datasetSHA256: "ab", runs: [run])
    }

    @Test func aDirtyTreeIsRefused() throws {
        let directory = try Scratch.path("golden-recorder")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        #expect {
            try GoldenRecorder.write(golden(commit: "abc123-dirty"), to: directory + "/paper.json", force: true)
        } throws: { "\($0)".contains("uncommitted changes") }
        #expect(!FileManager.default.fileExists(atPath: directory + "/paper.json"))
    }

    @Test func anExistingFileIsReplacedOnlyWhenItGrowsOrWithForce() throws {
        let directory = try Scratch.path("golden-recorder")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/paper.json"
        let first = golden(commit: "abc123")
        try GoldenRecorder.write(first, to: path, force: false)

        // Changed bands: refused without --force, written with it.
        let changed = golden(commit: "abc124", bandHi: 70)
        #expect { try GoldenRecorder.write(changed, to: path, force: false) } throws: { "\($0)".contains("--force") }
        #expect(try JSONFiles.read(GoldenFile.self, from: path) == first)

        // The same runs and one more (a campaign run finished): written.
        var grown = first
        grown.runs.append(GoldenRun(row: "cnn-mlp-b64-lr1e-4-r1", metrics: first.runs[0].metrics, curves: [], specHash: "ba9876543210"))
        try GoldenRecorder.write(grown, to: path, force: false)
        #expect(try JSONFiles.read(GoldenFile.self, from: path).runs.count == 2)

        try GoldenRecorder.write(changed, to: path, force: true)
        #expect(try JSONFiles.read(GoldenFile.self, from: path) == changed)
    }

    /// Recorded again as more campaign runs finish, the golden file keeps the findings it
    /// records unless new ones are given.
    @Test func recordingFinishedRunsKeepsTheFindingsUnlessGivenNewOnes() throws {
        let (root, plan, _) = try PlanAndCheckTests.fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        try JSONFiles.write(plan, to: ProfileFolder(root: root).planPath)
        let paper = PlanAndCheckTests.paper
        let recorder = GoldenRecorder(profile: .smoke, paper: paper,
                                      runner: { ProfileRunner(profile: .smoke, root: root, seedOffset: $0, paper: paper) { _ in } },
                                      log: { _ in })
        let first = try recorder.recordFinished(notes: ["Shows: one finding."])
        #expect(first.notes == ["Shows: one finding."])
        #expect(first.runs.map(\.row) == plan.runs.map(\.name))
        #expect(try recorder.recordFinished(notes: [], existing: first).notes == first.notes)
        #expect(try recorder.recordFinished(notes: ["Shows: another."], existing: first).notes == ["Shows: another."])
    }
}
