import Testing

@testable import Artifacts
@testable import Report

@Suite struct ComparisonTests {
    let range = PaperValue(low: 87, high: 90)
    let single = PaperValue(low: 99, high: 99)

    @Test func binomialStandardErrorOf2000Questions() {
        #expect(abs(VerdictRule.standardError(percent: 50, questions: 2000) - 1.118) < 0.001)
        #expect(VerdictRule.standardError(percent: 100, questions: 2000) == 0)
    }

    @Test func differenceIsToTheNearestEndOfTheRange() {
        #expect(VerdictRule.difference(ours: 88, paper: range) == 0)
        #expect(VerdictRule.difference(ours: 80, paper: range) == -7)
        #expect(VerdictRule.difference(ours: 93, paper: range) == 3)
    }

    @Test func verdicts() {
        // Tolerance at 88.5 %: max(3 x 0.71, 2) = 2.14 points.
        #expect(VerdictRule.verdict(ours: 88, paper: range, questions: 2000) == .reproduced)
        #expect(VerdictRule.verdict(ours: 85, paper: range, questions: 2000) == .reproduced)
        #expect(VerdictRule.verdict(ours: 84.5, paper: range, questions: 2000) == .partly)
        #expect(VerdictRule.verdict(ours: 77, paper: range, questions: 2000) == .partly)
        #expect(VerdictRule.verdict(ours: 76.9, paper: range, questions: 2000) == .notReproduced)
        // Near 99 % the 2-point floor applies.
        #expect(VerdictRule.verdict(ours: 97, paper: single, questions: 2000) == .reproduced)
        #expect(VerdictRule.verdict(ours: 96.9, paper: single, questions: 2000) == .partly)
        // At 50 % three standard errors (3.35) exceed the floor.
        #expect(VerdictRule.verdict(ours: 53.3, paper: PaperValue(low: 50, high: 50), questions: 2000) == .reproduced)
    }

    @Test func formatting() {
        #expect(Format.fixed(-0.04) == "0.0")
        #expect(Format.signed(2.25) == "+2.3" || Format.signed(2.25) == "+2.2")
        #expect(Format.signed(-3) == "-3.0")
        #expect(Format.learningRatePlain(1e-4) == "1e-4")
        #expect(Format.epochs(2.5) == "2.5")
        #expect(Format.epochs(20) == "20")
        #expect(Format.grouped(195968) == "195,968")
    }

    @Test func koreanKeepAllJoinsHangulButNotAcrossSpacesOrTags() {
        #expect(keepAll("성능 개선") == "성\u{2060}능 개\u{2060}선")
        #expect(keepAll("<b>RN</b>의") == "<b>RN</b>\u{2060}의")
    }

    @Test func paperMarksAtTheirEpochOnlyForLongRuns() {
        #expect(PlotFigure.marksAtPaperEpoch(ourLastEpoch: 20, paperEpochs: 20))
        #expect(PlotFigure.marksAtPaperEpoch(ourLastEpoch: 15, paperEpochs: 20))
        #expect(!PlotFigure.marksAtPaperEpoch(ourLastEpoch: 1, paperEpochs: 20))
    }

    /// Axis ticks: at most six round values; an x axis stops at our last point, the loss
    /// figure's y axis reaches the first tick past its highest one.
    @Test func ticksAreFewAndRound() {
        func ticks(_ last: Double, covering: Bool = false) -> [String] {
            PlotFigure.ticks(upTo: last, covering: covering).map { String(format: "%g", $0) }
        }
        #expect(ticks(20) == ["0", "5", "10", "15", "20"])
        #expect(ticks(1.25) == ["0", "0.25", "0.5", "0.75", "1", "1.25"])
        #expect(ticks(0.99) == ["0", "0.2", "0.4", "0.6", "0.8"])
        #expect(ticks(0.99, covering: true) == ["0", "0.2", "0.4", "0.6", "0.8", "1"])
        #expect(ticks(1.34, covering: true) == ["0", "0.5", "1", "1.5"])
        #expect(ticks(0, covering: true) == ["0", "0.05"])
    }
}

@Suite struct FontCheckTests {
    @Test func namesTheFirstMissingFamily() {
        #expect(Fonts.firstMissing(among: ["DejaVu Sans"]) == "NanumMyeongjo")
        #expect(Fonts.firstMissing(among: ["nanummyeongjo", "DejaVu Sans"]) == "NanumGothic")
        #expect(Fonts.firstMissing(among: ["NanumGothic", "NanumMyeongjo"]) == nil)
        #expect(ReportError.missingFont("NanumGothic").description == "font NanumGothic not found; install fonts-nanum (make deps)")
    }

    @Test func theInstalledFontsAreFound() throws {
        try Fonts.check()
    }
}
