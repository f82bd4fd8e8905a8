/// How close our result is to the paper's: one rule, used by `rnrepro check`'s paper tier and
/// by the report.
public enum Verdict: String, Codable, CaseIterable, Equatable, Sendable {
    case reproduced
    case partly
    case notReproduced = "not reproduced"
    case notRun = "not run"
    /// Its runs have started and none has finished.
    case pending
}

/// The rule that turns a difference into a verdict, stated in the report as it is applied.
public enum VerdictRule {
    /// Differences up to this many points always count as reproduced.
    public static let minimumTolerance = 2.0
    /// ... and so do differences up to this many binomial standard errors.
    public static let standardErrors = 3.0
    /// Beyond the tolerance but within this many points: partly.
    public static let partlyTolerance = 10.0

    /// Standard error in points of an accuracy of `percent` measured on `questions` questions.
    public static func standardError(percent: Double, questions: Int) -> Double {
        let p = min(max(percent / 100, 0), 1)
        return 100 * (p * (1 - p) / Double(max(questions, 1))).squareRoot()
    }

    public static func tolerance(paper: PaperValue, questions: Int) -> Double {
        let middle = (paper.low + paper.high) / 2
        return max(standardErrors * standardError(percent: middle, questions: questions), minimumTolerance)
    }

    /// Our value minus the nearest end of the paper's range (0 inside it).
    public static func difference(ours: Double, paper: PaperValue) -> Double {
        if ours < paper.low { return ours - paper.low }
        if ours > paper.high { return ours - paper.high }
        return 0
    }

    public static func verdict(ours: Double, paper: PaperValue, questions: Int) -> Verdict {
        let gap = abs(difference(ours: ours, paper: paper))
        if gap <= tolerance(paper: paper, questions: questions) { return .reproduced }
        if gap <= partlyTolerance { return .partly }
        return .notReproduced
    }
}

