import Artifacts
import CCairo
import Foundation

/// The report's content, in the paper's order: title block, abstract, seven numbered sections,
/// references, appendix. All prose is ours; every number comes from the artifacts.
struct ReportDocument {
    let inputs: ReportInputs
    let svgs: [String: Data]
    let date: String
    let composer: PageComposer

    // MARK: Styles

    static let korean = TextStyle(font: "\(Fonts.serif) 8.3", justify: true, lineSpacing: 1.7)
    static let english = TextStyle(font: "\(Fonts.serif) 7.7", justify: true, lineSpacing: 1.3, color: (0.22, 0.22, 0.22))
    static let heading = TextStyle(font: "\(Fonts.sans) Bold 9.4", lineSpacing: 1)
    static let subheading = TextStyle(font: "\(Fonts.sans) Bold 8", lineSpacing: 1)
    static let caption = TextStyle(font: "\(Fonts.sans) 6.9", justify: true, lineSpacing: 0.9)
    static let small = TextStyle(font: "\(Fonts.serif) 7.2", justify: true, lineSpacing: 1.0)

    var cr: OpaquePointer { composer.cr }

    // MARK: Facts used in the prose

    var rnRuns: [RunRecord] { inputs.runs.filter { $0.planned.spec.model == .rn } }
    var cnnRuns: [RunRecord] { inputs.runs.filter { $0.planned.spec.model != .rn } }

    /// "1", or "1-2" when the runs of a kind differ.
    func epochsText(_ runs: [RunRecord]) -> String {
        let values = runs.map(\.planned.spec.epochs)
        guard let low = values.min(), let high = values.max() else { return "-" }
        return low == high ? Format.epochs(low) : "\(Format.epochs(low))-\(Format.epochs(high))"
    }

    var claims1: [Claim] { inputs.paper.table1.flatMap { row in ["rel", "nonrel"].map { Claim.make(row: row, type: $0, inputs: inputs) } } }
    var claims2: [Claim] { inputs.paper.table2.flatMap { row in ["rel", "nonrel"].map { Claim.make(row: row, type: $0, inputs: inputs) } } }

    /// Every distinct claim of both tables (Table 2 repeats Table 1's RN row).
    var allClaims: [Claim] {
        var seen: [String] = []
        return (claims1 + claims2).filter { claim in
            let key = claim.row.id + "/" + claim.type
            if seen.contains(key) { return false }
            seen.append(key)
            return true
        }
    }

    var atPaperScale: Bool {
        let paperEpochs = Double(inputs.paper.table2.map(\.epochs).max() ?? 20)
        return rnRuns.allSatisfy { $0.planned.spec.epochs >= paperEpochs && $0.planned.spec.hidden >= 256 }
    }

    func count(_ verdict: Verdict) -> Int { allClaims.filter { $0.verdict == verdict }.count }

    func finalValue(_ row: String, _ type: String) -> Double? {
        guard let paperRow = inputs.paper.row(row) else { return nil }
        return Claim.make(row: paperRow, type: type, inputs: inputs).mean
    }

    func value(_ row: String, _ type: String) -> String {
        guard let paperRow = inputs.paper.row(row) else { return "not run" }
        let claim = Claim.make(row: paperRow, type: type, inputs: inputs)
        return claim.mean.map { Format.fixed($0) } ?? claim.latestUnfinished ?? "not run"
    }

    // MARK: Composition

    func compose() throws {
        composer.newPage(columns: 2)
        titleBlock()
        section(1, "서론", "Introduction")
        introduction()
        section(2, "관계 네트워크의 구조", "The Relation Network")
        architecture()
        section(3, "Sort-of-CLEVR 재현", "Reproducing Sort-of-CLEVR")
        sortOfCLEVR()
        section(4, "배치 크기", "Batch size")
        try batchSize()
        section(5, "학습률", "Learning rate")
        try learningRate()
        section(6, "결과", "Results")
        try results()
        section(7, "결론", "Conclusion")
        conclusion()
        references()
        composer.space(12)
        appendix()
    }

    // MARK: Building blocks

    func korean(_ text: String, spaceAfter: Double = 3) {
        composer.paragraph(text, style: Self.korean, spaceAfter: 1.5)
    }

    func english(_ text: String, spaceAfter: Double = 5) {
        composer.paragraph(text, style: Self.english, spaceAfter: spaceAfter)
    }

    func section(_ number: Int, _ korean: String, _ english: String) {
        composer.space(7)
        composer.paragraph(keepAll("\(number). \(korean) <span weight=\"normal\" size=\"smaller\">\(english)</span>"),
                           style: Self.heading, keepLines: 6, spaceAfter: 4)
    }

    func subsection(_ title: String) {
        composer.space(3)
        composer.paragraph(keepAll(title), style: Self.subheading, keepLines: 5, spaceAfter: 2.5)
    }

    func bullets(_ items: [String], style: TextStyle) {
        for item in items {
            var flush = style
            flush.justify = false
            composer.paragraph("• " + item, style: flush, indent: 4, spaceAfter: 1.5)
        }
    }

    /// A caption and a block drawn together (tables: caption above; figures: below).
    func float(caption: String, captionAbove: Bool, height: Double, draw: @escaping (Double, Double, Double) -> Void) {
        let text = Paragraph(caption, style: Self.caption, width: composer.columnWidth, cr: cr)
        let gap = 4.0
        composer.space(4)
        composer.block(height: height + gap + text.height) { x, y, width in
            if captionAbove {
                text.draw(x: x, y: y, cr: cr)
                draw(x, y + text.height + gap, width)
            } else {
                draw(x, y, width)
                text.draw(x: x, y: y + height + gap, cr: cr)
            }
        }
        composer.space(8)
    }

