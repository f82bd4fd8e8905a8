import Foundation
import Testing
import _RNReproTestSupport

@testable import Artifacts
@testable import Report

/// Renders the fixture profile and checks the PDF with poppler's tools, as a reader would.
@Suite struct PDFReportTests {
    @Test func pageCountMatchesPdfinfo() throws {
        let (path, report) = try ReportFixture.shared.get()
        let info = try Tool.output("pdfinfo", [path])
        #expect(info.contains("Pages:") && info.contains(" \(report.pages)\n"))
        let pages = info.split(separator: "\n").first { $0.hasPrefix("Pages:") }.map { $0.split(separator: " ").last.map(String.init) ?? "" }
        #expect(pages == String(report.pages))
        #expect((5...9).contains(report.pages), "the fixture report has \(report.pages) pages")
        #expect(info.contains("595.276 x 841.89 pts (A4)"))
    }

    @Test func bothTablesShowThePapersValuesAndOurs() throws {
        let (path, _) = try ReportFixture.shared.get()
        // Whitespace normalised: lines wrap wherever the layout put them.
        let text = try ReportFixture.text(path).split(whereSeparator: \.isWhitespace).joined(separator: " ")
        for label in ["Table 1.", "Table 2.", "표 1.", "표 2.", "Fig. 5.", "Fig. 6.", "Fig. S1.", "Fig. S2."] {
            #expect(text.contains(label), "missing \(label)")
        }
        // Table cells come out one per line; compare whole words.
        let words = Set(text.split(whereSeparator: \.isWhitespace).map(String.init))
        // The paper's values (from paper/paper.json) ...
        for value in ["87~90", "71", "63", "99", "93", "100", "31", "15", "84", "88"] {
            #expect(words.contains(value), "missing paper value '\(value)'")
        }
        // ... and ours (the fixture's final metrics lines), with the two-seed row's spread.
        for value in ["71.3", "93.6", "33.1", "16.9", "52.7", "63.2", "66.0", "88.1", "49.8", "55.6", "(n=2)", "±"] {
            #expect(words.contains(value), "missing our value '\(value)'")
        }
        #expect(text.contains("reproduced") && text.contains("not reproduced"))
        #expect(text.contains("not the original paper"))
        #expect(text.contains("Improving the performance for Relation Networks using parameters tuning"))
    }

    @Test func embedsAKoreanFont() throws {
        let (path, _) = try ReportFixture.shared.get()
        let rows = try Tool.output("pdffonts", [path]).split(separator: "\n").dropFirst(2)
        #expect(rows.contains { $0.contains("NanumMyeongjo") })
        #expect(rows.contains { $0.contains("NanumGothic") })
        // Columns: name type encoding emb sub uni object ID; every font is embedded.
        for row in rows {
            let fields = row.split(separator: " ", omittingEmptySubsequences: true)
            #expect(fields.count >= 7 && fields[fields.count - 5] == "yes", "not embedded: \(row)")
        }
    }

    @Test func holdsNoRasterImage() throws {
        let (path, _) = try ReportFixture.shared.get()
        let list = try Tool.output("pdfimages", ["-list", path])
        // Two header lines and nothing else.
        #expect(list.split(separator: "\n").count == 2, "pdfimages lists images:\n\(list)")
    }

    @Test func twoRendersAreByteIdentical() throws {
        let (path, _) = try ReportFixture.shared.get()
        let directory = try ReportFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let second = directory.appendingPathComponent("again.pdf").path
        _ = try PDFReport.render(ReportFixture.request(out: second))
        let a = try Data(contentsOf: URL(fileURLWithPath: path))
        let b = try Data(contentsOf: URL(fileURLWithPath: second))
        #expect(a == b)
        // The date comes from the newest manifest, not the clock.
        let info = try Tool.output("pdfinfo", ["-isodates", second])
        #expect(info.contains("2026-03-02T16:16:00"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["again.pdf"])
    }

