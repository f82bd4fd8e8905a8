import Artifacts
import Foundation
import Training
import _RNReproSupport

/// `rnrepro check`: each run's metrics against the golden bands, and the paper tier.
public struct DriftCheck {
    /// The check's answer; its raw value is `rnrepro check`'s exit status.
    public enum Outcome: Int32 {
        case holds = 0
        case drift = 1
        case cannotCompare = 2
        /// Every band holds, but a finished paper claim is partly or not reproduced; only when
        /// the check was asked to require the paper's claims (`--require-reproduced`).
        case claimNotReproduced = 3

        var text: String {
            switch self {
            case .holds: "holds"
            case .drift: "drift"
            case .cannotCompare: "cannot compare"
            case .claimNotReproduced: "a paper claim is not reproduced"
            }
        }
    }

    public struct Row: Codable, Equatable {
        public var run: String
        public var metric: String
        /// nil when the band could not be compared (missing run or metric).
        public var band: Band?
        public var value: Double?
        /// value minus the nearest band edge; 0 inside.
        public var delta: Double?
        public var verdict: RowVerdict
    }

    /// A value against its band: inside it or not, or (with --exact) the reference's bits or not.
    public enum RowVerdict: String, Codable, Equatable, Sendable {
        case ok, drift, missing, exact, differs

        /// Outside the band, or off the reference's bits.
        public var isDrift: Bool { self == .drift || self == .differs }
    }

    /// The question types, as the paper tier names them.
    public enum QuestionKind: String, Codable, CaseIterable, Equatable, Sendable {
        case rel, nonrel
    }

    public struct PaperRow: Codable, Equatable {
        public var row: String
        public var type: QuestionKind
        public var paper: String
        /// Mean over the replicates that ran; nil when none did.
        public var ours: Double?
        public var verdict: Verdict
    }

    public var rows: [Row] = []
    /// The first evaluation where each run left its band (or, with --exact, its reference bits).
    public var firstDivergence: [String: Double] = [:]
    public var paperTier: [PaperRow] = []
    /// Planned runs not finished yet, which the check lists and does not compare (the paper
    /// profile's campaign runs for days; the other profiles have none).
    public var pending: [String] = []
    /// Why the check cannot compare (empty when it can), one sentence each.
    public var problems: [String] = []
    public var outcome: Outcome = .holds

    /// `rnrepro check`: reads the profile's plan, golden file and the paper's facts and compares.
    /// The outcome answers whether our runs moved (the golden bands); the paper tier, whether
    /// the paper holds, and it decides the outcome only with `requireReproduced` (then a
    /// finished claim "partly" or "not reproduced" is `.claimNotReproduced`, when every band
    /// holds). The paper profile's runs without a manifest are pending; before its first run
    /// finishes there is no golden file, and the check still shows the paper tier. Anything
    /// unreadable is a problem, never an exception.
    public static func perform(profile: Profile, root: String, goldenPath: String, paperPath: String,
                               exact: Bool, requireReproduced: Bool = false) -> DriftCheck {
        var failed = DriftCheck()
        failed.outcome = .cannotCompare
        let plan: ProfilePlan
        let paper: PaperFacts
        do {
            plan = try JSONFiles.read(ProfilePlan.self, from: ProfileFolder(root: root).planPath, schema: ProfilePlan.schema)
            paper = try JSONFiles.read(PaperFacts.self, from: paperPath, schema: PaperFacts.schema)
        } catch {
            failed.problems = ["\(error)"]
            return failed
        }
        let golden: GoldenFile?
        do {
            golden = try JSONFiles.read(GoldenFile.self, from: goldenPath, schema: GoldenFile.schema)
        } catch where profile == .paper && !FileManager.default.fileExists(atPath: goldenPath) {
            golden = nil
        } catch {
            failed.problems = ["\(error)"]
            return failed
        }
        let pending = profile == .paper
            ? plan.runs.filter { !FileManager.default.fileExists(atPath: RunDirectory(path: root + "/" + $0.id).manifestPath) }.map(\.name)
            : []
        var check = run(golden: golden, goldenPath: goldenPath, plan: plan, root: root, paper: paper, exact: exact, pending: pending)
        if requireReproduced, check.outcome == .holds, !check.unreproducedClaims.isEmpty {
            check.outcome = .claimNotReproduced
        }
        return check
    }

