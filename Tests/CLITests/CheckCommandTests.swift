import Artifacts
import Experiments
import Foundation
import Testing
import _RNReproSupport

/// `rnrepro check`'s exit codes as a user sees them: 0 holds, 1 drift (named), 2 cannot compare,
/// 3 a paper claim not reproduced (asked for with --require-reproduced).
@Suite struct CheckCommandTests {
    @Test func exitCodes() throws {
        let directory = try CLI.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let paperPath = CLI.packageRoot.appendingPathComponent("paper/paper.json").path
        let paper = try JSONFiles.read(PaperFacts.self, from: paperPath)
        let plan = ExperimentPlan.make(profile: .smoke, paper: paper,
                                       dataset: DatasetRef(seed: 1, trainImages: 980, testImages: 200, exactClosest: false, sha256: "ab"))
        let root = directory.appendingPathComponent("runs/smoke").path
        try JSONFiles.write(plan, to: root + "/plan.json")
        var seeds: [GoldenBands.SeedRuns] = [[:], [:]]
        for (index, run) in plan.runs.enumerated() {
            let line = MetricsLine(epoch: 1, steps: 1, samples: 1, trainLoss: PerType(rel: 1, nonrel: 1),
                                   trainAccuracy: PerType(rel: 1, nonrel: 1),
                                   testAccuracy: PerType(rel: 40 + Double(index), nonrel: 50 + Double(index)),
                                   testAccuracyBySubtype: PerType(rel: [], nonrel: []))
            seeds[0][run.name] = [GoldenBands.Evaluation(line)]
            seeds[1][run.name] = [GoldenBands.Evaluation(line)]
            try finish(run, with: line)
        }
        let golden = GoldenFile(profile: "smoke", seeds: [0, 1000], provenance: .current(), notes: [], deviations: [],
                                datasetSHA256: "ab", runs: try GoldenBands.goldenRuns(of: plan.runs, runs: seeds, questions: 2_000))
        let goldenPath = directory.appendingPathComponent("golden/smoke.json").path
        try JSONFiles.write(golden, to: goldenPath)

        /// A finished run: its metrics and the manifest that seals them.
        func finish(_ run: PlannedRun, with line: MetricsLine) throws {
            let data = try JSONFiles.line(line)
            try AtomicFile.write(data, to: root + "/" + run.id + "/metrics.jsonl")
            try JSONFiles.write(RunManifest(runID: run.id, provenance: .current(), threads: 1, isa: nil, trainSeconds: 1,
                                            wallSeconds: 1, samplesPerSecond: 1,
                                            files: [FileHash(name: "metrics.jsonl", sha256: JSONFiles.sha256(data))]),
                                to: root + "/" + run.id + "/manifest.json")
        }

        func check() throws -> CLI.Result {
            try CLI.run(executable: CLI.executable.path, ["check", "--profile", "smoke", "--paper", paperPath],
                        currentDirectory: directory)
        }
        var result = try check()
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("Outcome: holds") && result.stdout.contains("## Paper tier"))
        #expect(FileManager.default.fileExists(atPath: root + "/drift.md") && FileManager.default.fileExists(atPath: root + "/drift.json"))

        // Smoke's accuracies are far from the paper's claims: the paper tier says so and the exit
        // status follows the bands, unless the check is asked to require the claims.
        #expect(result.stdout.contains("| not reproduced |") && result.stdout.contains("\nPaper claims: "))
        let strict = try CLI.run(executable: CLI.executable.path, ["check", "--profile", "smoke", "--paper", paperPath, "--require-reproduced"],
                                 currentDirectory: directory)
        #expect(strict.status == 3, "\(strict.stdout)\(strict.stderr)")
        #expect(strict.stdout.contains("Outcome: a paper claim is not reproduced"))

        // A run that ended 8 points lower: drift, named.
        let victim = plan.runs[2]
        var line = try JSONFiles.readLines(MetricsLine.self, from: root + "/" + victim.id + "/metrics.jsonl")[0]
        line.testAccuracy.rel -= 8
        try finish(victim, with: line)
        result = try check()
        #expect(result.status == 1)
        #expect(result.stdout.contains("| \(victim.name) | test_accuracy.rel |") && result.stdout.contains("| drift |"))
        #expect(result.stderr.isEmpty)

        // The same metrics edited after the run finished: not compared, named.
        line.testAccuracy.rel += 8
        try AtomicFile.write(try JSONFiles.line(line), to: root + "/" + victim.id + "/metrics.jsonl")
        result = try check()
        #expect(result.status == 2)
        #expect(result.stderr.contains("rnrepro: error: cannot compare: run \(victim.name): ")
                && result.stderr.contains("does not match the SHA-256 its run's manifest.json recorded"), "\(result.stderr)")
        try finish(victim, with: line)

        // A golden file whose spec hash is another plan's: exit 2, saying why.
        var edited = golden
        edited.runs[0].specHash = "0123456789ab"
        try JSONFiles.write(edited, to: goldenPath)
        result = try check()
        #expect(result.status == 2)
        #expect(result.stderr.contains("golden file recorded for another plan: run \(plan.runs[0].name) has spec hash"), "\(result.stderr)")
        try JSONFiles.write(golden, to: goldenPath)

        // The paper's facts unreadable: exit 2, not 1.
        let badPaper = try CLI.run(executable: CLI.executable.path, ["check", "--profile", "smoke", "--paper", "/nonexistent/paper.json"],
                                   currentDirectory: directory)
        #expect(badPaper.status == 2 && badPaper.stderr.contains("/nonexistent/paper.json"))

        try FileManager.default.removeItem(atPath: root + "/" + plan.runs[0].id)
        result = try check()
        #expect(result.status == 2)
        #expect(result.stdout.contains("| \(plan.runs[0].name) | test_accuracy.rel |") && result.stdout.contains("missing"))
        #expect(result.stderr.contains("run \(plan.runs[0].name): ") && result.stderr.contains("manifest.json: no such file"))
    }
}