    @Test func aRunNotStartedShowsAsNotRun() throws {
        let runs = try ReportFixture.copyOfRuns()
        defer { try? FileManager.default.removeItem(at: runs.deletingLastPathComponent()) }
        let profile = runs.appendingPathComponent(ReportFixture.profile)
        let victim = try FileManager.default.contentsOfDirectory(atPath: profile.path).first { $0.hasPrefix("rn-b128-lr1e-3-") }!
        try FileManager.default.removeItem(at: profile.appendingPathComponent(victim))
        try FileManager.default.removeItem(at: profile.appendingPathComponent("samples.json"))
        let out = runs.deletingLastPathComponent().appendingPathComponent("partial.pdf").path
        let report = try PDFReport.render(ReportFixture.request(out: out, runsDirectory: runs.path))
        let text = try ReportFixture.text(out).split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("not run"))
        #expect(text.contains("No sample images"))
        #expect(report.pages >= 5)
    }

    /// A run that has begun (its spec.json is written) but not evaluated yet is in flight, not
    /// "not run".
    @Test func aRunStartedButNotEvaluatedShowsAsInFlight() throws {
        let runs = try ReportFixture.copyOfRuns()
        defer { try? FileManager.default.removeItem(at: runs.deletingLastPathComponent()) }
        let profile = runs.appendingPathComponent(ReportFixture.profile)
        let victim = try FileManager.default.contentsOfDirectory(atPath: profile.path).first { $0.hasPrefix("rn-b128-lr1e-3-") }!
        for name in ["metrics.jsonl", "manifest.json", "timings.jsonl"] {
            try FileManager.default.removeItem(at: profile.appendingPathComponent(victim).appendingPathComponent(name))
        }
        let out = runs.deletingLastPathComponent().appendingPathComponent("started.pdf").path
        try PDFReport.render(ReportFixture.request(out: out, runsDirectory: runs.path))
        let text = try ReportFixture.text(out).split(whereSeparator: \.isWhitespace).joined(separator: " ")
        #expect(text.contains("rel 88 - (epoch 0 of 1) - pending"))
        #expect(text.contains("2 pending (runs in flight) and 0 not run"))
    }
}

/// Each missing prerequisite stops the report with one line naming it.
@Suite struct ReportErrorTests {
    @Test func missingGnuplotIsNamed() throws {
        let directory = try ReportFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let out = directory.appendingPathComponent("r.pdf").path
        #expect {
            try PDFReport.render(ReportFixture.request(out: out, searchPath: "/nonexistent/bin:/also/missing"))
        } throws: { error in
            "\(error)".contains("gnuplot not found") && "\(error)".contains("install gnuplot-nox")
        }
        #expect {
            try PDFReport.render(ReportFixture.request(out: out, gnuplotPath: "/nonexistent/gnuplot"))
        } throws: { error in "\(error)".hasPrefix("gnuplot not found (searched /nonexistent/gnuplot)") }
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func missingMetricsAreNamed() throws {
        let runs = try ReportFixture.copyOfRuns()
        defer { try? FileManager.default.removeItem(at: runs.deletingLastPathComponent()) }
        let profile = runs.appendingPathComponent(ReportFixture.profile)
        for name in try FileManager.default.contentsOfDirectory(atPath: profile.path) where !name.hasSuffix(".json") {
            try FileManager.default.removeItem(at: profile.appendingPathComponent(name))
        }
        let out = runs.deletingLastPathComponent().appendingPathComponent("r.pdf").path
        #expect {
            try PDFReport.render(ReportFixture.request(out: out, runsDirectory: runs.path))
        } throws: { error in
            let text = "\(error)"
            return text.contains("no metrics.jsonl in any of the 7 planned runs of profile fixture")
                && text.contains("rnrepro reproduce --profile fixture")
        }
        #expect(!FileManager.default.fileExists(atPath: out))
    }

    @Test func missingPlanIsNamed() throws {
        let directory = try ReportFixture.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        #expect {
            try PDFReport.render(ReportFixture.request(out: directory.appendingPathComponent("r.pdf").path, runsDirectory: directory.path))
        } throws: { error in
            "\(error)" == "\(directory.path)/fixture/plan.json: no such file; run rnrepro reproduce --profile fixture first"
        }
    }

    @Test func corruptMetricsNameTheFileAndLine() throws {
        let runs = try ReportFixture.copyOfRuns()
        defer { try? FileManager.default.removeItem(at: runs.deletingLastPathComponent()) }
        let profile = runs.appendingPathComponent(ReportFixture.profile)
        let run = try FileManager.default.contentsOfDirectory(atPath: profile.path).first { $0.hasPrefix("rn-b64-lr1e-3-") }!
        let metrics = profile.appendingPathComponent(run).appendingPathComponent("metrics.jsonl")
        try Data("{\"epoch\": 0.2}\n".utf8).write(to: metrics)
        #expect {
            try PDFReport.render(ReportFixture.request(out: runs.deletingLastPathComponent().appendingPathComponent("r.pdf").path, runsDirectory: runs.path))
        } throws: { error in "\(error)".hasPrefix(metrics.path + ": line 1: invalid MetricsLine") }
    }
}
