import Artifacts
import Foundation
import _RNReproSupport

/// One planned run with whatever it has written so far.
struct RunRecord {
    let planned: PlannedRun
    /// Its spec.json exists: training has begun (the spec is written before anything else).
    let started: Bool
    /// Every evaluation, in order; empty until the first evaluation.
    let metrics: [MetricsLine]
    /// Present once the run finished.
    let manifest: RunManifest?

    var final: MetricsLine? { metrics.last }
    var hasRun: Bool { !metrics.isEmpty }
    /// Started but not finished (still running, interrupted or failed): no manifest yet.
    var isPartial: Bool { (started || hasRun) && manifest == nil }
}

/// Everything the report reads: the paper's facts, the profile's plan and runs, its golden file
/// and sample images. Read once, up front, so rendering cannot fail half-way on a bad file.
struct ReportInputs {
    let profile: String
    let paper: PaperFacts
    let plan: ProfilePlan
    let runs: [RunRecord]
    /// nil when `golden/<profile>.json` does not exist yet.
    let golden: GoldenFile?
    /// nil when `runs/<profile>/samples.json` does not exist yet.
    let samples: [SceneSample]?
    /// Where each input came from, for the appendix.
    let paths: (paper: String, plan: String, golden: String, samples: String)

    static func load(profile: String, runsDirectory: String, paperPath: String, goldenDirectory: String) throws -> ReportInputs {
        let profileDirectory = (runsDirectory as NSString).appendingPathComponent(profile)
        let folder = ProfileFolder(root: profileDirectory)
        let planPath = folder.planPath
        guard FileManager.default.fileExists(atPath: planPath) else {
            throw FileError(path: planPath, reason: "no such file; run rnrepro reproduce --profile \(profile) first")
        }
        let plan = try JSONFiles.read(ProfilePlan.self, from: planPath, schema: ProfilePlan.schema)
        guard plan.testQuestionsPerType != nil, plan.runs.allSatisfy({ $0.parameterCount != nil }) else {
            throw FileError(path: planPath, reason: "written by an older rnrepro (no test question or parameter counts); rewrite it with this one: rnrepro reproduce --profile \(profile) (the paper profile: make campaign)")
        }
        let paper = try JSONFiles.read(PaperFacts.self, from: paperPath, schema: PaperFacts.schema)

        var runs: [RunRecord] = []
        for planned in plan.runs {
            let run = folder.run(planned.id)
            let (specPath, metricsPath, manifestPath) = (run.specPath, run.metricsPath, run.manifestPath)
            let metrics = FileManager.default.fileExists(atPath: metricsPath)
                ? try JSONFiles.readLines(MetricsLine.self, from: metricsPath) : []
            let manifest = FileManager.default.fileExists(atPath: manifestPath)
                ? try JSONFiles.read(RunManifest.self, from: manifestPath, schema: RunManifest.schema) : nil
            runs.append(RunRecord(planned: planned, started: FileManager.default.fileExists(atPath: specPath),
                                  metrics: metrics, manifest: manifest))
        }
        guard runs.contains(where: \.hasRun) else {
            throw ReportError.noMetrics(profile: profile, directory: profileDirectory, planned: plan.runs.count)
        }

        let goldenPath = (goldenDirectory as NSString).appendingPathComponent("\(profile).json")
        let golden = FileManager.default.fileExists(atPath: goldenPath)
            ? try JSONFiles.read(GoldenFile.self, from: goldenPath, schema: GoldenFile.schema) : nil
        let samplesPath = folder.samplesPath
        let samples = FileManager.default.fileExists(atPath: samplesPath)
            ? try JSONFiles.read([SceneSample].self, from: samplesPath) : nil
        if let samples, let bad = samples.first(where: { $0.pixels.count != $0.side * $0.side * 3 }) {
            throw FileError(path: samplesPath, reason: "image \(bad.split) \(bad.index): \(bad.pixels.count) pixel bytes, expected \(bad.side * bad.side * 3)")
        }
        return ReportInputs(
            profile: profile, paper: paper, plan: plan, runs: runs, golden: golden, samples: samples,
            paths: (paperPath, planPath, goldenPath, samplesPath))
    }

    /// Test questions of each type, as the plan records them.
    var testQuestionsPerType: Int { plan.testQuestionsPerType ?? 0 }

    /// The runs of one paper row, by replicate.
    func runs(of row: String) -> [RunRecord] {
        runs.filter { $0.planned.row == row }.sorted { $0.planned.replicate < $1.planned.replicate }
    }

    /// The date stamped into the PDF: SOURCE_DATE_EPOCH when given, else the newest manifest's
    /// date, else the golden file's, else 2018-01-01. Never the clock, so renders are repeatable.
    func documentDate(sourceDateEpoch: String?) -> String {
        if let text = sourceDateEpoch, let seconds = Int64(text.trimmingCharacters(in: .whitespaces)) {
            return ReportInputs.iso8601(Date(timeIntervalSince1970: TimeInterval(seconds)))
        }
        let dates = runs.compactMap { $0.manifest?.provenance.date }.compactMap(ReportInputs.parse)
        if let newest = dates.max() { return ReportInputs.iso8601(newest) }
        if let date = golden.flatMap({ ReportInputs.parse($0.provenance.date) }) { return ReportInputs.iso8601(date) }
        return "2018-01-01T00:00:00Z"
    }

    static func parse(_ text: String) -> Date? {
        let formatter = ISO8601DateFormatter()
        if let date = formatter.date(from: text) { return date }
        formatter.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        return formatter.date(from: text)
    }

    static func iso8601(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.timeZone = TimeZone(identifier: "UTC")
        return formatter.string(from: date)
    }
}
