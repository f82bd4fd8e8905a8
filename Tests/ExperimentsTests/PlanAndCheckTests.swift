import Artifacts
import Foundation
import Testing
import _RNReproTestSupport

@testable import Experiments

@Suite struct PlanAndCheckTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let paper = try! JSONFiles.read(PaperFacts.self, from: root.appendingPathComponent("paper/paper.json").path)
    static let dataset = DatasetRef(seed: 1, trainImages: 9_800, testImages: 200, exactClosest: false, sha256: "ab")

    @Test func paperPlanIsSpecScale() {
        let plan = ExperimentPlan.make(profile: .paper, paper: Self.paper, dataset: Self.dataset)
        // Table 1 RN twice (two runs), CNN+MLP once, and Table 2's four other rows.
        #expect(plan.runs.count == 7)
        #expect(plan.runs.map(\.name) == [
            "rn-b64-lr1e-4-r1", "rn-b64-lr1e-4-r2", "cnn-mlp-b64-lr1e-4-r1", "rn-b64-lr1e-3-r1", "rn-b64-lr1e-2-r1",
            "rn-b128-lr1e-4-r1", "rn-b128-lr1e-3-r1",
        ])
        for run in plan.runs {
            #expect(run.spec.hidden == 256 && run.spec.evalEvery == 1 && run.spec.optimizer == .adam)
            #expect(run.spec.epochs == (run.spec.model == .rn ? 20 : 50))
            #expect(run.id == "\(run.name)-\(run.spec.hash)")
        }
        #expect(Set(plan.runs.map(\.spec.seed)) == [1, 2])
        #expect(plan.deviations.isEmpty)
        let quick = ExperimentPlan.make(profile: .quick, paper: Self.paper, dataset: Self.dataset)
        #expect(quick.runs.allSatisfy { $0.spec.hidden == 64 } && !quick.deviations.isEmpty)
        // Batch size and learning rate always come from the paper's row.
        #expect(zip(quick.runs, plan.runs).allSatisfy { $0.spec.batchSize == $1.spec.batchSize && $0.spec.learningRate == $1.spec.learningRate })
        let shifted = ExperimentPlan.make(profile: .paper, paper: Self.paper, dataset: Self.dataset, seedOffset: 1000)
        #expect(shifted.runs.map(\.name) == plan.runs.map(\.name) && shifted.runs[0].spec.seed == 1001)
    }

    @Test func bandsAreNeverNarrowerThanThreeStandardErrors() {
        let band = GoldenBands.band([50, 50], questions: 2_000)
        // SE at 50 % on 2,000 questions: 1.118 points.
        #expect(abs(band.lo - (50 - 3 * 1.118)) < 0.01 && abs(band.hi - (50 + 3 * 1.118)) < 0.01)
        let spread = GoldenBands.band([40, 60], questions: 2_000)
        #expect(spread.lo < 40 - 3 && spread.hi > 60 + 3)
        #expect(GoldenBands.band([99.9, 100], questions: 2_000).hi == 100)
        // At 0 % the band still has width: a model that was right once in 2,000 is not drift.
        #expect(GoldenBands.band([0, 0], questions: 2_000).hi > 0.1)
    }

    /// A profile of two runs with made-up metrics, its golden file made from two "seeds".
    static func fixture() throws -> (root: String, plan: ProfilePlan, golden: GoldenFile) {
        let root = try Scratch.path("check")
        let plan = ExperimentPlan.make(profile: .smoke, paper: paper, dataset: dataset)
        #expect(plan.runs.last?.row == "probe-cnn-mlp-b16-lr5e-4")
        func line(_ epoch: Double, _ rel: Double, _ nonrel: Double) -> MetricsLine {
            MetricsLine(epoch: epoch, steps: 1, samples: 1, trainLoss: PerType(rel: 1, nonrel: 1), trainAccuracy: PerType(rel: 1, nonrel: 1),
                        testAccuracy: PerType(rel: rel, nonrel: nonrel), testAccuracyBySubtype: PerType(rel: [], nonrel: []))
        }
        var seeds: [GoldenBands.SeedRuns] = [[:], [:]]
        for (index, run) in plan.runs.enumerated() {
            let base = Double(30 + index)
            let lines = [line(0.5, base, base + 10), line(1, base + 5, base + 15)]
            seeds[0][run.name] = lines.map(GoldenBands.Evaluation.init)
            seeds[1][run.name] = lines.map { var l = GoldenBands.Evaluation($0); l.testAccuracy.rel += 1; return l }
            try writeFinishedRun(lines, at: root + "/" + run.id)
        }
        let runs = try GoldenBands.goldenRuns(of: plan.runs, runs: seeds, questions: 2_000)
        let golden = GoldenFile(profile: "smoke", seeds: [0, 1000], provenance: .current(), notes: [], deviations: [],
                                datasetSHA256: dataset.sha256, runs: runs)
        return (root, plan, golden)
    }

    /// Writes `lines` as a finished run's metrics.jsonl, with the manifest that seals it.
    static func writeFinishedRun(_ lines: [MetricsLine], at path: String) throws {
        var data = Data()
        for line in lines { data.append(try JSONFiles.line(line)) }
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        try data.write(to: URL(fileURLWithPath: path + "/metrics.jsonl"))
        let manifest = RunManifest(runID: URL(fileURLWithPath: path).lastPathComponent, provenance: .current(), threads: 1,
                                   isa: nil, trainSeconds: 1, wallSeconds: 1, samplesPerSecond: 1,
                                   files: [FileHash(name: "metrics.jsonl", sha256: JSONFiles.sha256(data))])
        try JSONFiles.write(manifest, to: path + "/manifest.json")
    }

    static func rewrite(_ path: String, _ change: (inout [MetricsLine]) -> Void, sealed: Bool) throws {
        var lines = try JSONFiles.readLines(MetricsLine.self, from: path + "/metrics.jsonl")
        change(&lines)
        if sealed {
            try writeFinishedRun(lines, at: path)
        } else {
            var data = Data()
            for line in lines { data.append(try JSONFiles.line(line)) }
            try data.write(to: URL(fileURLWithPath: path + "/metrics.jsonl"))
        }
    }

    /// `golden record --add-seed` reads the seeds back from the file: the round trip is exact.
    @Test func goldenFileGivesBackItsSeeds() throws {
        let (root, plan, golden) = try Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let seeds = GoldenBands.seedRuns(recordedIn: golden)
        #expect(seeds.count == 2)
        #expect(try GoldenBands.goldenRuns(of: plan.runs, runs: seeds, questions: 2_000) == golden.runs)
    }

    @Test func checkHoldsDriftsAndCannotCompare() throws {
        let (root, plan, golden) = try Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        var check = DriftCheck.run(golden: golden, plan: plan, root: root, paper: Self.paper, exact: false)
        #expect(check.outcome == .holds)
        #expect(check.rows.count == 2 * plan.runs.count)
        check = DriftCheck.run(golden: golden, plan: plan, root: root, paper: Self.paper, exact: true)
        #expect(check.outcome == .holds)

        // A run that ended 10 points off: drift, named.
        let victim = plan.runs[3]
        try Self.rewrite(root + "/" + victim.id, { $0[1].testAccuracy.nonrel += 10 }, sealed: true)
        check = DriftCheck.run(golden: golden, plan: plan, root: root, paper: Self.paper, exact: false)
        #expect(check.outcome == .drift)
        #expect(Set(check.rows.filter { $0.verdict == .drift }.map(\.run)) == [victim.name])
        #expect(check.markdown(profile: "smoke").contains("| \(victim.name) | test_accuracy.nonrel |"))
        // Better than the band is drift too.
        #expect(check.rows.first { $0.verdict == .drift }!.delta! > 0)

        // A run deleted: cannot compare.
        try FileManager.default.removeItem(atPath: root + "/" + plan.runs[0].id)
        check = DriftCheck.run(golden: golden, plan: plan, root: root, paper: Self.paper, exact: false)
        #expect(check.outcome == .cannotCompare)
        #expect(check.rows.contains { $0.run == plan.runs[0].name && $0.verdict == .missing })
        #expect(check.problems.contains { $0.hasPrefix("run \(plan.runs[0].name): ") && $0.contains("manifest.json: no such file") })
    }

    /// The check compares what the plan says, not what the golden file happens to list; each
    /// reason it cannot is named.
    @Test func goldenFileOfAnotherPlanCannotBeCompared() throws {
        let (root, plan, golden) = try Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        func problems(_ golden: GoldenFile) -> [String] {
            let check = DriftCheck.run(golden: golden, plan: plan, root: root, paper: Self.paper, exact: false)
            #expect(check.outcome == .cannotCompare || check.problems.isEmpty)
            return check.problems
        }
        #expect(problems(golden).isEmpty)

        var other = golden
        other.runs.removeLast()
        #expect(problems(other).contains { $0.contains("no golden bands for run \(plan.runs.last!.name)") })
        other = golden
        other.profile = "quick"
        #expect(problems(other) == ["golden file recorded for another plan: the quick profile, not smoke"])
        other = golden
        other.runs[2].specHash = "0123456789ab"
        #expect(problems(other) == ["golden file recorded for another plan: run \(plan.runs[2].name) has spec hash \(plan.runs[2].spec.hash), the golden file 0123456789ab"])
        other = golden
        other.datasetSHA256 = "feed"
        #expect(problems(other).first?.hasPrefix("golden file recorded for another plan: data set SHA-256 feed") == true)
        other = golden
        other.runs[1].metrics[0].band = Band(lo: 60, hi: 40)
        #expect(problems(other) == ["golden file: run \(plan.runs[1].name): band of test_accuracy.rel is upside down (60.0 > 40.0)"])

        // A finished run's metrics edited after the fact, or unreadable.
        let edited = root + "/" + plan.runs[4].id
        try Self.rewrite(edited, { $0[1].testAccuracy.rel += 0.5 }, sealed: false)
        #expect(problems(golden).contains { $0.contains("does not match the SHA-256 its run's manifest.json recorded") })
        try Data("{not json\n".utf8).write(to: URL(fileURLWithPath: edited + "/metrics.jsonl"))
        try FileManager.default.removeItem(atPath: edited + "/manifest.json")
        #expect(problems(golden).contains { $0.contains("manifest.json: no such file") })
    }

    /// The paper campaign's check: unfinished runs are pending, listed and not compared; the
    /// finished ones are, and the paper tier judges only them.
    @Test func pendingRunsAreListedNotCompared() throws {
        let (root, plan, golden) = try Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let finished = [plan.runs[0].name, plan.runs[2].name]
        let pending = plan.runs.map(\.name).filter { !finished.contains($0) }
        // The golden file holds the finished runs only, as `golden record --finished` writes it.
        var partial = golden
        partial.runs = golden.runs.filter { finished.contains($0.row) }
        // A pending run has no manifest yet; compared, it would be "missing".
        try FileManager.default.removeItem(atPath: root + "/" + plan.runs[1].id + "/manifest.json")

        var check = DriftCheck.run(golden: partial, plan: plan, root: root, paper: Self.paper, exact: false, pending: pending)
        #expect(check.outcome == .holds)
        #expect(Set(check.rows.map(\.run)) == Set(finished))
        #expect(check.pending == pending)
        #expect(check.markdown(profile: "paper").contains("Pending (not finished, not compared): \(pending.joined(separator: ", "))"))
        // rn-b64-lr1e-4 has one finished replicate (r1) and one pending (r2): judged on r1.
        let rnRow = check.paperTier.filter { $0.row == "rn-b64-lr1e-4" }
        #expect(rnRow.allSatisfy { $0.ours != nil && $0.verdict != .pending })
        #expect(check.paperTier.filter { $0.row == "rn-b64-lr1e-3" }.allSatisfy { $0.ours == nil && $0.verdict == .pending })

        // A finished run that drifted is drift, pending or not the others.
        try Self.rewrite(root + "/" + plan.runs[2].id, { $0[1].testAccuracy.rel += 20 }, sealed: true)
        check = DriftCheck.run(golden: partial, plan: plan, root: root, paper: Self.paper, exact: false, pending: pending)
        #expect(check.outcome == .drift)

        // Nothing finished, no golden file yet: nothing to compare, and the paper tier shows.
        check = DriftCheck.run(golden: nil, goldenPath: "golden/paper.json", plan: plan, root: root, paper: Self.paper,
                               exact: false, pending: plan.runs.map(\.name))
        #expect(check.outcome == .cannotCompare)
        #expect(check.problems == ["golden/paper.json: no such file; when a run finishes, rnrepro golden record writes it"])
        #expect(check.paperTier.allSatisfy { $0.verdict == .pending })
    }

    @Test func exactCheckNamesTheFirstDivergence() throws {
        let (root, plan, golden) = try Self.fixture()
        defer { try? FileManager.default.removeItem(atPath: root) }
        let run = plan.runs[1]
        try Self.rewrite(root + "/" + run.id, { $0[0].testAccuracy.rel = $0[0].testAccuracy.rel.nextUp }, sealed: true)
        let check = DriftCheck.run(golden: golden, plan: plan, root: root, paper: Self.paper, exact: true)
        #expect(check.firstDivergence == [run.name: 0.5])
        #expect(check.outcome == .drift)
        #expect(check.rows.contains { $0.run == run.name && $0.metric == "test_accuracy.rel@0.500" && $0.verdict == .differs })
        // Within the bands, though: the plain check holds.
        #expect(DriftCheck.run(golden: golden, plan: plan, root: root, paper: Self.paper, exact: false).outcome == .holds)
    }
}