    func figure(_ key: String, caption: String) throws {
        guard let svg = svgs[key] else { return }
        let width = composer.columnWidth
        let height = try PageComposer.svgHeight(svg, width: width)
        var failure: Error?
        float(caption: caption, captionAbove: false, height: height) { x, y, width in
            do { try PageComposer.drawSVG(svg, cr: cr, x: x, y: y, width: width) } catch { failure = error }
        }
        if let failure { throw failure }
    }

    // MARK: Title block and abstract

    func titleBlock() {
        let citation = inputs.paper.citation
        let width = PageComposer.textWidth
        let title = Paragraph(keepAll("관계 네트워크의 파라미터 조정 실험: 재현 보고서"),
                              style: TextStyle(font: "\(Fonts.serif) Bold 17", alignment: .center, lineSpacing: 2), width: width, cr: cr)
        let english = Paragraph(escape(citation.title),
                                style: TextStyle(font: "\(Fonts.serif) Bold 11.5", alignment: .center, lineSpacing: 1), width: width, cr: cr)
        let statement = Paragraph(
            keepAll("RNRepro가 만든 재현 보고서이며 원 논문이 아닙니다")
                + "<span size=\"smaller\"> — a reproduction report generated by RNRepro, not the original paper</span>",
            style: TextStyle(font: "\(Fonts.sans) Bold 8.4", alignment: .center, color: (0.62, 0.1, 0.1)), width: width, cr: cr)
        let original = Paragraph(
            "원 논문 Original: \(escape(citation.authors.joined(separator: ", "))) (\(escape(citation.institution))), \(escape(citation.venue)), \(citation.year)",
            style: TextStyle(font: "\(Fonts.sans) 7.6", alignment: .center, color: (0.2, 0.2, 0.2)), width: width, cr: cr)
        let profile = Paragraph(
            "프로파일 profile <b>\(escape(inputs.profile))</b> · 실행 \(inputs.runs.filter(\.hasRun).count)/\(inputs.runs.count) runs · 렌더링 기준 시각 as of \(escape(date))",
            style: TextStyle(font: "\(Fonts.sans) 7.6", alignment: .center, color: (0.2, 0.2, 0.2)), width: width, cr: cr)

        let abstractWidth = width - 40
        let abstractKorean = Paragraph("<b>요 약</b>  " + abstractTextKorean(), style: TextStyle(font: "\(Fonts.serif) 7.9", justify: true, lineSpacing: 1.4), width: abstractWidth, cr: cr)
        let abstractEnglish = Paragraph("<b>Abstract</b>  " + abstractTextEnglish(), style: TextStyle(font: "\(Fonts.serif) 7.5", justify: true, lineSpacing: 1.2, color: (0.2, 0.2, 0.2)), width: abstractWidth, cr: cr)
        let boxHeight = abstractKorean.height + abstractEnglish.height + 22
        let parts: [(Paragraph, Double)] = [(title, 6), (english, 8), (statement, 4), (original, 2), (profile, 12)]
        let height = parts.reduce(0) { $0 + $1.0.height + $1.1 } + boxHeight
        composer.fullWidth(height: height, spaceAfter: 14) { x, y, width in
            var top = y
            for (paragraph, after) in parts {
                paragraph.draw(x: x, y: top, cr: cr)
                top += paragraph.height + after
            }
            cairo_set_source_rgb(cr, 0.965, 0.965, 0.965)
            cairo_rectangle(cr, x + 10, top, width - 20, boxHeight)
            cairo_fill_preserve(cr)
            cairo_set_source_rgb(cr, 0.3, 0.3, 0.3)
            cairo_set_line_width(cr, 0.6)
            cairo_stroke(cr)
            abstractKorean.draw(x: x + 20, y: top + 8, cr: cr)
            abstractEnglish.draw(x: x + 20, y: top + 14 + abstractKorean.height, cr: cr)
        }
    }

    func abstractTextKorean() -> String {
        let done = inputs.runs.filter(\.hasRun).count
        var text = "Lee와 Lim(2018)은 관계 네트워크(Relation Network, RN)를 Sort-of-CLEVR에서 다시 학습하고 배치 크기와 학습률에 따른 정확도 변화를 보고하였다. "
        text += "이 문서는 그 실험을 RNRepro(자체 SIMD CPU 엔진으로 구현한 재현 프로그램)로 다시 수행한 결과를 원 논문의 구성에 맞추어 정리한 것이다. "
        text += "프로파일 <b>\(escape(inputs.profile))</b>에서 계획된 \(inputs.runs.count)개의 학습 실행 중 \(done)개가 지표를 남겼고, RN은 \(epochsText(rnRuns)) 에폭(논문은 20 에폭), CNN+MLP는 \(epochsText(cnnRuns)) 에폭(논문은 50 에폭) 학습하였다. "
        text += "표 1과 표 2의 주장 \(allClaims.count)개 중 재현됨 \(count(.reproduced)), 부분 재현 \(count(.partly)), 재현 안 됨 \(count(.notReproduced)), 진행 중 \(count(.pending)), 미실행 \(count(.notRun))이다. "
        if !atPaperScale {
            text += "이 프로파일은 논문보다 작은 규모이므로 최종 정확도가 논문에 미치지 못하는 것은 예상된 결과이며, 이 규모에서 실제로 드러나는 발견만을 6절에 따로 적었다."
        }
        return text
    }

