import Foundation
import Testing

/// Bad input gets one clear line on stderr, a non-zero exit, and leaves no file behind.
@Suite struct BadInputTests {
    /// Runs `arguments` in a fresh directory and checks the failure's shape.
    func expectFailure(_ arguments: (URL) -> [String], mentioning fragment: String,
                       prepare: (URL) throws -> Void = { _ in }) throws {
        let directory = try CLI.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        try prepare(directory)
        let before = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        let result = try CLI.run(arguments(directory))
        #expect(result.status != 0)
        let lines = result.stderr.split(separator: "\n")
        #expect(lines.count == 1, "stderr: \(result.stderr)")
        #expect(lines.first?.hasPrefix("rnrepro: error: ") == true, "stderr: \(result.stderr)")
        #expect(result.stderr.contains(fragment), "stderr: \(result.stderr)")
        let after = try FileManager.default.contentsOfDirectory(atPath: directory.path).sorted()
        #expect(after == before, "files left behind")
    }

    @Test func unknownFlag() throws {
        try expectFailure({ ["generate", "--seed", "1", "--train", "5", "--test", "5", "--bogus", "--out", $0.path + "/x.bin"] },
                          mentioning: "--bogus")
    }

    @Test func negativeCount() throws {
        try expectFailure({ ["generate", "--seed", "1", "--train=-5", "--test", "5", "--out", $0.path + "/x.bin"] },
                          mentioning: "--train must be at least 1")
        try expectFailure({ ["dataset", "export-jsonl", $0.path + "/x.bin", "--limit=-1"] }, mentioning: "--limit")
        try expectFailure({ ["generate", "--seed", "1", "--train", "5", "--test", "5", "--threads", "0", "--out", $0.path + "/x.bin"] },
                          mentioning: "--threads")
        try expectFailure({ _ in ["bench", "kernels", "--repeats", "0"] }, mentioning: "--repeats must be at least 1")
    }

    @Test func unwritablePath() throws {
        // The parent "directory" is a regular file, so nothing can be created under it.
        try expectFailure({ ["generate", "--seed", "1", "--train", "5", "--test", "5", "--out", $0.path + "/file/x.bin"] },
                          mentioning: "/file/x.bin",
                          prepare: { try Data("not a directory".utf8).write(to: $0.appendingPathComponent("file")) })
        try expectFailure({ _ in ["generate", "--seed", "1", "--train", "5", "--test", "5", "--out", "/proc/rnrepro-x.bin"] },
                          mentioning: "/proc/rnrepro-x.bin")
    }

    @Test func corruptFile() throws {
        func prepare(_ directory: URL) throws {
            let path = directory.appendingPathComponent("set.bin").path
            let result = try CLI.run(["generate", "--seed", "1", "--train", "4", "--test", "2", "--out", path])
            #expect(result.status == 0)
            var data = try Data(contentsOf: URL(fileURLWithPath: path))
            data[200] ^= 0xFF
            try data.write(to: URL(fileURLWithPath: path))
        }
        try expectFailure({ ["dataset", "export-jsonl", $0.path + "/set.bin"] }, mentioning: "set.bin: corrupt", prepare: prepare)
        try expectFailure({ ["dataset", "show", $0.path + "/set.bin", "--index", "0", "--out", $0.path + "/x.png"] },
                          mentioning: "set.bin: corrupt", prepare: prepare)
        try expectFailure({ ["dataset", "export-jsonl", $0.path + "/missing.bin"] }, mentioning: "missing.bin: no such file")
    }

    @Test func outOfRangeIndexAndBadSplit() throws {
        func prepare(_ directory: URL) throws {
            _ = try CLI.run(["generate", "--seed", "1", "--train", "4", "--test", "2", "--out", directory.path + "/set.bin"])
        }
        try expectFailure({ ["dataset", "show", $0.path + "/set.bin", "--index", "4", "--out", $0.path + "/x.png"] },
                          mentioning: "out of range", prepare: prepare)
        try expectFailure({ ["dataset", "show", $0.path + "/set.bin", "--index", "0", "--split", "valid", "--out", $0.path + "/x.png"] },
                          mentioning: "--split", prepare: prepare)
    }

    @Test func badThreadEnvironment() throws {
        let directory = try CLI.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let result = try CLI.run(["generate", "--seed", "1", "--train", "4", "--test", "2", "--out", directory.path + "/x.bin"],
                                 environment: ["RNREPRO_THREADS": "many"])
        #expect(result.status != 0)
        #expect(result.stderr == "rnrepro: error: RNREPRO_THREADS=many is not a positive integer\n")
    }
}
