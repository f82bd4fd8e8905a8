import Artifacts
import Foundation
import _RNReproSupport

/// `rnrepro check`: each run's metrics against the golden bands, and the paper tier.
public struct DriftCheck {
    public enum Outcome: Int32 {
        case holds = 0
        case drift = 1
        case cannotCompare = 2
    }

    public struct Row: Codable, Equatable {
        public var run: String
        public var metric: String
        /// nil when the band could not be compared (missing run or metric).
        public var band: Band?
        public var value: Double?
        /// value minus the nearest band edge; 0 inside.
        public var delta: Double?
        /// "ok", "drift" or "missing"; with --exact, "exact" or "differs".
        public var verdict: String
    }

    public struct PaperRow: Codable, Equatable {
        public var row: String
        public var type: String
        public var paper: String
        /// Mean over the replicates that ran; nil when none did.
        public var ours: Double?
        public var verdict: String
    }

    public var rows: [Row] = []
    /// The first evaluation where each run left its band (or, with --exact, its reference bits).
    public var firstDivergence: [String: Double] = [:]
    public var paperTier: [PaperRow] = []
    /// Planned runs not finished yet, which the check lists and does not compare (the paper
    /// profile's campaign runs for days; the other profiles have none).
    public var pending: [String] = []
    public var outcome: Outcome = .holds

    /// Compares the runs under `root` (their plan.json) with `golden`. The runs named in
    /// `pending` have not finished: they are listed, left out of the comparison and of the paper
    /// tier; every other planned run is compared.
    public static func run(golden: GoldenFile, plan: ProfilePlan, root: String, paper: PaperFacts, exact: Bool,
                           pending: [String] = []) -> DriftCheck {
        var check = DriftCheck()
        check.pending = pending
        // Each compared run's evaluations, read once; absent when its metrics are missing or unreadable.
        var evaluations: [String: [GoldenBands.Evaluation]] = [:]
        for run in plan.runs where !pending.contains(run.name) {
            evaluations[run.name] = (try? JSONFiles.readLines(MetricsLine.self, from: root + "/" + run.id + "/metrics.jsonl"))?
                .map(GoldenBands.Evaluation.init)
        }
        for goldenRun in golden.runs where !pending.contains(goldenRun.row) {
            let lines = evaluations[goldenRun.row]
            for metric in goldenRun.metrics {
                guard let last = lines?.last, lines?.count == goldenRun.curves.first?.epochs.count ?? lines?.count else {
                    check.rows.append(Row(run: goldenRun.row, metric: metric.name, band: metric.band, value: nil, delta: nil, verdict: "missing"))
                    continue
                }
                let value = GoldenBands.value(metric.name, of: last)
                let verdict: String
                if exact {
                    verdict = value.bitPattern == metric.reference.bitPattern ? "exact" : "differs"
                } else {
                    verdict = metric.band.contains(value) ? "ok" : "drift"
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
                                                  verdict: exact ? "differs" : "drift"))
                            break
                        }
                    }
                }
            }
        }
        let missing = check.rows.contains { $0.verdict == "missing" } || check.rows.isEmpty
        let drifted = check.rows.contains { $0.verdict == "drift" || $0.verdict == "differs" }
        check.outcome = missing ? .cannotCompare : drifted ? .drift : .holds

        // The paper tier: our mean over a row's replicates beside the paper's value.
        let questions = plan.runs.first.map { $0.spec.dataset.testImages * 10 } ?? 2_000
        for row in paper.allRows {
            for (type, paperValue) in [("rel", row.relational), ("nonrel", row.nonRelational)] {
                let runs = plan.runs.filter { $0.row == row.id }
                let values = runs.compactMap { run -> Double? in
                    guard let last = evaluations[run.name]?.last else { return nil }
                    return type == "rel" ? last.testAccuracy.rel : last.testAccuracy.nonrel
                }
                let mean = values.isEmpty ? nil : values.reduce(0, +) / Double(values.count)
                let inFlight = runs.contains { pending.contains($0.name) }
                let verdict = mean.map { VerdictRule.verdict(ours: $0, paper: paperValue, questions: questions) }
                    ?? (inFlight ? .pending : .notRun)
                check.paperTier.append(PaperRow(row: row.id, type: type, paper: paperValue.text, ours: mean, verdict: verdict.rawValue))
            }
        }
        return check
    }

    /// The table of run, metric, band, value, delta and verdict, as Markdown.
    public func markdown(profile: String) -> String {
        func number(_ value: Double?) -> String { value.map { String(format: "%.2f", $0) } ?? "-" }
        var text = "# Drift check: profile \(profile)\n\n| run | metric | band | value | delta | verdict |\n|---|---|---|---|---|---|\n"
        for row in rows {
            let band = row.band.map { "[\(number($0.lo)), \(number($0.hi))]" } ?? "-"
            text += "| \(row.run) | \(row.metric) | \(band) | \(number(row.value)) | \(number(row.delta)) | \(row.verdict) |\n"
        }
        if !firstDivergence.isEmpty {
            text += "\nFirst divergence (epochs): " + firstDivergence.sorted { $0.key < $1.key }
                .map { "\($0.key) at \(String(format: "%.3f", $0.value))" }.joined(separator: ", ") + "\n"
        }
        text += "\n## Paper tier\n\n| paper row | type | paper | ours | verdict |\n|---|---|---|---|---|\n"
        for row in paperTier {
            text += "| \(row.row) | \(row.type) | \(row.paper) | \(number(row.ours)) | \(row.verdict) |\n"
        }
        if !pending.isEmpty {
            text += "\nPending (not finished, not compared): \(pending.joined(separator: ", "))\n"
        }
        text += "\nOutcome: \(["holds", "drift", "cannot compare"][Int(outcome.rawValue)])\n"
        return text
    }
}

extension DriftCheck: Codable {
    enum CodingKeys: String, CodingKey {
        case rows
        case firstDivergence = "first_divergence"
        case paperTier = "paper_tier"
        case pending, outcome
    }

    public init(from decoder: Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        rows = try container.decode([Row].self, forKey: .rows)
        firstDivergence = try container.decode([String: Double].self, forKey: .firstDivergence)
        paperTier = try container.decode([PaperRow].self, forKey: .paperTier)
        pending = try container.decodeIfPresent([String].self, forKey: .pending) ?? []
        outcome = Outcome(rawValue: try container.decode(Int32.self, forKey: .outcome)) ?? .cannotCompare
    }

    public func encode(to encoder: Encoder) throws {
        var container = encoder.container(keyedBy: CodingKeys.self)
        try container.encode(rows, forKey: .rows)
        try container.encode(firstDivergence, forKey: .firstDivergence)
        try container.encode(paperTier, forKey: .paperTier)
        if !pending.isEmpty { try container.encode(pending, forKey: .pending) }
        try container.encode(outcome.rawValue, forKey: .outcome)
    }
}