    func abstractTextEnglish() -> String {
        let done = inputs.runs.filter(\.hasRun).count
        var text = "Lee and Lim (2018) retrained the Relation Network (RN) on Sort-of-CLEVR and reported how its accuracy changes with batch size and learning rate. "
        text += "This document re-runs their experiments with RNRepro, a reproduction built on its own SIMD CPU engine, and lays the results out in the paper's order. "
        text += "In profile <b>\(escape(inputs.profile))</b>, \(done) of \(inputs.runs.count) planned runs have written metrics; RN trained for \(epochsText(rnRuns)) epochs (paper: 20) and CNN+MLP for \(epochsText(cnnRuns)) (paper: 50). "
        text += "Of the \(allClaims.count) claims in Tables 1 and 2, \(count(.reproduced)) are reproduced, \(count(.partly)) partly, \(count(.notReproduced)) not reproduced, \(count(.pending)) pending (runs in flight) and \(count(.notRun)) not run. "
        if !atPaperScale {
            text += "The profile is smaller than the paper's scale, so its final accuracies are expected to fall short of the paper's; Section 6 states which findings do show at this scale."
        }
        return text
    }

    // MARK: Sections

    func introduction() {
        korean("관계 추론은 장면 속 객체들 사이의 관계(가깝다, 멀다, 같은 모양이다)를 묻는 질문에 답하는 능력이다. Santoro 등[1]이 제안한 RN은 모든 객체 쌍에 같은 함수 g를 적용해 더한 뒤 함수 f로 답을 내는 단순한 모듈로, 합성곱 신경망만으로는 어려웠던 관계형 질문에서 큰 향상을 보였다.")
        korean("Lee와 Lim[2]은 공개 PyTorch 구현[3]으로 Sort-of-CLEVR에서 RN을 다시 학습하여 표 1의 정확도를 얻고, 배치 크기(그림 5)와 학습률(그림 6)을 바꾸어 표 2를 보고하였다. 본 보고서는 논문에 적힌 사실과 공개 구현의 2017년 동작만을 근거로 모든 부분을 새로 구현한 RNRepro로 같은 실험을 수행하고, 논문의 표와 그림을 같은 순서로 우리 결과와 나란히 놓는다.")
        english("Relational reasoning means answering questions about how objects in a scene relate: which is closest, which is furthest, how many share a shape. The RN of Santoro et al. [1] applies one function g to every pair of objects, sums the results and lets a function f answer. Lee and Lim [2] retrained it on Sort-of-CLEVR with a public PyTorch implementation [3] (Table 1) and varied batch size (Fig. 5) and learning rate (Fig. 6, Table 2). RNRepro re-implements everything from public facts and the 2017 behaviour of that implementation; this report sets our numbers beside theirs, table by table and figure by figure.")
    }

    func architecture() {
        korean("영상은 네 층의 합성곱(3×3, 보폭 2, 24채널, ReLU 뒤 배치 정규화)을 거쳐 5×5 격자의 25개 객체가 된다. 각 객체에 격자 위치를 나타내는 두 좌표를 붙여 26차원으로 만들고, 625개의 순서쌍마다 두 객체와 11차원 질문 벡터를 이어 붙여 g(256 폭의 네 층)에 넣는다. g의 출력을 모두 더한 값을 f(두 층, 드롭아웃 0.5, 10개 답)가 받아 답의 로그 확률을 낸다. 비교 모델 CNN+MLP는 같은 합성곱 출력 600차원을 질문과 이어 세 층 MLP에 넣는다.")
        english("Four stride-2 3×3 convolutions with 24 channels (ReLU, then batch norm) turn the 75×75 image into 25 objects on a 5×5 grid. Each object gets two coordinate tags (26 features); for each of the 625 ordered pairs, g (four layers, 256 wide) reads both objects and the 11-float question. The sum over pairs goes through f (two layers, dropout 0.5, 10 answers). The CNN+MLP baseline feeds the flattened 600 features and the question to a three-layer MLP. In this profile \(parameterCounts).")
    }

    /// "RN has 364,402 parameters (width 256) and CNN+MLP 241,522 (width 256)", from the plan.
    var parameterCounts: String {
        let models = [(RunSpec.Model.rn, "RN"), (.cnnMLP, "CNN+MLP")].compactMap { model, name -> String? in
            guard let run = inputs.runs.first(where: { $0.planned.spec.model == model }), let count = run.planned.parameterCount
            else { return nil }
            return "\(name) has \(Format.grouped(count)) parameters (width \(run.planned.spec.hidden))"
        }
        return models.joined(separator: " and ")
    }

