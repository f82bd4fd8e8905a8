import Foundation
import Testing

/// The data set verbs, run as a user runs them.
@Suite struct DatasetCommandTests {
    @Test func generateIsReproducibleAndPrintsItsHash() throws {
        let directory = try CLI.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        var hashes: [String] = []
        for (run, threads) in [(0, "1"), (1, "2")] {
            let path = directory.appendingPathComponent("run\(run)-set.bin").path
            let result = try CLI.run(["generate", "--seed", "11", "--train", "120", "--test", "30", "--out", path, "--threads", threads])
            #expect(result.status == 0, "\(result.stderr)")
            #expect(result.stdout.contains("rel count"))
            #expect(result.stdout.contains("closest quirk decided"))
            let hashLine = result.stdout.split(separator: "\n").last { $0.hasPrefix("sha256=") }
            hashes.append(String(hashLine ?? ""))
        }
        #expect(hashes[0].count == "sha256=".count + 64)
        #expect(hashes[0] == hashes[1])
    }

    /// The answers and pixels agree with tools/verify_sort_of_clevr.py, a second implementation
    /// of docs/spec.md section 2 written in Python; a tampered export makes that checker fail.
    @Test(arguments: [false, true])
    func exportAgreesWithIndependentImplementation(exactClosest: Bool) throws {
        let directory = try CLI.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("set.bin").path
        let generate = try CLI.run(["generate", "--seed", "3", "--train", "150", "--test", "50", "--out", path]
                                   + (exactClosest ? ["--exact-closest"] : []))
        #expect(generate.status == 0, "\(generate.stderr)")

        let export = try CLI.run(["dataset", "export-jsonl", path])
        #expect(export.status == 0, "\(export.stderr)")
        let lines = export.stdout.split(separator: "\n")
        #expect(lines.count == 200)
        #expect(lines.first?.hasPrefix("{\"split\":\"test\",\"index\":0,") == true)
        #expect(lines.last?.hasPrefix("{\"split\":\"train\",\"index\":149,") == true)

        let withPixels = try CLI.run(["dataset", "export-jsonl", path, "--pixels", "--limit", "60"])
        #expect(withPixels.stdout.split(separator: "\n").count == 60)

        let verifier = CLI.packageRoot.appendingPathComponent("tools/verify_sort_of_clevr.py").path
        let flags = exactClosest ? ["--exact-closest"] : []
        for (name, text) in [("answers.jsonl", export.stdout), ("pixels.jsonl", withPixels.stdout)] {
            let file = directory.appendingPathComponent(name)
            try text.write(to: file, atomically: true, encoding: .utf8)
            let check = try CLI.run(executable: "/usr/bin/env", ["python3", verifier, file.path] + flags)
            #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        }

        // The checker is not a rubber stamp: one changed answer, one changed pixel, the other
        // closest rule, each fail.
        var tampered = export.stdout
        let answerRange = tampered.range(of: "\"answer\":")!
        let digit = tampered[answerRange.upperBound]
        tampered.replaceSubrange(answerRange.upperBound...answerRange.upperBound, with: digit == "9" ? "8" : "9")
        var pixels = withPixels.stdout
        pixels.replaceSubrange(pixels.range(of: "[255,255,255]")!, with: "[255,255,254]")
        for (name, text, extra) in [("a.jsonl", tampered, flags), ("p.jsonl", pixels, flags),
                                    ("r.jsonl", export.stdout, exactClosest ? [] : ["--exact-closest"])] {
            let file = directory.appendingPathComponent(name)
            try text.write(to: file, atomically: true, encoding: .utf8)
            let check = try CLI.run(executable: "/usr/bin/env", ["python3", verifier, file.path] + extra)
            #expect(check.status == 1, "\(name): \(check.stdout)")
        }
    }

    @Test func showWritesAReadablePNG() throws {
        let directory = try CLI.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let path = directory.appendingPathComponent("set.bin").path
        _ = try CLI.run(["generate", "--seed", "1", "--train", "10", "--test", "5", "--out", path])
        let png = directory.appendingPathComponent("x.png").path
        let result = try CLI.run(["dataset", "show", path, "--index", "4", "--split", "test", "--out", png])
        #expect(result.status == 0, "\(result.stderr)")
        let data = try Data(contentsOf: URL(fileURLWithPath: png))
        #expect(data.prefix(8) == Data([0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A]))
        // IHDR: width and height, big-endian, at bytes 16..<24. The image alone is 375 px.
        let width = data[16..<20].reduce(0) { $0 << 8 | Int($1) }
        let height = data[20..<24].reduce(0) { $0 << 8 | Int($1) }
        #expect(width > 375 + 400 && height >= 375)
    }
}