    /// Compares the runs under `root` (their plan.json) with `golden`. The runs named in
    /// `pending` have not finished: they are listed, left out of the comparison and of the paper
    /// tier; every other planned run is compared, once its files match its manifest.
    ///
    /// It compares what the plan says, not what the golden file happens to list: a golden file
    /// made for another profile, data set or spec, a planned run it lacks, a run whose files
    /// changed after it finished, an unreadable file or a band upside down cannot be compared,
    /// and each is named in `problems`.
    /// A nil `golden` (no file at `goldenPath` yet) compares nothing; the paper tier still shows.
    public static func run(golden: GoldenFile?, goldenPath: String = "the golden file", plan: ProfilePlan, root: String,
                           paper: PaperFacts, exact: Bool, pending: [String] = []) -> DriftCheck {
        var check = DriftCheck()
        check.pending = pending
        check.problems = golden.map { planProblems(golden: $0, plan: plan, pending: pending) }
            ?? ["\(goldenPath): no such file; when a run finishes, rnrepro golden record writes it"]
        // Each compared run's evaluations, read once from files that match their manifest.
        var evaluations: [String: [GoldenBands.Evaluation]] = [:]
        for run in plan.runs where !pending.contains(run.name) {
            let directory = RunDirectory(path: root + "/" + run.id)
            do {
                _ = try directory.verifiedManifest()
                evaluations[run.name] = try JSONFiles.readLines(MetricsLine.self, from: directory.metricsPath)
                    .map(GoldenBands.Evaluation.init)
            } catch {
                check.problems.append("run \(run.name): \(error)")
            }
        }
        let goldenRuns = (golden?.runs ?? []).filter { goldenRun in
            !pending.contains(goldenRun.row) && plan.runs.contains { $0.name == goldenRun.row }
        }
        for goldenRun in goldenRuns {
            let lines = evaluations[goldenRun.row]
            let expected = goldenRun.curves.first?.epochs.count
            if let lines, let expected, lines.count != expected {
                check.problems.append("run \(goldenRun.row): \(lines.count) evaluations in metrics.jsonl, the golden file has \(expected)")
            }
            for metric in goldenRun.metrics {
                guard let last = lines?.last, lines?.count == expected ?? lines?.count else {
                    check.rows.append(Row(run: goldenRun.row, metric: metric.name, band: metric.band, value: nil, delta: nil, verdict: .missing))
                    continue
                }
                let value = GoldenBands.value(metric.name, of: last)
                let verdict: RowVerdict
                if exact {
                    verdict = value.bitPattern == metric.reference.bitPattern ? .exact : .differs
                } else {
                    verdict = metric.band.contains(value) ? .ok : .drift
                }
                check.rows.append(Row(run: goldenRun.row, metric: metric.name, band: metric.band, value: value,
                                      delta: metric.band.excess(of: value), verdict: verdict))
            }
            // The curve: the first evaluation outside its band, or off the reference's bits.
            if let lines {
                for curve in goldenRun.curves {
                    for (i, line) in lines.enumerated() where i < curve.epochs.count {
                        let value = GoldenBands.value(curve.name, of: line)
                        let off = exact ? value.bitPattern != curve.reference[i].bitPattern : !curve.bands[i].contains(value)
                        if off {
                            check.firstDivergence[goldenRun.row] = min(check.firstDivergence[goldenRun.row] ?? .infinity, curve.epochs[i])
                            check.rows.append(Row(run: goldenRun.row, metric: "\(curve.name)@\(String(format: "%.3f", curve.epochs[i]))",
                                                  band: curve.bands[i], value: value, delta: curve.bands[i].excess(of: value),
                                                  verdict: exact ? .differs : .drift))
                            break
                        }
                    }
                }
            }
        }
        let missing = !check.problems.isEmpty || check.rows.contains { $0.verdict == .missing } || check.rows.isEmpty
        let drifted = check.rows.contains { $0.verdict.isDrift }
        check.outcome = missing ? .cannotCompare : drifted ? .drift : .holds

        // The paper tier: our mean over a row's replicates beside the paper's value.
        let questions = plan.runs.first.map { $0.spec.dataset.testImages * 10 } ?? 2_000
        for row in paper.allRows {
            for (type, paperValue) in [(QuestionKind.rel, row.relational), (.nonrel, row.nonRelational)] {
                let runs = plan.runs.filter { $0.row == row.id }
                let values = runs.compactMap { run -> Double? in
                    guard let last = evaluations[run.name]?.last else { return nil }
                    return type == .rel ? last.testAccuracy.rel : last.testAccuracy.nonrel
                }
                let mean = values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
                let inFlight = runs.contains { pending.contains($0.name) }
                let verdict = mean.map { VerdictRule.verdict(ours: $0, paper: paperValue, questions: questions) }
                    ?? (inFlight ? .pending : .notRun)
                check.paperTier.append(PaperRow(row: row.id, type: type, paper: paperValue.text, ours: mean, verdict: verdict))
            }
        }
        return check
    }

    /// The paper tier's finished claims that are partly or not reproduced.
    public var unreproducedClaims: [PaperRow] {
        paperTier.filter { $0.verdict == .partly || $0.verdict == .notReproduced }
    }

