import Artifacts
import CCairo
import Foundation
import _RNReproSupport

/// What to render and from where. Paths are relative to the current directory.
public struct ReportRequest: Sendable {
    public var profile: String
    public var runsDirectory: String
    public var paperPath: String
    public var goldenDirectory: String
    /// Default: `reports/<profile>.pdf`.
    public var outputPath: String
    /// The gnuplot executable; nil: the first `gnuplot` on `searchPath`.
    public var gnuplotPath: String?
    /// A PATH-style list to find gnuplot in; nil: the process's PATH.
    public var searchPath: String?
    /// Seconds since 1970 for the PDF's dates (reproducible builds); nil: derived from the inputs.
    public var sourceDateEpoch: String?

    public init(
        profile: String, runsDirectory: String = "runs", paperPath: String = "paper/paper.json",
        goldenDirectory: String = "golden", outputPath: String? = nil, gnuplotPath: String? = nil,
        searchPath: String? = nil,
        sourceDateEpoch: String? = ProcessInfo.processInfo.environment["SOURCE_DATE_EPOCH"]
    ) {
        self.profile = profile
        self.runsDirectory = runsDirectory
        self.paperPath = paperPath
        self.goldenDirectory = goldenDirectory
        self.outputPath = outputPath ?? "reports/\(profile).pdf"
        self.gnuplotPath = gnuplotPath
        self.searchPath = searchPath
        self.sourceDateEpoch = sourceDateEpoch
    }
}

/// A written report.
public struct RenderedReport: Sendable, Equatable {
    public let path: String
    public let pages: Int
}

/// The reproduction report: an A4 PDF in the paper's layout, from a profile's artifacts.
public enum PDFReport {
    /// Reads the artifacts, draws the figures with gnuplot and writes the PDF atomically.
    public static func render(_ request: ReportRequest) throws -> RenderedReport {
        let inputs = try ReportInputs.load(
            profile: request.profile, runsDirectory: request.runsDirectory, paperPath: request.paperPath,
            goldenDirectory: request.goldenDirectory)
        let gnuplot = try Gnuplot.locate(explicitPath: request.gnuplotPath, searchPath: request.searchPath)
        try Fonts.check()

        // Every figure is drawn before the PDF is opened, so a gnuplot failure leaves nothing behind.
        var svgs: [String: Data] = [:]
        for figure in inputs.paper.figures {
            svgs[figure.id] = try gnuplot.run(Figures.accuracy(figure, inputs: inputs).script)
        }
        svgs["loss"] = try gnuplot.run(Figures.trainingLoss(inputs: inputs).script)

        let date = inputs.documentDate(sourceDateEpoch: request.sourceDateEpoch)
        let pages = try AtomicFile.write(to: request.outputPath) { temporary -> Int in
            guard let surface = cairo_pdf_surface_create(temporary, PageComposer.pageWidth, PageComposer.pageHeight),
                cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS
            else {
                throw FileError(path: request.outputPath, reason: "cannot create a PDF surface")
            }
            defer { cairo_surface_destroy(surface) }
            // cairo wants "YYYY-MM-DDThh:mm:ss" plus an optional zone.
            let pdfDate = String(date.prefix(19))
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATE_DATE, pdfDate)
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_MOD_DATE, pdfDate)
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_TITLE,
                                           "Reproduction report (\(inputs.profile)): \(inputs.paper.citation.title)")
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_AUTHOR, "RNRepro")
            cairo_pdf_surface_set_metadata(surface, CAIRO_PDF_METADATA_CREATOR, "rnrepro report")

            let composer = PageComposer(
                surface: surface,
                header: "RNRepro 재현 보고서 · reproduction report · profile \(escape(inputs.profile))   —   not the original paper")
            let document = ReportDocument(inputs: inputs, svgs: svgs, date: date, composer: composer)
            try document.compose()
            composer.finish()
            let count = composer.pageCount
            cairo_surface_finish(surface)
            let status = cairo_surface_status(surface)
            guard status == CAIRO_STATUS_SUCCESS else {
                throw FileError(path: request.outputPath, reason: "cannot write PDF: \(String(cString: cairo_status_to_string(status)))")
            }
            return count
        }
        return RenderedReport(path: request.outputPath, pages: pages)
    }
}