    func sortOfCLEVR() {
        let dataset = inputs.runs.first?.planned.spec.dataset
        let train = dataset.map { Format.grouped($0.trainImages) } ?? "?"
        let test = dataset.map { Format.grouped($0.testImages) } ?? "?"
        let questions = Format.grouped(inputs.testQuestionsPerType)
        korean("Sort-of-CLEVR 영상은 흰 배경에 여섯 색의 객체(사각형 또는 원)가 하나씩 놓인 75×75 영상이며, 영상마다 비관계형 질문(모양, 왼쪽, 위쪽) 10개와 관계형 질문(가장 가까운, 가장 먼 객체의 모양, 같은 모양의 개수) 10개가 붙는다(그림 S1). 이 프로파일의 데이터는 학습 영상 \(train)장, 시험 영상 \(test)장으로 유형마다 시험 질문 \(questions)개이다. 모든 실행은 Adam으로 학습하였다.")
        english("Each Sort-of-CLEVR image shows six objects of distinct colours, squares or circles, on white, with 10 non-relational questions (shape, left, top) and 10 relational ones (shape of the closest and of the furthest object, count of the same shape); Fig. S1 shows examples. This profile trains on \(train) images and tests on \(test), i.e. \(questions) test questions per type. All runs use Adam.")
        samplesFigure()
        table(claims1, number: 1, rowLabel: { row in row.model == .rn ? "RN" : "CNN+MLP" },
              title: "RN과 CNN+MLP의 테스트 정확도 (%)", englishTitle: "Test accuracy of RN against CNN+MLP (%)")
        let rnRow = inputs.paper.table1.first { $0.model == .rn }
        let cnnRow = inputs.paper.table1.first { $0.model != .rn }
        if let rnRow, let cnnRow {
            let rnRel = finalValue(rnRow.id, "rel")
            let cnnRel = finalValue(cnnRow.id, "rel")
            var sentence = "표 1에서 논문은 관계형 질문에서 RN \(rnRow.relational.text)%, CNN+MLP \(cnnRow.relational.text)%를 보고하였고, 우리는 각각 \(value(rnRow.id, "rel")), \(value(cnnRow.id, "rel"))를 얻었다. "
            var english = "In Table 1 the paper reports \(rnRow.relational.text) % relational accuracy for RN and \(cnnRow.relational.text) % for CNN+MLP; we obtain \(value(rnRow.id, "rel")) and \(value(cnnRow.id, "rel")). "
            if let rnRel, let cnnRel {
                if rnRel > cnnRel {
                    sentence += "RN이 관계형 질문에서 CNN+MLP보다 앞선다는 논문의 순서는 이 규모에서도 나타난다."
                    english += "RN ahead of CNN+MLP on relational questions, the paper's ordering, shows at this scale."
                } else {
                    sentence += "RN이 CNN+MLP보다 앞선다는 논문의 순서는 이 규모에서 나타나지 않는다."
                    english += "The paper's ordering, RN ahead of CNN+MLP on relational questions, does not show at this scale."
                }
            }
            korean(sentence)
            self.english(english)
        }
    }

    func samplesFigure() {
        guard let samples = inputs.samples, !samples.isEmpty else {
            float(caption: "<b>그림 S1.</b> 예시 영상 없음: \(escape(inputs.paths.samples))이 아직 없다(재현 실행이 기록한다). <b>Fig. S1.</b> No sample images: \(escape(inputs.paths.samples)) is written by the reproduction run.",
                  captionAbove: false, height: 12) { _, _, _ in }
            return
        }
        let figure = SampleFigure(samples: Array(samples.prefix(2)), questionsPerType: 2)
        let height = figure.height(width: composer.columnWidth, cr: cr)
        float(caption: "<b>그림 S1.</b> 이 프로파일의 데이터 집합에서 뽑은 예시 영상과 질문·정답(영상마다 유형별 2개). <b>Fig. S1.</b> Sample images of this profile's data set with two questions of each type and their answers; pixels are drawn as vector rectangles.",
              captionAbove: false, height: height) { x, y, width in
            figure.draw(cr: cr, x: x, y: y, width: width)
        }
    }

    /// Table 1 or 2: paper value, ours, difference and verdict per claim.
    func table(_ claims: [Claim], number: Int, rowLabel: (PaperRow) -> String, title: String, englishTitle: String) {
        var groups: [[[String]]] = []
        var rowIDs: [String] = []
        for claim in claims {
            if rowIDs.last != claim.row.id {
                rowIDs.append(claim.row.id)
                groups.append([])
            }
            var ours = claim.latestUnfinished ?? "not run"
            if let mean = claim.mean {
                ours = Format.fixed(mean)
                if let sd = claim.standardDeviation { ours += " ± \(Format.fixed(sd))" }
                if claim.values.count > 1 || claim.plannedReplicates > 1 { ours += " (n=\(claim.values.count))" }
                if !claim.unfinished.isEmpty { ours += "†" }
            }
            let verdict = claim.verdict
            let verdictText = verdict == .reproduced ? "<b>reproduced</b>" : verdict.rawValue
            groups[groups.count - 1].append([
                groups[groups.count - 1].isEmpty ? rowLabel(claim.row) : "",
                claim.type == "rel" ? "rel" : "non-rel",
                claim.paper.text,
                ours,
                claim.difference.map { Format.signed($0) } ?? "-",
                verdictText,
            ])
        }
        let table = TableBlock(
            header: ["설정\nSetting", "질문\nType", "논문\nPaper", "재현\nOurs", "차이\nΔ", "판정\nVerdict"],
            alignments: [.left, .left, .center, .center, .right, .left], groups: groups)
        let caption = "<b>표 \(number).</b> \(title). <b>Table \(number).</b> \(englishTitle). " + tableNote(claims)
        let width = composer.columnWidth
        let height = table.height(cr: cr, width: width)
        float(caption: caption, captionAbove: true, height: height) { x, y, width in
            table.draw(composer: composer, x: x, y: y, width: width)
        }
    }

    /// What every table caption must say: seeds, what varies between them, what the spread is,
    /// the scale, and the verdict rule.
    func tableNote(_ claims: [Claim]) -> String {
        var seen: [String] = []
        var perRow: [String] = []
        for claim in claims where !seen.contains(claim.row.id) {
            seen.append(claim.row.id)
            let seeds = inputs.runs(of: claim.row.id).filter(\.hasRun).map { String($0.planned.spec.seed) }
            perRow.append("\(claim.row.id): \(seeds.count) (\(seeds.isEmpty ? "none" : "seed " + seeds.joined(separator: ", ")))")
        }
        let rn = epochsText(rnRuns)
        let cnn = epochsText(cnnRuns)
        let questions = claims.first?.questions ?? 2000
        return "Ours: final test accuracy after RN \(rn) / CNN+MLP \(cnn) epochs (paper: 20 / 50), on \(Format.grouped(questions)) test questions per type; the mean over runs that differ only in the seed (initialisation, shuffling, dropout), ± the sample standard deviation (n-1) when n ≥ 2. Runs per row: \(perRow.joined(separator: "; ")). † another replicate has not finished; a row none of whose replicates has finished shows its latest value with its epoch, and no verdict (pending). Δ: ours minus the nearest end of the paper's value. Verdict (재현됨 / 부분 재현 / 재현 안 됨): reproduced when |Δ| ≤ max(3 SE, 2 points), partly when |Δ| ≤ 10, else not reproduced; SE is the binomial standard error (Appendix D)."
    }

