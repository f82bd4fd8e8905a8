import Foundation
import Testing

/// What a hostile (or unlucky) user does: full disks, closed pipes, device nodes, links and empty
/// paths as outputs, settings that make no run. Each is one line on stderr and a non-zero exit,
/// never a crash, a write outside the path given, or a silent success.
extension BadInputTests {
    /// Runs `rnrepro arguments` through bash with `redirect` appended (e.g. "> /dev/full").
    func shell(_ arguments: [String], _ redirect: String, prelude: String = "") throws -> CLI.Result {
        let quoted = ([CLI.executable.path] + arguments).map { "'\($0)'" }.joined(separator: " ")
        return try CLI.run(executable: "/bin/bash", ["-c", "\(prelude)\(quoted) \(redirect)"])
    }

    @Test func standardOutputOnAFullDisk() throws {
        let directory = try CLI.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.path + "/set.bin"
        for arguments in [["generate", "--seed", "1", "--train", "4", "--test", "2", "--out", data],
                          ["dataset", "export-jsonl", data]] {
            let result = try shell(arguments, "> /dev/full")
            #expect(result.status == 1, "\(arguments[0]): \(result.stderr)")
            #expect(result.stderr == "rnrepro: error: cannot write standard output: No space left on device\n")
        }
        // A training run's report too.
        let run = try shell(["train", "--data", data, "--hidden", "8", "--epochs", "1", "--batch", "8", "--out", directory.path + "/run"],
                            "> /dev/full")
        #expect(run.status == 1)
        #expect(run.stderr.hasSuffix("rnrepro: error: cannot write standard output: No space left on device\n"))
    }

    @Test func aClosedPipeEndsQuietly() throws {
        let directory = try CLI.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.path + "/set.bin"
        #expect(try CLI.run(["generate", "--seed", "1", "--train", "50", "--test", "2", "--out", data]).status == 0)
        // SIGPIPE ignored (as some shells and runtimes leave it): EPIPE, then 141, and no word.
        let result = try shell(["dataset", "export-jsonl", data], "2>&1 | head -c 10 > /dev/null; exit ${PIPESTATUS[0]}",
                               prelude: "trap '' PIPE; ")
        #expect(result.status == 141)
        #expect(result.stdout.isEmpty && result.stderr.isEmpty)
    }

    @Test func outputsThatAreNotPlainFiles() throws {
        let directory = try CLI.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let fifo = directory.path + "/fifo"
        #expect(mkfifo(fifo, 0o644) == 0)
        let dangling = directory.path + "/dangling"
        try FileManager.default.createSymbolicLink(atPath: dangling, withDestinationPath: directory.path + "/nowhere")
        let generate = ["generate", "--seed", "1", "--train", "4", "--test", "2", "--out"]
        try expectFailure({ _ in generate + [fifo] }, mentioning: "is not a regular file")
        try expectFailure({ _ in generate + [dangling] }, mentioning: "is a symbolic link")
        try expectFailure({ _ in generate + [directory.path] }, mentioning: "is a directory")
        try expectFailure({ _ in generate + [directory.path + "/missing/x.bin"] }, mentioning: "directory \(directory.path)/missing does not exist")
        try expectFailure({ _ in generate + [""] }, mentioning: "--out: is empty")
        var info = stat()
        #expect(lstat(fifo, &info) == 0 && info.st_mode & S_IFMT == S_IFIFO)
        #expect(try FileManager.default.destinationOfSymbolicLink(atPath: dangling) == directory.path + "/nowhere")

        let data = directory.path + "/set.bin"
        #expect(try CLI.run(generate + [data]).status == 0)
        let rootHadSpec = FileManager.default.fileExists(atPath: "/spec.json")
        for command in ["train", "export-step"] {
            try expectFailure({ _ in [command, "--data", data, "--out", ""] }, mentioning: "--out: is empty")
            try expectFailure({ _ in [command, "--data", data, "--out", fifo] }, mentioning: "is not a directory")
        }
        #expect(FileManager.default.fileExists(atPath: "/spec.json") == rootHadSpec)
        try expectFailure({ _ in ["dataset", "export-jsonl", "/dev/null"] }, mentioning: "/dev/null: is not a regular file")
    }

    @Test func settingsThatMakeNoRun() throws {
        let directory = try CLI.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.path + "/set.bin"
        #expect(try CLI.run(["generate", "--seed", "1", "--train", "4", "--test", "2", "--out", data]).status == 0)
        let run = directory.path + "/run"
        try expectFailure({ _ in ["train", "--data", data, "--batch", "8", "--epochs", "0.01", "--out", run] }, mentioning: "no step at all")
        try expectFailure({ _ in ["train", "--data", data, "--lr", "-1", "--out", run] }, mentioning: "--lr must be a positive number")
        try expectFailure({ _ in ["train", "--data", data, "--lr", "1e39", "--out", run] }, mentioning: "--lr must be a positive number")
        try expectFailure({ _ in ["train", "--data", data, "--epochs", "-2", "--out", run] }, mentioning: "--epochs must be positive")
        #expect(!FileManager.default.fileExists(atPath: run))
    }

    /// `reproduce --only` with a run the plan does not have is refused before the data set is
    /// generated or plan.json written.
    @Test func unknownRunIsRefusedBeforeAnyWork() throws {
        let directory = try CLI.scratchCheckout(["paper/paper.json"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLI.run(executable: CLI.executable.path, ["reproduce", "--profile", "smoke", "--only", "no-such-run"],
                                 currentDirectory: directory)
        #expect(result.status != 0)
        #expect(result.stderr.hasPrefix("rnrepro: error: --only no-such-run: no such run in the smoke plan"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["paper"])
    }
}
