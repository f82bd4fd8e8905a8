import Artifacts
import Foundation

/// A figure as gnuplot draws it: panels stacked vertically over one shared legend.
struct PlotFigure {
    struct Series {
        var title: String
        var color: String
        /// gnuplot dash type: 1 solid, 2 dashed, ...
        var dash: Int = 1
        var pointType: Int = 7
        /// Legend entry; replicates after the first share the first's entry.
        var inLegend = true
        var points: [(x: Double, y: Double)]
    }

    /// The paper's final value of one curve, marked on the panel.
    struct PaperMark {
        var value: PaperValue
        var color: String
        /// Short name of the curve, e.g. "b64".
        var name: String
        /// The paper's epoch of the value (20 for RN).
        var epoch: Double
    }

    struct Panel {
        var title: String
        var yLabel: String
        var yRange: (Double, Double)?
        var series: [Series]
        var marks: [PaperMark] = []
    }

    var panels: [Panel]
    var xLabel: String
    /// Marks drawn as points at the paper's epoch (true) or as labelled horizontal lines when
    /// our runs are much shorter than the paper's (false).
    var marksAtPaperEpoch: Bool
    /// SVG width in pixels; the figure is scaled to the column.
    var width = 400
    var panelHeight = 200

    /// Draws marks at the paper's epoch only when our curves reach at least this share of it.
    static let paperEpochShare = 0.75

    static func marksAtPaperEpoch(ourLastEpoch: Double, paperEpochs: Double) -> Bool {
        ourLastEpoch >= paperEpochShare * paperEpochs
    }