    /// Both question types' comparisons of a figure's rows, in one sentence each language; when
    /// some run has not finished, one sentence says so for both types.
    func comparisons(_ figure: PaperFigure) -> (korean: String, english: String) {
        let (rel, nonrel) = (comparison(figure, type: "rel"), comparison(figure, type: "nonrel"))
        if let rel, let nonrel { return (rel.korean + " " + nonrel.korean, rel.english + " " + nonrel.english) }
        let lists = "relational: \(valueList(figure, type: "rel")); non-relational: \(valueList(figure, type: "nonrel"))"
        return ("일부 실행이 끝나지 않아 설정들의 순서를 아직 비교할 수 없다(\(lists)).",
                "Some runs have not finished, so the order of the settings cannot be compared yet (\(lists)).")
    }

    /// "batch 64 58.1 (paper 87~90), batch 128 not run (paper 84)".
    func valueList(_ figure: PaperFigure, type: String) -> String {
        figure.rows.compactMap { inputs.paper.row($0) }.map { row in
            "\(Figures.name(of: row, varying: figure.varies)) \(value(row.id, type)) (paper \((type == "rel" ? row.relational : row.nonRelational).text))"
        }.joined(separator: ", ")
    }

    /// Our final values of a figure's rows and whether their order matches the paper's; nil
    /// while some row has no final value.
    func comparison(_ figure: PaperFigure, type: String) -> (korean: String, english: String)? {
        let rows = figure.rows.compactMap { inputs.paper.row($0) }
        let pairs = rows.map { row -> (PaperRow, Double?) in (row, finalValue(row.id, type)) }
        let list = valueList(figure, type: type)
        let ran = pairs.compactMap { pair in pair.1.map { (pair.0, $0) } }
        guard ran.count == pairs.count, ran.count >= 2 else { return nil }
        func paperMiddle(_ row: PaperRow) -> Double {
            let v = type == "rel" ? row.relational : row.nonRelational
            return (v.low + v.high) / 2
        }
        var agree = true
        var ties = false
        for i in 0..<ran.count {
            for j in (i + 1)..<ran.count {
                let paperGap = paperMiddle(ran[i].0) - paperMiddle(ran[j].0)
                if abs(paperGap) < 1 { ties = true; continue }
                if (paperGap > 0) != (ran[i].1 > ran[j].1) { agree = false }
            }
        }
        let kind = type == "rel" ? "관계형" : "비관계형"
        if agree {
            return ("\(kind) 최종값: \(list). 논문에서 차이가 있는 설정들의 순서는 우리 결과에서도 같다\(ties ? "(논문에서 같은 값은 비교하지 않음)" : "").",
                    "Final \(type == "rel" ? "relational" : "non-relational") values: \(list). Where the paper's values differ, our order is the same\(ties ? " (settings the paper reports as equal are not compared)" : "").")
        }
        return ("\(kind) 최종값: \(list). 설정들의 순서가 논문과 다르다.",
                "Final \(type == "rel" ? "relational" : "non-relational") values: \(list). The order of the settings differs from the paper's.")
    }

    func figureCaption(_ figure: PaperFigure, number: Int, korean: String, english: String) -> String {
        let plot = Figures.accuracy(figure, inputs: inputs)
        let scale = plot.marksAtPaperEpoch
            ? "논문의 최종값(에폭 20)은 빈 원으로 표시하였다. The paper's final values (epoch 20) are open circles; a range such as 87~90 is an error bar."
            : "우리 실행은 논문(20 에폭)보다 훨씬 짧아 우리 곡선은 자체 x 범위에 그렸고, 논문의 최종값은 이름을 붙인 수평 점선으로 표시하였다. Our runs are much shorter than the paper's 20 epochs, so our curves use their own x range and the paper's final values are labelled dashed horizontal lines."
        let seeds = figure.rows.contains { inputs.runs(of: $0).filter(\.hasRun).count > 1 }
            ? " Rows with several seeds show one line per seed (the second dotted)." : ""
        return "<b>그림 \(number).</b> \(korean) <b>Fig. \(number).</b> \(english) \(scale)\(seeds)"
    }

    func batchSize() throws {
        guard let figure = inputs.paper.figures.first(where: { $0.id == "fig5" }) else { return }
        korean("그림 5는 학습률 10<sup><small>-4</small></sup>에서 배치 크기 64와 128의 에폭별 테스트 정확도를 비교한다. 논문에 따르면 배치 128은 관계형 질문에서 덜 안정적이고 더 낮게 끝나며(84 대 90), 비관계형 질문에서는 4-14 에폭 동안 배치 64가 더 높고 둘 다 99로 끝난다.")
        english("Fig. 5 compares batch sizes 64 and 128 at learning rate 10<sup><small>-4</small></sup>. The paper finds batch 128 less stable on relational questions and lower at the end (84 against 90); on non-relational questions batch 64 leads over epochs 4 to 14 and both end at 99.")
        let text = comparisons(figure)
        korean(text.korean)
        english(text.english)
        try self.figure("fig5", caption: figureCaption(figure, number: 5,
            korean: "배치 크기 64와 128의 에폭별 테스트 정확도(학습률 10<sup><small>-4</small></sup>).",
            english: "Test accuracy per evaluation, batch 64 against 128 (lr 10<sup><small>-4</small></sup>), from our metrics."))
    }

