import Foundation
import Testing

/// The paper campaign's safety, as a user meets it: runs killed without warning between two
/// clock checkpoints resume to the bytes of an uninterrupted run; the campaign starts in the
/// background, refuses a second start, stops with a checkpoint and recognises a stale lock; a
/// save commits results/paper alone.
@Suite(.serialized) struct CampaignTests {
    /// Polls `condition` every 20 ms for up to `seconds`.
    func wait(seconds: Double, until condition: () -> Bool) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if condition() { return true }
            usleep(20_000)
        }
        return condition()
    }

    /// The format version of the checkpoint at `path` (2: taken between two evaluations).
    func checkpointVersion(_ path: String) -> UInt8? {
        guard let data = FileManager.default.contents(atPath: path), data.count > 8 else { return nil }
        return data[8]
    }

    @Test func killedBetweenClockCheckpointsResumesBitIdentical() throws {
        let directory = try CLI.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("set.bin").path
        #expect(try CLI.run(["generate", "--seed", "3", "--train", "60", "--test", "10", "--out", data]).status == 0)
        // 600 questions per type at batch 16: 37 pairs of steps per epoch; evaluations every
        // 2 epochs leave long stretches where only the clock (0.3 s) saves.
        let arguments = ["train", "--data", data, "--model", "rn", "--hidden", "32", "--batch", "16", "--epochs", "8",
                         "--eval-every", "2", "--threads", "1"]
        let straight = directory.appendingPathComponent("straight").path
        #expect(try CLI.run(arguments + ["--out", straight]).status == 0)

        let killed = directory.appendingPathComponent("killed").path
        let checkpoint = killed + "/checkpoint.bin"
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = arguments + ["--out", killed, "--checkpoint-every", "0.005"]
        process.standardError = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // A clock checkpoint (version 2: between evaluations) is on disk; kill -9 a moment later,
        // before the next one, with no warning to the process.
        let sawClockCheckpoint = wait(seconds: 60) { checkpointVersion(checkpoint) == 2 }
        usleep(100_000)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(sawClockCheckpoint)
        #expect(process.terminationReason == .uncaughtSignal)
        #expect(!FileManager.default.fileExists(atPath: killed + "/manifest.json"))

        let resumed = try CLI.run(arguments + ["--out", killed, "--resume"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        for name in ["spec.json", "metrics.jsonl", "checkpoint.bin"] {
            #expect(FileManager.default.contents(atPath: killed + "/" + name) == FileManager.default.contents(atPath: straight + "/" + name),
                    "\(name) differs")
        }
    }

    @Test func sigtermCheckpointsAndExits() throws {
        let directory = try CLI.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let data = directory.appendingPathComponent("set.bin").path
        #expect(try CLI.run(["generate", "--seed", "3", "--train", "60", "--test", "10", "--out", data]).status == 0)
        let run = directory.appendingPathComponent("run").path
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = ["train", "--data", data, "--model", "rn", "--hidden", "32", "--batch", "16", "--epochs", "50",
                             "--threads", "1", "--out", run]
        let errors = Pipe()
        process.standardError = errors
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        #expect(wait(seconds: 30) { FileManager.default.fileExists(atPath: run + "/segments.jsonl") })
        usleep(300_000)
        process.terminate()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 128 + SIGTERM)
        #expect(message.contains("stopped by SIGTERM at step"), "\(message)")
        let segments = try String(contentsOfFile: run + "/segments.jsonl", encoding: .utf8)
        #expect(segments.contains("\"from_step\":0"))
        #expect(checkpointVersion(run + "/checkpoint.bin") != nil)
    }

    /// Start, a second start, status, stop, a kill -9 and a stale lock, in a scratch checkout of
    /// the paper's facts: the campaign trains the real paper profile for a few seconds.
    @Test func startRefusesASecondStartAndStopCheckpoints() throws {
        let directory = try CLI.scratchCheckout(["paper/paper.json"])
        defer { try? FileManager.default.removeItem(at: directory) }
        func campaign(_ arguments: [String]) throws -> CLI.Result {
            try CLI.run(executable: CLI.executable.path, ["campaign"] + arguments, currentDirectory: directory)
        }
        let started = Date()
        let start = try campaign(["start", "--jobs", "1", "--threads-per-job", "1"])
        #expect(start.status == 0, "\(start.stderr)")
        #expect(start.stdout.contains("started the paper campaign"))
        #expect(Date().timeIntervalSince(started) < 60)

        let again = try campaign(["start", "--jobs", "1"])
        #expect(again.status == 0)
        #expect(again.stdout.contains("already running"), "\(again.stdout)")

        let run = directory.appendingPathComponent("results/paper").path
        #expect(wait(seconds: 60) {
            (try? FileManager.default.contentsOfDirectory(atPath: run))?.contains { $0.hasPrefix("rn-b64-lr1e-4-r1-") } == true
        })
        let status = try campaign(["status", "--jobs", "1"])
        #expect(status.stdout.contains("the paper campaign is running"), "\(status.stdout)")
        #expect(status.stdout.contains("rn-b64-lr1e-4-r1       in flight"), "\(status.stdout)")
        #expect(status.stdout.contains("cnn-mlp-b64-lr1e-4-r1  waiting"), "\(status.stdout)")

        let stop = try campaign(["stop"])
        #expect(stop.status == 0, "\(stop.stderr)")
        #expect(stop.stdout.contains("stopped the paper campaign"))
        let runDirectory = try #require(try FileManager.default.contentsOfDirectory(atPath: run).first { $0.hasPrefix("rn-b64-lr1e-4-r1-") })
        #expect(checkpointVersion(run + "/" + runDirectory + "/checkpoint.bin") != nil)
        let summary = try campaign(["status", "--summary"])
        #expect(summary.stdout.hasPrefix("rn-b64-lr1e-4-r1 at epoch 0.0"), "\(summary.stdout)")

        // kill -9 leaves the lock file with a PID whose process is gone: stale, not running.
        #expect(try campaign(["start", "--jobs", "1", "--threads-per-job", "1"]).status == 0)
        let pid = try #require(Int32(String(contentsOfFile: directory.appendingPathComponent("runs/campaign/lock").path,
                                            encoding: .utf8).trimmingCharacters(in: .whitespacesAndNewlines)))
        kill(pid, SIGKILL)
        #expect(wait(seconds: 10) { kill(pid, 0) != 0 })
        let stale = try campaign(["status"])
        #expect(stale.stdout.contains("not running (a stale lock of PID \(pid)"), "\(stale.stdout)")
        let restart = try campaign(["start", "--jobs", "1", "--threads-per-job", "1"])
        #expect(restart.stdout.contains("started the paper campaign"), "\(restart.stdout)")
        #expect(try campaign(["stop"]).status == 0)
    }

    /// campaign-save commits results/paper and nothing else, whatever else is staged.
    @Test func saveCommitsResultsAlone() throws {
        let directory = try CLI.scratchCheckout(["scripts/campaign-save.sh", "paper/paper.json"])
        defer { try? FileManager.default.removeItem(at: directory) }
        func shell(_ command: String) throws -> CLI.Result {
            try CLI.run(executable: "/bin/bash", ["-c", command], currentDirectory: directory)
        }
        let setup = try shell("""
            set -e
            git init -q . && git config user.email t@example.org && git config user.name test
            echo a > other.txt && git add other.txt paper scripts && git commit -qm first
            mkdir -p results/paper/run && echo 1 > results/paper/run/metrics.jsonl
            echo b >> other.txt && git add other.txt && echo c > untracked.txt
            """)
        #expect(setup.status == 0, "\(setup.stderr)")
        let save = try shell("scripts/campaign-save.sh \(CLI.executable.path)")
        #expect(save.status == 0, "\(save.stderr)")
        #expect(save.stdout.contains("campaign-save: committed"), "\(save.stdout)")
        let log = try shell("git rev-list --count HEAD && git show --name-only --format=%s HEAD && git status --porcelain")
        #expect(log.stdout == """
            2
            results/paper: no run started

            results/paper/run/metrics.jsonl
            M  other.txt
            ?? untracked.txt

            """, "\(log.stdout)")
        let again = try shell("scripts/campaign-save.sh \(CLI.executable.path)")
        #expect(again.stdout.contains("nothing new"), "\(again.stdout)")
    }
}
