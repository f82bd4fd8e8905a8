import ArgumentParser
import Foundation
import Experiments
import Report
import _RNReproSupport

/// `rnrepro report`: the reproduction report as a PDF in the paper's layout.
struct ReportCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Render a profile's results as a PDF laid out like the paper.",
        discussion: """
            Reads runs/<profile>/plan.json (results/paper/plan.json for the paper profile), every \
            run's metrics.jsonl and manifest.json, its samples.json and golden/<profile>.json (the last two optional) and the \
            paper's facts; draws the figures with gnuplot (SVG through a pipe) and the pages with \
            cairo, pango and librsvg. Runs not started yet show as "not run". The same inputs give \
            a byte-identical PDF; its dates come from SOURCE_DATE_EPOCH when set, else from the \
            newest run manifest. Needs gnuplot and the Nanum fonts (make deps).
            """
    )

    @Option(help: "The profile to report: smoke, quick or paper.")
    var profile: Profile

    @Option(help: "Path of the PDF to write (default: reports/<profile>.pdf).")
    var out: String?

    @Option(help: "Directory holding the profile's folder (default: results for the paper profile, runs for the others).")
    var runsDir: String?

    @Option(help: "The paper's facts.")
    var paper = "paper/paper.json"

    @Option(help: "Directory holding the golden files.")
    var goldenDir = "golden"

    @Option(help: "The gnuplot executable (default: gnuplot on PATH).")
    var gnuplot: String?

    func validate() throws {
        if let out {
            guard out.hasSuffix(".pdf") else { throw ValidationError("--out must name a .pdf file (got '\(out)')") }
            try OutputPath.checkFile(out, option: "--out")
        }
    }

    /// The folder that holds the profile's own: its root without the last component.
    var defaultRunsDirectory: String {
        (profile.root as NSString).deletingLastPathComponent
    }

    func run() throws {
        let report = try PDFReport.render(ReportRequest(
            profile: profile.rawValue, runsDirectory: runsDir ?? defaultRunsDirectory, paperPath: paper, goldenDirectory: goldenDir,
            outputPath: out, gnuplotPath: gnuplot))
        print("wrote \(report.path) (\(report.pages) pages)")
    }
}