    /// The gnuplot script that writes this figure as SVG on stdout.
    var script: String {
        let legendEntries = panels.first.map { $0.series.filter(\.inLegend).count + ($0.marks.isEmpty ? 0 : 1) } ?? 0
        // One column while it is short; two when there are many (short) entries.
        let legendRows = legendEntries <= 4 ? max(1, legendEntries) : (legendEntries + 1) / 2
        let legendHeight = 14 + 18 * legendRows
        let xLabelHeight = 40
        let height = panels.count * panelHeight + legendHeight + xLabelHeight
        func screen(_ pixelsFromBottom: Int) -> String { fixed(Double(pixelsFromBottom) / Double(height), 4) }

        var lines: [String] = [
            "set encoding utf8",
            "set terminal svg size \(width),\(height) fixed noenhanced font \"\(Fonts.sans),14\" background rgb \"white\"",
            "set output",
            "set border 3 lw 1 lc rgb \"#333333\"",
            "set tics nomirror out scale 0.6 font \",13\"",
            "set grid ytics lc rgb \"#dddddd\" lw 1 dt 1",
            "set lmargin at screen \(fixed(58.0 / Double(width), 4))",
            "set rmargin at screen \(fixed(Double(width - 14) / Double(width), 4))",
        ]
        // Data as inline datablocks: one per series, one per mark.
        for (p, panel) in panels.enumerated() {
            for (s, series) in panel.series.enumerated() {
                lines.append("$p\(p)s\(s) << EOD")
                lines += series.points.map { "\(number($0.x)) \(number($0.y))" }
                lines.append("EOD")
            }
            for (m, mark) in panel.marks.enumerated() {
                let middle = (mark.value.low + mark.value.high) / 2
                lines += ["$p\(p)m\(m) << EOD",
                          "\(number(mark.epoch)) \(number(middle)) \(number(mark.value.low)) \(number(mark.value.high))", "EOD"]
            }
        }
        lines.append("set multiplot")
        for (p, panel) in panels.enumerated() {
            let top = height - 10 - p * panelHeight
            let bottom = top - panelHeight + 52
            lines += [
                "set tmargin at screen \(screen(top - 18))",
                "set bmargin at screen \(screen(bottom))",
                "set title \"\(quoted(panel.title))\" offset 0,-0.6 font \",14\"",
                "set ylabel \"\(quoted(panel.yLabel))\" offset 1.5,0 font \",13\"",
                p == panels.count - 1 ? "set xlabel \"\(quoted(xLabel))\" offset 0,0.4 font \",13\"" : "unset xlabel",
                "unset key",
                "unset arrow",
                "unset label",
                "set autoscale x",
                "set xtics autofreq",
            ]
            if let (low, high) = panel.yRange {
                lines += ["set yrange [\(number(low)):\(number(high))]", "set ytics autofreq"]
            } else {
                // From 0 to the first round value over the highest point, a few ticks apart, so
                // the labels of a short panel do not run into each other.
                let highest = panel.series.flatMap { $0.points.map(\.y) }.filter(\.isFinite).max() ?? 1
                let ticks = Self.ticks(upTo: highest, covering: true)
                lines += ["set yrange [0:\(number(ticks.last ?? 1))]",
                          "set ytics (" + ticks.map { "\"\(number($0))\" \(number($0))" }.joined(separator: ", ") + ")"]
            }
            var plots = panel.series.indices.map { s -> String in
                let series = panel.series[s]
                return "$p\(p)s\(s) using 1:2 with linespoints lw 2 dt \(series.dash) pt \(series.pointType) ps 0.55 lc rgb \"\(series.color)\" notitle"
            }
            let lastEpoch = panel.series.flatMap { $0.points.map(\.x) }.max() ?? 1
            if marksAtPaperEpoch {
                let right = max(lastEpoch, panel.marks.map(\.epoch).max() ?? lastEpoch)
                lines.append("set xrange [0:\(number(right * 1.06))]")
                for (m, mark) in panel.marks.enumerated() {
                    plots.append("$p\(p)m\(m) using 1:2:3:4 with yerrorbars pt 6 ps 1.1 lw 1.5 lc rgb \"\(mark.color)\" notitle")
                }
                let paperEpoch = panel.marks.map(\.epoch).max() ?? right
                lines += labels(for: panel.marks, x: "first \(number(paperEpoch))", alignment: "right", offset: "-1.8,0")
            } else {
                // A margin right of our curves holds the labels of the paper's lines.
                lines.append("set xrange [0:\(number(lastEpoch * (panel.marks.isEmpty ? 1.03 : Self.labelZone)))]")
                lines.append("set xtics (" + Self.ticks(upTo: lastEpoch).map { "\"\(number($0))\" \(number($0))" }.joined(separator: ", ") + ")")
                var arrow = 1
                for mark in panel.marks {
                    for value in Set([mark.value.low, mark.value.high]).sorted() {
                        lines.append("set arrow \(arrow) from graph 0, first \(number(value)) to graph 1, first \(number(value)) nohead dt 2 lw 1.5 lc rgb \"\(mark.color)\" back")
                        arrow += 1
                    }
                }
                lines += valueLabels(for: panel.marks)
            }
            // A panel with nothing to draw yet (no run has reached it) still shows its axes.
            lines.append("plot " + (plots.isEmpty ? "NaN notitle" : plots.joined(separator: ", \\\n     ")))
        }

        // The shared legend: an empty plot whose key lists every series once.
        lines += [
            "set tmargin at screen \(screen(legendHeight - 4))",
            "set bmargin at screen \(screen(2))",
            "unset title", "unset xlabel", "unset ylabel", "unset arrow", "unset label", "unset grid",
            "unset border", "unset tics",
            "set xrange [0:1]", "set yrange [0:1]",
            "set key center center vertical maxrows \(legendRows) Left reverse width 1 samplen 2.5 font \",13\"",
        ]
        var keys: [String] = []
        if let panel = panels.first {
            for series in panel.series where series.inLegend {
                keys.append("NaN with linespoints lw 2 dt \(series.dash) pt \(series.pointType) ps 0.55 lc rgb \"\(series.color)\" title \"\(quoted(series.title))\"")
            }
            if !panel.marks.isEmpty {
                keys.append(marksAtPaperEpoch
                    ? "NaN with points pt 6 ps 1.1 lc rgb \"#333333\" title \"논문 최종값 paper (epoch \(number(panel.marks[0].epoch)))\""
                    : "NaN with lines dt 2 lw 1.5 lc rgb \"#333333\" title \"논문 최종값 paper (epoch \(number(panel.marks[0].epoch)))\"")
            }
        }
        lines.append("plot " + (keys.isEmpty ? "NaN notitle" : keys.joined(separator: ", ")))
        lines.append("unset multiplot")
        return lines.joined(separator: "\n") + "\n"
    }