    func learningRate() throws {
        guard let figure = inputs.paper.figures.first(where: { $0.id == "fig6" }) else { return }
        korean("그림 6은 배치 64에서 학습률 10<sup><small>-2</small></sup>, 10<sup><small>-3</small></sup>, 10<sup><small>-4</small></sup>을 비교한다. 논문에서 10<sup><small>-2</small></sup>은 관계형 정확도가 매우 낮게 머물고 비관계형 정확도는 학습이 진행될수록 떨어진다(최종 31, 15). 10<sup><small>-3</small></sup>은 처음에는 10<sup><small>-4</small></sup>보다 낮지만 이후 대부분 더 높다(최종 93 대 87~90).")
        english("Fig. 6 compares learning rates 10<sup><small>-2</small></sup>, 10<sup><small>-3</small></sup> and 10<sup><small>-4</small></sup> at batch 64. In the paper 10<sup><small>-2</small></sup> stays very low on relational questions and falls on non-relational ones (31 and 15 at the end); 10<sup><small>-3</small></sup> starts below 10<sup><small>-4</small></sup> but is higher almost everywhere after (93 against 87~90).")
        let text = comparisons(figure)
        korean(text.korean)
        english(text.english)
        if let collapsed = inputs.paper.table2.min(by: { $0.relational.high < $1.relational.high }),
            let rel = finalValue(collapsed.id, "rel"), let nonrel = finalValue(collapsed.id, "nonrel"),
            let square = inputs.paper.referencePoints.first(where: { $0.name.contains("square") })
        {
            let near = abs(rel - square.relational) <= 3 && abs(nonrel - square.nonRelational) <= 3
            if near {
                korean("학습률 \(Format.learningRate(collapsed.learningRate))의 최종값 \(Format.fixed(rel))/\(Format.fixed(nonrel))은 항상 \"사각형\"이라고 답할 때의 \(Format.fixed(square.relational))/\(Format.fixed(square.nonRelational))과 거의 같다. 즉 망이 한 가지 답으로 붕괴한 것이며, 논문의 31/15도 같은 현상으로 읽힌다.")
                english("At learning rate \(Format.learningRate(collapsed.learningRate)) our final \(Format.fixed(rel)) / \(Format.fixed(nonrel)) is close to the \(Format.fixed(square.relational)) / \(Format.fixed(square.nonRelational)) of always answering \"square\": the network collapsed to one answer, which is also the natural reading of the paper's 31 / 15.")
            } else {
                korean("학습률 \(Format.learningRate(collapsed.learningRate))의 최종값은 \(Format.fixed(rel))/\(Format.fixed(nonrel))로, 항상 \"사각형\"이라고 답하는 붕괴(\(Format.fixed(square.relational))/\(Format.fixed(square.nonRelational)))와는 다르다.")
                english("At learning rate \(Format.learningRate(collapsed.learningRate)) our final values are \(Format.fixed(rel)) / \(Format.fixed(nonrel)), unlike the always-\"square\" collapse (\(Format.fixed(square.relational)) / \(Format.fixed(square.nonRelational))).")
            }
        }
        try self.figure("fig6", caption: figureCaption(figure, number: 6,
            korean: "학습률 10<sup><small>-2</small></sup>, 10<sup><small>-3</small></sup>, 10<sup><small>-4</small></sup>의 에폭별 테스트 정확도(배치 64).",
            english: "Test accuracy per evaluation at learning rates 10<sup><small>-2</small></sup>, 10<sup><small>-3</small></sup> and 10<sup><small>-4</small></sup> (batch 64), from our metrics."))
    }

    func results() throws {
        korean("표 2는 논문의 다섯 가지 RN 설정을 우리 결과와 비교한다. 판정 규칙은 시험 질문 수에서 오는 이항 표준오차를 고려한 것으로 표 아래 설명에 적었다.")
        english("Table 2 sets the paper's five RN settings beside ours. The verdict rule allows for the binomial standard error of a test set of this size; the caption states it.")
        table(claims2, number: 2, rowLabel: { row in "b\(row.batchSize), lr \(Format.learningRate(row.learningRate))" },
              title: "배치 크기와 학습률에 따른 RN의 테스트 정확도 (%)", englishTitle: "RN test accuracy by batch size and learning rate (%)")
        subsection("6.1 이 규모에서 드러나는 발견 Findings at this scale")
        korean(escape(inputs.plan.summary))
        if let golden = inputs.golden, !golden.notes.isEmpty {
            korean("골든 파일(golden/\(escape(inputs.profile)).json, 시드 \(golden.seeds.map(String.init).joined(separator: ", ")))에 기록된, 이 규모에서 확인된 발견은 다음과 같다. The golden file records these findings at this scale:")
            bullets(golden.notes.map(escape), style: Self.english)
        } else if inputs.golden != nil {
            korean("골든 파일(golden/\(escape(inputs.profile)).json)에는 아직 이 규모에서 확인된 발견이 기록되지 않았다. The golden file records no finding at this scale yet.")
        } else {
            korean("이 프로파일에는 아직 골든 파일이 없어, 어떤 발견이 이 규모에서 드러나는지 기록된 판단이 없다. No golden file exists for this profile yet, so no finding has been assessed at this scale.")
        }
        try figure("loss", caption: "<b>그림 S2.</b> 학습 손실(평가 간격마다의 평균 음의 로그 우도). <b>Fig. S2.</b> Training loss, the mean negative log-likelihood over the steps between evaluations, for every run; dropout is active, as in training.")
    }

