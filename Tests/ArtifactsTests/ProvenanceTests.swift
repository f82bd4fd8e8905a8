import Foundation
import Testing
import _RNReproTestSupport

@testable import Artifacts

/// The commit a run's provenance names: "-dirty" means the code differs from the commit, and
/// results/, the program's own tracked output (the paper campaign's runs), is not code.
@Suite struct ProvenanceTests {
    @discardableResult
    func git(_ arguments: [String], in directory: String) throws -> String {
        try Tool.output("git", ["-c", "user.name=test", "-c", "user.email=test@example.org"] + arguments, in: directory)
            .trimmingCharacters(in: .whitespacesAndNewlines)
    }

    func write(_ text: String, to path: String) throws {
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
    }

    @Test func dirtyMeansCodeNotResults() throws {
        let checkout = try Scratch.path("provenance")
        try git(["init", "-q"], in: checkout)
        try write("let a = 1\n", to: checkout + "/Sources/a.swift")
        try write("{}\n", to: checkout + "/results/paper/run/metrics.jsonl")
        try git(["add", "."], in: checkout)
        try git(["commit", "-q", "-m", "first"], in: checkout)
        let head = try git(["rev-parse", "HEAD"], in: checkout)
        #expect(Provenance.gitCommit(in: checkout) == head)

        // A campaign's sitting changes its run files: the code is still the commit's.
        try write("{}\n{}\n", to: checkout + "/results/paper/run/metrics.jsonl")
        #expect(Provenance.gitCommit(in: checkout) == head)
        // Asked from a subdirectory, results/ is still the checkout's top-level one.
        #expect(Provenance.gitCommit(in: checkout + "/Sources") == head)

        // An edit to code is not.
        try write("let a = 2\n", to: checkout + "/Sources/a.swift")
        #expect(Provenance.gitCommit(in: checkout) == head + "-dirty")
        #expect(Provenance.gitCommit(in: checkout + "/results/paper") == head + "-dirty")

        // Outside a checkout there is no commit to name.
        #expect(Provenance.gitCommit(in: try Scratch.path("provenance-none")) == "unknown")
    }
}
