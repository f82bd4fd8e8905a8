import Foundation
import Testing

/// `export-step` agrees with tools/torch_check_step.py, an independent PyTorch implementation
/// of docs/spec.md section 3's models; a damaged gradient makes that check fail.
@Suite struct ExportStepTests {
    @Test(arguments: [("rn", 4, "64"), ("cnn-mlp", 32, "256")])
    func agreesWithPyTorch(model: String, batch: Int, hidden: String) throws {
        let directory = try CLI.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("set.bin").path
        #expect(try CLI.run(["generate", "--seed", "2", "--train", "40", "--test", "10", "--out", data]).status == 0)
        let step = directory.appendingPathComponent("step").path
        let export = try CLI.run(["export-step", "--model", model, "--batch", "\(batch)", "--hidden", hidden,
                                  "--seed", "3", "--lr", "1e-3", "--data", data, "--out", step])
        #expect(export.status == 0, "\(export.stderr)")

        let checker = CLI.packageRoot.appendingPathComponent("tools/torch_check_step.py").path
        let check = try CLI.run(executable: "/usr/bin/env", ["python3", checker, step, "--model", model, "--lr", "1e-3"])
        #expect(check.status == 0, "\(check.stdout)\(check.stderr)")
        #expect(check.stdout.contains("ok: "))

        // Damage one gradient element by 1 %: the check must notice.
        let gradient = step + "/grads/f2.weight.npy"
        var bytes = try Data(contentsOf: URL(fileURLWithPath: gradient))
        let headerLength = Int(bytes[8]) | Int(bytes[9]) << 8
        let offset = 10 + headerLength
        var value = bytes[offset..<(offset + 4)].withUnsafeBytes { $0.loadUnaligned(as: Float.self) }
        let largest = stride(from: offset, to: bytes.count, by: 4).map { start in
            abs(bytes[start..<(start + 4)].withUnsafeBytes { $0.loadUnaligned(as: Float.self) })
        }.max()!
        value += 0.01 * largest
        withUnsafeBytes(of: value) { bytes.replaceSubrange(offset..<(offset + 4), with: $0) }
        try bytes.write(to: URL(fileURLWithPath: gradient))
        let damaged = try CLI.run(executable: "/usr/bin/env", ["python3", checker, step, "--model", model, "--lr", "1e-3"])
        #expect(damaged.status == 1)
        #expect(damaged.stdout.contains("FAIL grads/f2.weight"))
    }
}