    func conclusion() {
        let total = allClaims.count
        // The claims not judged yet: runs in flight, and runs not started.
        let waitingKorean = [count(.pending) > 0 ? "\(count(.pending))개는 학습 중" : nil,
                             count(.notRun) > 0 ? "\(count(.notRun))개는 아직 실행되지 않음" : nil].compactMap { $0 }
        let waitingEnglish = [count(.pending) > 0 ? "\(count(.pending)) pending" : nil,
                              count(.notRun) > 0 ? "\(count(.notRun)) not run yet" : nil].compactMap { $0 }
        korean("\(escape(inputs.profile)) 프로파일에서 논문의 주장 \(total)개 중 \(count(.reproduced))개가 재현되고 \(count(.partly))개가 부분 재현되었으며 \(count(.notReproduced))개는 재현되지 않았다\(waitingKorean.isEmpty ? "" : "(" + waitingKorean.joined(separator: ", ") + ")"). " + (atPaperScale
            ? "이 프로파일은 논문과 같은 규모이므로 차이는 구현이나 시드의 차이로 보아야 한다."
            : "이 프로파일은 논문보다 훨씬 짧게 학습하므로 정확도의 절대값이 아니라 설정들 사이의 순서와 붕괴 여부가 비교의 대상이다. 논문 규모의 수치는 paper 프로파일로만 확인할 수 있다."))
        english("In profile \(escape(inputs.profile)), \(count(.reproduced)) of the paper's \(total) claims are reproduced, \(count(.partly)) partly and \(count(.notReproduced)) not\(waitingEnglish.isEmpty ? "" : " (" + waitingEnglish.joined(separator: ", ") + ")"). " + (atPaperScale
            ? "The profile runs at the paper's scale, so differences point to the implementation or to seed variation."
            : "The profile trains far shorter than the paper, so what can be compared is the order of the settings and whether a run collapses, not the absolute accuracies; only the paper profile can test the paper's numbers."))
    }

    func references() {
        composer.space(8)
        composer.paragraph("참고문헌 <span weight=\"normal\" size=\"smaller\">References</span>", style: Self.heading, keepLines: 4, spaceAfter: 3)
        let citation = inputs.paper.citation
        let items = [
            "[1] A. Santoro, D. Raposo, D. G. T. Barrett, M. Malinowski, R. Pascanu, P. Battaglia, T. Lillicrap, \"A simple neural network module for relational reasoning,\" NIPS 2017, arXiv:1706.01427.",
            "[2] \(escape(citation.authors.joined(separator: ", "))), \"\(escape(citation.title)),\" \(escape(citation.venue)), \(citation.year).",
            "[3] kimhc6028, relational-networks: PyTorch implementation of Relation Networks on Sort-of-CLEVR, GitHub, 2017 (state of 2017-08).",
            "[4] D. P. Kingma, J. Ba, \"Adam: A method for stochastic optimization,\" ICLR 2015, arXiv:1412.6980.",
            "[5] J. Johnson et al., \"CLEVR: A diagnostic dataset for compositional language and elementary visual reasoning,\" CVPR 2017.",
        ]
        for item in items { composer.paragraph(item, style: Self.small, indent: 0, spaceAfter: 1.5) }
    }

    // MARK: Appendix