    /// One label per cluster of paper values: values closer than `spacing` points share a label,
    /// so labels never print over each other.
    private func labels(for marks: [PaperMark], x: String, alignment: String, offset: String) -> [String] {
        let spacing = 7.0
        let sorted = marks.sorted { $0.value.high > $1.value.high }
        var clusters: [[PaperMark]] = []
        for mark in sorted {
            if let last = clusters.last?.last, last.value.high - mark.value.high < spacing {
                clusters[clusters.count - 1].append(mark)
            } else {
                clusters.append([mark])
            }
        }
        return clusters.enumerated().map { index, cluster in
            let text = "paper " + cluster.map { "\($0.name) \($0.value.text)" }.joined(separator: ", ")
            let color = cluster.count == 1 ? cluster[0].color : "#333333"
            let y = cluster[0].value.high
            let below = y > 93 && !marksAtPaperEpoch
            let shift = below ? offset.replacingOccurrences(of: "0.55", with: "-0.6") : offset
            return "set label \(index + 1) \"\(quoted(text))\" at \(x), first \(number(y)) \(alignment) offset \(shift) tc rgb \"\(color)\" font \",12\" front"
        }
    }

    /// Round tick positions from 0, at most 6: up to `last`, so no tick stands past our curves,
    /// or with `covering` to the first tick at or past it, so the axis holds every point.
    static func ticks(upTo last: Double, covering: Bool = false) -> [Double] {
        let steps = [0.05, 0.1, 0.2, 0.25, 0.5, 1, 2, 2.5, 5, 10, 20, 25, 50, 100]
        let step = steps.first { last / $0 <= 5.0001 } ?? max(last / 5, 1)
        let count = covering ? Int((last / step - 1e-9).rounded(.up)) : Int((last / step + 1e-9).rounded(.down))
        return (0...max(count, covering ? 1 : 0)).map { Double($0) * step }
    }

    /// How far the x range reaches past our last evaluation when the paper's values are lines.
    static let labelZone = 1.4

    /// The paper's values as short coloured labels right of our curves, one per line; values
    /// closer than a label's height sit side by side instead of on top of each other.
    private func valueLabels(for marks: [PaperMark]) -> [String] {
        let spacing = 6.0
        let sorted = marks.sorted { $0.value.high > $1.value.high }
        var lines: [String] = []
        var clusterTop = Double.infinity
        var x = 0.995
        for (index, mark) in sorted.enumerated() {
            if clusterTop - mark.value.high < spacing {
                x -= 0.03
            } else {
                clusterTop = mark.value.high
                x = 0.995
            }
            let y = clusterTop
            let offset = y > 93 ? "0,-0.6" : "0,0.55"
            lines.append("set label \(index + 1) \"\(quoted(mark.value.text))\" at graph \(fixed(x, 3)), first \(number(y)) right offset \(offset) tc rgb \"\(mark.color)\" font \",12\" front")
            x -= Double(mark.value.text.count) * 0.021
        }
        return lines
    }

    private func number(_ value: Double) -> String {
        if value == value.rounded() && abs(value) < 1e9 { return String(Int(value)) }
        var text = fixed(value, 6)
        while text.hasSuffix("0") { text.removeLast() }
        return text
    }

    private func fixed(_ value: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", value) }

    private func quoted(_ text: String) -> String {
        text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
    }
}

/// The report's plots, built from the runs' metrics.
enum Figures {
    /// One colour per paper row, in the order of the paper's tables.
    static let palette = ["#1f4e9c", "#d1495b", "#2a9d58", "#e08a00", "#7b3fa0", "#4a4a4a", "#0096a8"]

    static func color(of row: String, in paper: PaperFacts) -> String {
        let index = paper.allRows.firstIndex { $0.id == row } ?? 0
        return palette[index % palette.count]
    }

