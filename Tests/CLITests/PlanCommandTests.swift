import Foundation
import Testing

/// `rnrepro plan` prints job scripts that a shell or Slurm accepts.
@Suite struct PlanCommandTests {
    @Test(arguments: ["shell", "slurm"])
    func scriptsAreValidBash(format: String) throws {
        let result = try CLI.run(executable: CLI.executable.path, ["plan", "--profile", "paper", "--format", format],
                                 currentDirectory: CLI.packageRoot)
        #expect(result.status == 0, "\(result.stderr)")
        let directory = try CLI.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let script = directory.appendingPathComponent("plan.sh")
        try result.stdout.write(to: script, atomically: true, encoding: .utf8)
        let syntax = try CLI.run(executable: "/bin/bash", ["-n", script.path])
        #expect(syntax.status == 0, "\(syntax.stderr)")
        let jobs = result.stdout.split(separator: "\n").filter { $0.contains("rnrepro reproduce --profile paper --only") }
        if format == "slurm" {
            #expect(result.stdout.hasPrefix("#!/bin/bash\n"))
            #expect(result.stdout.contains("#SBATCH --array=0-6"))
            #expect(result.stdout.contains("RUNS=(rn-b64-lr1e-4-r1 rn-b64-lr1e-4-r2 cnn-mlp-b64-lr1e-4-r1 "))
            #expect(jobs.count == 1)
            for line in ["#SBATCH --time=12:00:00", "#SBATCH --requeue", "#SBATCH --signal=B:USR1@300", "trap requeue USR1",
                         "    scancel --signal=TERM \"$SLURM_JOB_ID\"", "scontrol requeue \"$TASK\""] {
                #expect(result.stdout.contains(line + "\n"), "missing: \(line)")
            }
        } else {
            #expect(jobs.count == 7)
        }
    }

    @Test func timeLimitAndWarningAreOptions() throws {
        let result = try CLI.run(executable: CLI.executable.path,
                                 ["plan", "--profile", "smoke", "--format", "slurm", "--time-limit", "1-00:00:00", "--warning", "90"],
                                 currentDirectory: CLI.packageRoot)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("#SBATCH --time=1-00:00:00\n"))
        #expect(result.stdout.contains("#SBATCH --signal=B:USR1@90\n"))
        let bad = try CLI.run(executable: CLI.executable.path, ["plan", "--format", "slurm", "--time-limit", "soon"],
                              currentDirectory: CLI.packageRoot)
        #expect(bad.status != 0)
        #expect(bad.stderr.contains("--time-limit must be a Slurm time"))
    }

    @Test func unknownProfileIsRefused() throws {
        let result = try CLI.run(["plan", "--profile", "huge"])
        #expect(result.status != 0)
        #expect(result.stderr == "rnrepro: error: The value 'huge' is invalid for '--profile <profile>'. Please provide one of 'smoke', 'quick' or 'paper'.\n")
    }
}
