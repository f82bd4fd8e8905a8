import Foundation
import Testing
import _RNReproTestSupport

@testable import Report

/// The fixture profile under Fixtures/ (made by Fixtures/make_fixture.py) and tools to look
/// inside the PDFs rendered from it.
enum ReportFixture {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
    static let profile = "fixture"
    static var runsDirectory: String { fixtures.appendingPathComponent("runs").path }
    static var goldenDirectory: String { fixtures.appendingPathComponent("golden").path }
    static var paperPath: String { packageRoot.appendingPathComponent("paper/paper.json").path }

    /// A fresh temporary directory.
    static func temporaryDirectory() throws -> URL { try Scratch.directory("report") }

    static func request(out: String, runsDirectory: String = runsDirectory, searchPath: String? = nil,
                        gnuplotPath: String? = nil) -> ReportRequest {
        ReportRequest(profile: profile, runsDirectory: runsDirectory, paperPath: paperPath,
                      goldenDirectory: goldenDirectory, outputPath: out, gnuplotPath: gnuplotPath,
                      searchPath: searchPath, sourceDateEpoch: nil)
    }

    /// The fixture rendered once and shared by the tests that only read it (left in
    /// $TMPDIR/rnrepro-report-tests/fixture.pdf for a look).
    static let shared: Result<(path: String, report: RenderedReport), Error> = Result {
        // A fixed place, replaced on every run, so it can be opened after the tests.
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("rnrepro-report-tests/fixture.pdf").path
        return (path, try PDFReport.render(request(out: path)))
    }

    /// Copies the fixture's runs to a temporary directory, for tests that change them.
    static func copyOfRuns() throws -> URL {
        let directory = try temporaryDirectory()
        try FileManager.default.copyItem(at: fixtures.appendingPathComponent("runs"), to: directory.appendingPathComponent("runs"))
        return directory.appendingPathComponent("runs")
    }

    static func text(_ pdf: String) throws -> String { try Tool.output("pdftotext", [pdf, "-"]) }
}
