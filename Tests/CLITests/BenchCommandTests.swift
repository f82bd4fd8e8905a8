import Foundation
import Testing

/// `rnrepro bench kernels` keeps the contract of its lines: each kernel's best time, rate and
/// median time; then each product's share of the FMA peak measured in the same run, then one
/// machine-readable line.
@Suite struct BenchCommandTests {
    @Test func kernelsPrintTheirTimesThenTheSharesAndTheMachineReadableLine() throws {
        // Batch 1 (625 rows) and three rounds: the format, not the speed, is under test.
        let result = try CLI.run(["bench", "kernels", "--threads", "2", "--repeats", "3", "--batch", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        try #require(lines.count >= 2, "\(result.stdout)")

        // Every kernel's line: its best time and rate, then the median of its three times.
        let kernelLine = try Regex(#"(gemm|conv).* (\d+\.\d\d) ms  \d+\.\d GFLOP/s  \(median (\d+\.\d\d) ms\)"#)
        let kernels = lines.compactMap { $0.wholeMatch(of: kernelLine) }
        #expect(kernels.count == 3 + 8, "\(result.stdout)")
        // A GEMM's rate is its 2 M N K operations over its best time (printed to 0.01 ms).
        let gemmLine = try Regex(#"gemm .* (\d+)x(\d+)x(\d+) +(\d+\.\d\d) ms  (\d+\.\d) GFLOP/s .*"#)
        let gemms = lines.compactMap { $0.wholeMatch(of: gemmLine) }
        #expect(gemms.count == 3)
        for gemm in gemms {
            let values = gemm.output.dropFirst().map { Double($0.substring!)! }
            let operations = 2 * values[0] * values[1] * values[2]
            let (milliseconds, rate) = (values[3], values[4])
            #expect(operations / ((milliseconds + 0.005) * 1e6) - 0.05 <= rate && rate <= operations / ((milliseconds - 0.005) * 1e6) + 0.05,
                    "\(gemm.output[0].substring!)")
        }

        let number = #"(\d+\.\d)"#
        let last = try Regex(
            "gemm_fwd_gflops=\(number) gemm_dx_gflops=\(number) gemm_dw_gflops=\(number) peak_gflops=\(number)")
        let rates = try #require(lines[lines.count - 1].wholeMatch(of: last), "\(lines[lines.count - 1])")
            .output.dropFirst().map { Double($0.substring!)! }
        let peak = rates[3]
        #expect(peak > 0)

        let shareLine = try Regex("gemm share of the fma peak: forward \(number) %, dX \(number) %, dW \(number) %")
        let shares = try #require(lines[lines.count - 2].wholeMatch(of: shareLine), "\(lines[lines.count - 2])")
            .output.dropFirst().map { Double($0.substring!)! }
        // Each share is 100 x rate / peak, taken before rounding: it agrees with the printed
        // rate and peak (each within 0.05 GFLOP/s of the true one) to within that rounding.
        for (share, rate) in zip(shares, rates) {
            #expect(rate > 0)
            #expect(abs(share - 100 * rate / peak) <= 0.1 + 100 * 0.05 * (1 / peak + rate / (peak * peak)),
                    "share \(share) % against \(rate) / \(peak)")
        }
    }

    /// `bench train` says where a step's time goes, phase by phase, its shares adding up to the
    /// step, then its machine-readable line with the peak of the same run.
    @Test func trainPrintsWhereTheStepsTimeGoes() throws {
        let result = try CLI.run(["bench", "train", "--model", "rn", "--hidden", "16", "--batch", "4", "--steps", "2",
                                  "--threads", "1"])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n").map(String.init)
        let phaseLine = try Regex(#"  ([a-zA-Z0-9 ]+?) +(\d+\.\d\d) ms +(\d+\.\d) %.*"#)
        let phases = lines.compactMap { $0.wholeMatch(of: phaseLine) }.map { ($0.output[1].substring!, Double($0.output[3].substring!)!) }
        let names = phases.map { String($0.0) }
        for expected in ["conv stem forward", "g1 forward", "g2 forward", "g4 dW", "g2 dX", "pair sum forward",
                         "pair sum backward", "f forward", "f backward", "loss", "Adam", "conv stem backward", "everything else"] {
            #expect(names.contains(expected), "missing phase \(expected) in \(names)")
        }
        // Every phase of the step is counted once: the shares add up to the step.
        let total = phases.reduce(0) { $0 + $1.1 }
        #expect(abs(total - 100) <= 0.05 * Double(phases.count) + 0.1, "shares add up to \(total) %")
        let last = try Regex(#"train_samples_per_s=(\d+\.\d) effective_gflops=(\d+\.\d) peak_gflops=(\d+\.\d)"#)
        let rates = try #require(lines.last?.wholeMatch(of: last), "\(lines.last ?? "")").output.dropFirst().map { Double($0.substring!)! }
        #expect(rates.allSatisfy { $0 > 0 })
    }
}