    /// What makes `golden` another plan's: its profile, its data set, a planned run it lacks or
    /// records with another spec, a run it has that the plan does not, a band it cannot use.
    static func planProblems(golden: GoldenFile, plan: ProfilePlan, pending: [String]) -> [String] {
        var problems: [String] = []
        guard golden.profile == plan.profile else {
            return ["golden file recorded for another plan: the \(golden.profile) profile, not \(plan.profile)"]
        }
        let dataset = plan.runs.first?.spec.dataset.sha256 ?? ""
        switch golden.datasetSHA256 {
        case nil:
            problems.append("golden file recorded for another plan: it names no data set (re-record it with rnrepro golden record)")
        case let recorded? where recorded != dataset:
            problems.append("golden file recorded for another plan: data set SHA-256 \(recorded.prefix(12))..., the plan's \(dataset.prefix(12))...")
        default:
            break
        }
        for run in plan.runs where !pending.contains(run.name) && !golden.runs.contains(where: { $0.row == run.name }) {
            problems.append("golden file recorded for another plan: no golden bands for run \(run.name)")
        }
        for goldenRun in golden.runs {
            if let fault = goldenRun.fault { problems.append("golden file: \(fault)") }
            guard let run = plan.runs.first(where: { $0.name == goldenRun.row }) else {
                problems.append("golden file recorded for another plan: it has run \(goldenRun.row), which the plan does not")
                continue
            }
            if goldenRun.specHash != run.spec.hash {
                problems.append("golden file recorded for another plan: run \(run.name) has spec hash \(run.spec.hash), the golden file \(goldenRun.specHash ?? "none")")
            }
        }
        return problems
    }

    /// The table of run, metric, band, value, delta and verdict, as Markdown.
    public func markdown(profile: String) -> String {
        func number(_ value: Double?) -> String { value.map { String(format: "%.2f", $0) } ?? "-" }
        var text = "# Drift check: profile \(profile)\n\n| run | metric | band | value | delta | verdict |\n|---|---|---|---|---|---|\n"
        for row in rows {
            let band = row.band.map { "[\(number($0.lo)), \(number($0.hi))]" } ?? "-"
            text += "| \(row.run) | \(row.metric) | \(band) | \(number(row.value)) | \(number(row.delta)) | \(row.verdict.rawValue) |\n"
        }
        if !firstDivergence.isEmpty {
            text += "\nFirst divergence (epochs): " + firstDivergence.sorted { $0.key < $1.key }
                .map { "\($0.key) at \(String(format: "%.3f", $0.value))" }.joined(separator: ", ") + "\n"
        }
        text += "\n## Paper tier\n\n| paper row | type | paper | ours | verdict |\n|---|---|---|---|---|\n"
        for row in paperTier {
            text += "| \(row.row) | \(row.type.rawValue) | \(row.paper) | \(number(row.ours)) | \(row.verdict.rawValue) |\n"
        }
        if !pending.isEmpty {
            text += "\nPending (not finished, not compared): \(pending.joined(separator: ", "))\n"
        }
        if !problems.isEmpty {
            text += "\n## Cannot compare\n\n" + problems.map { "- \($0)\n" }.joined()
        }
        let claims = [Verdict.reproduced, .partly, .notReproduced, .pending, .notRun].map { verdict in
            "\(paperTier.filter { $0.verdict == verdict }.count) \(verdict.rawValue)"
        }
        text += "\nPaper claims: \(claims.joined(separator: ", "))\n"
        text += "Outcome: \(outcome.text)\n"
        return text
    }
}

extension DriftCheck: Codable {
    enum CodingKeys: String, CodingKey {
        case rows
        case firstDivergence = "first_divergence"
        case paperTier = "paper_tier"
        case pending, problems, outcome
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        rows = try container.decode([Row].self, forKey: .rows)
        firstDivergence = try container.decode([String: Double].self, forKey: .firstDivergence)
        paperTier = try container.decode([PaperRow].self, forKey: .paperTier)
        pending = try container.decodeIfPresent([String].self, forKey: .pending) ?? []
        problems = try container.decodeIfPresent([String].self, forKey: .problems) ?? []
        outcome = Outcome(rawValue: try container.decode(Int32.self, forKey: .outcome)) ?? .cannotCompare
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rows, forKey: .rows)
        try container.encode(firstDivergence, forKey: .firstDivergence)
        try container.encode(paperTier, forKey: .paperTier)
        if !pending.isEmpty { try container.encode(pending, forKey: .pending) }
        if !problems.isEmpty { try container.encode(problems, forKey: .problems) }
        try container.encode(outcome.rawValue, forKey: .outcome)
    }
}