    func appendix() {
        composer.paragraph("부록 Appendix", style: TextStyle(font: "\(Fonts.sans) Bold 11"), spaceAfter: 4)
        subsection("A. 재현 환경 Provenance")
        func distinct(_ values: [String]) -> String {
            var seen: [String] = []
            for value in values where !seen.contains(value) { seen.append(value) }
            return seen.isEmpty ? "-" : seen.map(escape).joined(separator: "; ")
        }
        let manifests = inputs.runs.compactMap(\.manifest)
        let provenance = manifests.map(\.provenance)
        korean("완료된 실행의 manifest.json에 기록된 값이다(\(manifests.count)/\(inputs.runs.count)개 실행). Values from the manifests of finished runs.")
        bullets([
            "rnrepro: \(distinct(provenance.map(\.programVersion))); commit \(distinct(provenance.map { String($0.commit.prefix(12)) }))",
            "compiler: \(distinct(provenance.map(\.compiler)))",
            "CPU: \(distinct(provenance.map { "\($0.cpu), \($0.cores) cores" })); threads \(distinct(manifests.map { String($0.threads) })); matrix kernels \(distinct(manifests.map { $0.isa ?? "avx2" }))",
            "dates: \(distinct(provenance.map(\.date).sorted()))",
            "data set: \(distinct(inputs.runs.map { "seed \($0.planned.spec.dataset.seed), \(Format.grouped($0.planned.spec.dataset.trainImages))+\(Format.grouped($0.planned.spec.dataset.testImages)) images, sha256 \(String($0.planned.spec.dataset.sha256.prefix(16)))…" }))",
            "golden: \(inputs.golden.map { "seeds \($0.seeds.map(String.init).joined(separator: ", ")), made by rnrepro \(escape($0.provenance.programVersion)) on \(escape($0.provenance.date))" } ?? "none")",
        ], style: Self.small)
        var rows: [[String]] = []
        for run in inputs.runs {
            let spec = run.planned.spec
            let epochs = run.final.map { "\(Format.epochs($0.epoch))/\(Format.epochs(spec.epochs))" } ?? "0/\(Format.epochs(spec.epochs))"
            let seconds = run.manifest?.wallSeconds
            let metricsHash = run.manifest?.files.first { $0.name == RunFolder.metrics }.map { String($0.sha256.prefix(10)) } ?? "-"
            rows.append([
                escape("\(run.planned.row) r\(run.planned.replicate)"), String(spec.seed), epochs,
                run.manifest.map { String($0.threads) } ?? "-",
                seconds.map { Format.fixed($0 / 60) } ?? "-",
                metricsHash,
            ])
        }
        let table = TableBlock(
            header: ["실행 Run", "seed", "epochs", "threads", "wall min", "metrics sha256"],
            alignments: [.left, .right, .right, .right, .right, .left], groups: [rows], font: "\(Fonts.sans) 6.3",
            headerFont: "\(Fonts.sans) Bold 6.3", padding: 2.2, rowSpacing: 1.6)
        let tableHeight = table.height(cr: cr, width: composer.columnWidth)
        float(caption: "<b>표 A1.</b> 실행별 기록. <b>Table A1.</b> Every planned run: seed, evaluated/planned epochs, threads, total wall time (minutes, from the manifest) and the first digits of the metrics file's SHA-256 (\"-\": not finished).",
              captionAbove: true, height: tableHeight) { x, y, width in
            table.draw(composer: composer, x: x, y: y, width: width)
        }

        subsection("B. 논문과의 차이 Deviations from the paper")
        korean("이 프로파일이 논문과 다른 점이다. How this profile departs from the paper:")
        var deviations = inputs.plan.deviations
        for extra in inputs.golden?.deviations ?? [] where !deviations.contains(extra) { deviations.append(extra) }
        func settings(_ name: String, _ values: [String]) -> String {
            var seen: [String] = []
            for value in values where !seen.contains(value) { seen.append(value) }
            return "\(name): \(seen.joined(separator: ", "))"
        }
        let specs = inputs.runs.map(\.planned.spec)
        deviations.append("Switches of the runs: " + [
            settings("dropout", specs.map(\.dropout.rawValue)),
            settings("coordinate tags", specs.map(\.coordinateTags.rawValue)),
            settings("closest rule", specs.map { $0.dataset.exactClosest ? "exact" : "2017 reference quirk" }),
            settings("optimizer", specs.map(\.optimizer.rawValue)),
            settings("width", specs.map { "\($0.model.rawValue) \($0.hidden)" }),
            settings("evaluation every", specs.map { "\(Format.epochs($0.evalEvery)) epoch" }),
        ].joined(separator: "; ") + ".")
        bullets(deviations.map(escape), style: Self.small)

        subsection("C. 처리 속도 Throughput")
        korean("학습 질문 처리 속도(평가 제외)와 그로부터 계산한 에폭당 시간이다. Training throughput, evaluation excluded, and the time per epoch it implies.")
        var throughput: [[String]] = []
        for row in inputs.paper.allRows {
            let runs = inputs.runs(of: row.id).filter(\.hasRun)
            let speeds = runs.compactMap { $0.manifest?.samplesPerSecond }
            guard !speeds.isEmpty else {
                throughput.append([escape(row.id), "-", "-", "-"])
                continue
            }
            let speed = speeds.reduce(0, +) / Double(speeds.count)
            let questionsPerEpoch = Double(2 * (98_000 / row.batchSize) * row.batchSize)
            let hidden = runs.first.map { String($0.planned.spec.hidden) } ?? "-"
            throughput.append([escape(row.id), hidden, Format.fixed(speed, 0), Format.fixed(questionsPerEpoch / speed / 60, 1)])
        }
        let speedTable = TableBlock(
            header: ["설정 Row", "width", "questions/s", "min/epoch"], alignments: [.left, .right, .right, .right],
            groups: [throughput], font: "\(Fonts.sans) 6.5", headerFont: "\(Fonts.sans) Bold 6.5")
        let speedHeight = speedTable.height(cr: cr, width: composer.columnWidth)
        float(caption: "<b>표 A2.</b> 처리 속도. <b>Table A2.</b> Mean training throughput over a row's runs and the minutes one full epoch (98,000 questions of each type) takes at that rate and width.",
              captionAbove: true, height: speedHeight) { x, y, width in
            speedTable.draw(composer: composer, x: x, y: y, width: width)
        }

        subsection("D. 판정 규칙 Verdict rule")
        let questions = allClaims.first?.questions ?? 2000
        korean("판정은 우리 평균과 논문 값(범위이면 가까운 끝) 사이의 차이 Δ로 정한다. |Δ|가 max(3 SE, 2점) 이하이면 재현됨, 10점 이하이면 부분 재현, 그보다 크면 재현 안 됨이다. SE = 100·√(p(1-p)/N)은 정확도 p(논문 값)를 질문 N개로 잴 때의 이항 표준오차이다.")
        english("The verdict compares our mean with the paper's value (the nearest end of a range): reproduced when |Δ| ≤ max(3 SE, 2 points), partly when |Δ| ≤ 10 points, otherwise not reproduced. SE = 100·√(p(1-p)/N) is the binomial standard error of an accuracy p (the paper's value) measured on N questions; here N = \(Format.grouped(questions)) per type, so SE is \(Format.fixed(VerdictRule.standardError(percent: 50, questions: questions), 2)) points at 50 % and \(Format.fixed(VerdictRule.standardError(percent: 99, questions: questions), 2)) at 99 %. Seed-to-seed spread is not part of the rule; the tables show it beside the mean.")

        subsection("E. 입력 파일 Inputs")
        // One line, not a list: the appendix ends the last page, and a list of four can spill a
        // single item onto a page of its own.
        let files = [inputs.paths.paper, inputs.paths.plan,
                     inputs.golden == nil ? "\(inputs.paths.golden) (absent)" : inputs.paths.golden,
                     inputs.samples == nil ? "\(inputs.paths.samples) (absent)" : inputs.paths.samples]
        composer.paragraph(files.map(escape).joined(separator: "; ") + ".", style: Self.small)
    }
}