    /// Short name of a row within a figure that varies one setting.
    static func name(of row: PaperRow, varying: String) -> String {
        switch varying {
        case "batch_size": return "batch \(row.batchSize)"
        case "learning_rate": return "lr \(Format.learningRatePlain(row.learningRate))"
        default: return row.model == .rn ? "RN b\(row.batchSize) lr \(Format.learningRatePlain(row.learningRate))" : "CNN+MLP"
        }
    }

    static func shortName(of row: PaperRow, varying: String) -> String {
        switch varying {
        case "batch_size": return "b\(row.batchSize)"
        case "learning_rate": return Format.learningRatePlain(row.learningRate)
        default: return row.id
        }
    }

    /// Fig. 5 or Fig. 6: test accuracy per evaluation, relational and non-relational panels.
    static func accuracy(_ figure: PaperFigure, inputs: ReportInputs) -> PlotFigure {
        let rows = figure.rows.compactMap { inputs.paper.row($0) }
        // Planned, not reached: runs in flight at the paper's scale are drawn over its whole range.
        let lastEpoch = rows.flatMap { inputs.runs(of: $0.id) }.map(\.planned.spec.epochs).max() ?? 0
        let paperEpochs = Double(rows.map(\.epochs).max() ?? 20)
        func panel(_ type: String) -> PlotFigure.Panel {
            var series: [PlotFigure.Series] = []
            var marks: [PlotFigure.PaperMark] = []
            for row in rows {
                let color = color(of: row.id, in: inputs.paper)
                let runs = inputs.runs(of: row.id).filter(\.hasRun)
                for (index, run) in runs.enumerated() {
                    let title = name(of: row, varying: figure.varies) + (runs.count > 1 ? " (\(runs.count) seeds)" : "")
                    series.append(.init(
                        title: title, color: color, dash: index == 0 ? 1 : 3, pointType: 7 + 2 * (series.count % 3),
                        inLegend: index == 0,
                        points: run.metrics.map { ($0.epoch, type == "rel" ? $0.testAccuracy.rel : $0.testAccuracy.nonrel) }))
                }
                marks.append(.init(
                    value: type == "rel" ? row.relational : row.nonRelational, color: color,
                    name: shortName(of: row, varying: figure.varies), epoch: Double(row.epochs)))
            }
            return .init(
                title: type == "rel" ? "(a) 관계형 질문 relational" : "(b) 비관계형 질문 non-relational",
                yLabel: "테스트 정확도 test accuracy (%)", yRange: (0, 100), series: series, marks: marks)
        }
        return PlotFigure(
            panels: [panel("rel"), panel("nonrel")], xLabel: "에폭 epoch",
            marksAtPaperEpoch: PlotFigure.marksAtPaperEpoch(ourLastEpoch: lastEpoch, paperEpochs: paperEpochs))
    }

    /// Training loss per evaluation interval of every row.
    static func trainingLoss(inputs: ReportInputs) -> PlotFigure {
        func panel(_ type: String) -> PlotFigure.Panel {
            var series: [PlotFigure.Series] = []
            for row in inputs.paper.allRows {
                let runs = inputs.runs(of: row.id).filter(\.hasRun)
                for (index, run) in runs.enumerated() {
                    series.append(.init(
                        title: name(of: row, varying: ""), color: color(of: row.id, in: inputs.paper),
                        dash: index == 0 ? 1 : 3, pointType: 7, inLegend: index == 0,
                        points: run.metrics.map { ($0.epoch, type == "rel" ? $0.trainLoss.rel : $0.trainLoss.nonrel) }))
                }
            }
            return .init(
                title: type == "rel" ? "(a) 관계형 질문 relational" : "(b) 비관계형 질문 non-relational",
                yLabel: "학습 손실 training loss (nats)", yRange: nil, series: series)
        }
        return PlotFigure(panels: [panel("rel"), panel("nonrel")], xLabel: "에폭 epoch", marksAtPaperEpoch: false,
                          panelHeight: 175)
    }
}
