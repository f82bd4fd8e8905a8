import Artifacts
import Foundation

extension Verdict {
    var korean: String {
        switch self {
        case .reproduced: "재현됨"
        case .partly: "부분 재현"
        case .notReproduced: "재현 안 됨"
        case .notRun: "미실행"
        case .pending: "진행 중"
        }
    }
}

/// One claim of a table: a paper row's accuracy on one question type, beside ours.
struct Claim {
    let row: PaperRow
    /// "rel" or "nonrel".
    let type: String
    let paper: PaperValue
    /// Final test accuracy of each replicate that trained its planned length, by replicate.
    let values: [Double]
    let plannedReplicates: Int
    /// The replicates that have started but not reached their planned length (in flight,
    /// interrupted or failed): their accuracies are not final, so no verdict rests on them.
    let unfinished: [RunRecord]
    /// Test questions of this type the accuracy is measured on.
    let questions: Int

    var mean: Double? { values.isEmpty ? nil : values.reduce(0, +) / Double(values.count) }

    /// Sample standard deviation (n - 1) over replicates; nil with fewer than two.
    var standardDeviation: Double? {
        guard values.count >= 2, let mean else { return nil }
        let sum = values.reduce(0) { $0 + ($1 - mean) * ($1 - mean) }
        return (sum / Double(values.count - 1)).squareRoot()
    }

    var difference: Double? { mean.map { VerdictRule.difference(ours: $0, paper: paper) } }

    var verdict: Verdict {
        guard let mean else { return unfinished.isEmpty ? .notRun : .pending }
        return VerdictRule.verdict(ours: mean, paper: paper, questions: questions)
    }

    /// The latest value of an unfinished replicate and where it stands: "45.4 (epoch 5 of 50)",
    /// or "- (epoch 0 of 50)" before its first evaluation.
    var latestUnfinished: String? {
        guard let run = unfinished.first else { return nil }
        let planned = Format.epochs(run.planned.spec.epochs)
        guard let line = run.final else { return "- (epoch 0 of \(planned))" }
        let value = type == "rel" ? line.testAccuracy.rel : line.testAccuracy.nonrel
        return "\(Format.fixed(value)) (epoch \(Format.epochs(line.epoch)) of \(planned))"
    }

    static func make(row: PaperRow, type: String, inputs: ReportInputs) -> Claim {
        let runs = inputs.runs(of: row.id)
        let values = runs.filter { !$0.isPartial }.compactMap { run -> Double? in
            guard let final = run.final else { return nil }
            return type == "rel" ? final.testAccuracy.rel : final.testAccuracy.nonrel
        }
        return Claim(
            row: row, type: type, paper: type == "rel" ? row.relational : row.nonRelational,
            values: values, plannedReplicates: runs.count, unfinished: runs.filter(\.isPartial),
            questions: inputs.testQuestionsPerType)
    }
}

/// Number formatting for tables and prose: fixed decimals, ASCII digits, a real minus sign
/// drawn as an en dash-free hyphen (Nanum has no U+2212).
enum Format {
    static func fixed(_ value: Double, _ decimals: Int = 1) -> String {
        let scale = pow(10, Double(decimals))
        let rounded = (value * scale).rounded() / scale
        var text = String(format: "%.\(decimals)f", rounded == 0 ? 0 : rounded)
        if text.hasPrefix("-0") && Double(text) == 0 { text.removeFirst() }
        return text
    }

    static func signed(_ value: Double, _ decimals: Int = 1) -> String {
        let text = fixed(value, decimals)
        return text.hasPrefix("-") || Double(text) == 0 ? text : "+" + text
    }

    /// "1e-4" as Pango markup: 10<sup>-4</sup>.
    static func learningRate(_ value: Double) -> String {
        let exponent = log10(value)
        if abs(exponent - exponent.rounded()) < 1e-9 {
            return "10<sup><small>\(Int(exponent.rounded()))</small></sup>"
        }
        return String(value)
    }

    /// "1e-4" in plain text (plots, file names).
    static func learningRatePlain(_ value: Double) -> String {
        let exponent = log10(value)
        if abs(exponent - exponent.rounded()) < 1e-9 { return "1e\(Int(exponent.rounded()))" }
        return String(value)
    }

    /// Epochs as the plan states them: "20", "2.5".
    static func epochs(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : fixed(value, 2).replacingOccurrences(of: #"0+$"#, with: "", options: .regularExpression)
    }

    /// Thousands separated by commas.
    static func grouped(_ value: Int) -> String {
        let digits = String(abs(value))
        var out = ""
        for (index, c) in digits.enumerated() {
            if index > 0 && (digits.count - index) % 3 == 0 { out.append(",") }
            out.append(c)
        }
        return (value < 0 ? "-" : "") + out
    }
}
