import ArgumentParser
import Artifacts
import Engine
import Experiments
import Foundation
import Training
import _RNReproSupport

/// `rnrepro campaign`: the paper profile, trained a few hours at a time in the background.
struct CampaignCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "campaign",
        abstract: "Train the paper profile in the background, a sitting at a time, resuming where the last one stopped.",
        discussion: """
            The runs live in results/paper (tracked in git); the lock, the log and the binary a \
            campaign runs are in runs/campaign. `make campaign`, `make campaign-status` and `make \
            campaign-save` are the front door (the last one commits results/paper).
            """,
        subcommands: [Start.self, Run.self, Status.self, Stop.self]
    )

    /// runs/campaign: scratch of the machine the campaign runs on.
    static let scratch = "runs/campaign"
    static let lockPath = scratch + "/lock"
    static let logPath = scratch + "/campaign.log"

    struct Options: ParsableArguments {
        @Option(help: "Runs trained at once, each on its own threads.")
        var jobs: Int = 2

        @Option(help: "Threads of each run (default: the cores shared among the jobs).")
        var threadsPerJob: Int?

        @Option(help: "Matrix kernels: avx2 or avx512 (default: the widest this CPU runs). Results do not depend on it.")
        var isa: VectorISA?

        @Option(help: "The paper's facts.")
        var paper = "paper/paper.json"

        func validate() throws {
            guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1 (got \(jobs))") }
            if let threadsPerJob, threadsPerJob < 1 {
                throw ValidationError("--threads-per-job must be at least 1 (got \(threadsPerJob))")
            }
            if let isa, !isa.isSupported { throw ValidationError("--isa: \(VectorISAError.unsupported(isa))") }
        }

        var threads: Int { threadsPerJob ?? max(1, ProcessInfo.processInfo.activeProcessorCount / jobs) }

        func runner() throws -> ProfileRunner {
            let facts = try JSONFiles.read(PaperFacts.self, from: paper, schema: PaperFacts.schema)
            return ProfileRunner(profile: .paper, root: Profile.paper.root, paper: facts) { CampaignCommand.log($0) }
        }
    }

    /// One time-stamped line on stderr (the campaign's log when it runs in the background).
    @Sendable static func log(_ text: String) {
        let stamp = ISO8601DateFormatter().string(from: Date())
        FileHandle.standardError.write(Data("\(stamp) \(text)\n".utf8))
    }

    /// `campaign start`: `campaign run` in the background, detached, and return.
    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start (or resume) the campaign in the background at the lowest CPU priority, and return.")

        @OptionGroup var options: Options

        func run() throws {
            if case .running(let pid) = CampaignLock.holder(CampaignCommand.lockPath) {
                print("the paper campaign is already running (PID \(pid)); `make campaign-status` shows where it stands")
                return
            }
            // The campaign runs a copy of this binary, so rebuilding the project while it trains
            // neither disturbs it nor changes what it computes.
            let fileManager = FileManager.default
            try fileManager.createDirectory(atPath: CampaignCommand.scratch, withIntermediateDirectories: true)
            let binary = CampaignCommand.scratch + "/rnrepro"
            let copy = binary + ".\(getpid()).tmp"
            try? fileManager.removeItem(atPath: copy)
            try fileManager.copyItem(atPath: URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.path, toPath: copy)
            guard rename(copy, binary) == 0 else {
                throw FileError(path: binary, reason: "cannot install the campaign's binary: \(String(cString: strerror(errno)))")
            }
            if !fileManager.fileExists(atPath: CampaignCommand.logPath) {
                fileManager.createFile(atPath: CampaignCommand.logPath, contents: nil)
            }
            let log = try FileHandle(forWritingTo: URL(fileURLWithPath: CampaignCommand.logPath))
            log.seekToEndOfFile()
            let process = Process()
            // setsid: the campaign leaves the terminal's session, so closing it or make's
            // Ctrl-C does not reach it; it stops only when asked (`campaign stop`).
            process.executableURL = URL(fileURLWithPath: "/usr/bin/setsid")
            var arguments = [binary, "campaign", "run", "--jobs", "\(options.jobs)", "--paper", options.paper]
            if let threads = options.threadsPerJob { arguments += ["--threads-per-job", "\(threads)"] }
            if let isa = options.isa { arguments += ["--isa", isa.rawValue] }
            process.arguments = arguments
            process.standardInput = FileHandle.nullDevice
            process.standardOutput = log
            process.standardError = log
            try process.run()
            // The campaign takes its lock once it has checked the plan and the data set.
            for _ in 0..<600 {
                if case .running(let pid) = CampaignLock.holder(CampaignCommand.lockPath) {
                    print("started the paper campaign (PID \(pid), \(options.jobs) job\(options.jobs == 1 ? "" : "s") at the lowest CPU priority); log: \(CampaignCommand.logPath)")
                    print("`make campaign-status` shows where it stands; `make campaign-save` stops it and commits results/paper")
                    return
                }
                if !process.isRunning {
                    throw ValidationError("the campaign did not start (exit \(process.terminationStatus)); see \(CampaignCommand.logPath)")
                }
                usleep(100_000)
            }
            throw ValidationError("the campaign has not taken its lock after a minute; see \(CampaignCommand.logPath)")
        }
    }

    /// `campaign run`: the campaign in the foreground (what `start` runs in the background).
    struct Run: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Run the campaign in the foreground until every run is finished or a signal stops it.",
            discussion: """
                Trains the paper profile's unfinished runs in campaign order, --jobs at a time, at \
                the lowest CPU priority (nice 19, SCHED_IDLE), with a checkpoint every 10 minutes. \
                SIGTERM, SIGINT or SIGHUP checkpoints every run in flight and exits.
                """)

        @OptionGroup var options: Options

        func run() throws {
            lowerPriority()
            let lock = try CampaignLock.acquire(CampaignCommand.lockPath)
            defer { withExtendedLifetime(lock) {} }
            let stop = StopRequest()
            stop.catchSignals([SIGTERM, SIGINT, SIGHUP])
            let runner = try options.runner()
            let isa = try options.isa ?? ThreadPool.defaultISA()
            let dataset = try runner.dataset(pool: ThreadPool(threadCount: ProcessInfo.processInfo.activeProcessorCount, isa: isa))
            let plan = runner.plan(for: dataset)
            try runner.writePlan(plan, dataset: dataset)
            let pending = Campaign.ordered(plan.runs).filter { !runner.isFinished($0) }
            CampaignCommand.log("campaign started (PID \(getpid()), \(Provenance.current().cpu), commit \(Provenance.launchCommit.prefix(12))): \(pending.count) of \(plan.runs.count) runs to train, \(options.jobs) at a time")
            let failed = Campaign.train(pending, runner: runner, dataset: dataset, jobs: options.jobs,
                                        threadsPerJob: options.threads, isa: isa, stop: stop, log: CampaignCommand.log)
            if let reason = stop.reason {
                CampaignCommand.log("campaign stopped by \(reason); every run in flight has a checkpoint")
            } else {
                CampaignCommand.log(failed.isEmpty ? "campaign finished: every run is done" : "campaign ended; failed: \(failed.joined(separator: ", "))")
            }
            if !failed.isEmpty { throw ExitCode.failure }
        }

        /// nice 19 and the idle scheduling class: the campaign runs on what nothing else wants.
        /// Threads started after this inherit both.
        func lowerPriority() {
            _ = setpriority(__priority_which_t(PRIO_PROCESS.rawValue), 0, 19)
            // SCHED_IDLE is 5 in Linux's <sched.h>; Glibc's module leaves it out (a _GNU_SOURCE name).
            let scheduleIdle: Int32 = 5
            var parameters = sched_param(sched_priority: 0)
            _ = sched_setscheduler(0, scheduleIdle, &parameters)
        }
    }

    /// `campaign status`: per run, where it stands; the campaign's ETA.
    struct Status: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Print each run's state, epochs, last test accuracies and rate, and the campaign's ETA.")

        @OptionGroup var options: Options

        @Flag(help: "Print one line naming the runs in flight and their epochs (for a commit message).")
        var summary = false

        func run() throws {
            let runner = try options.runner()
            guard let plan = try? JSONFiles.read(ProfilePlan.self, from: runner.folder.planPath, schema: ProfilePlan.schema) else {
                print(summary ? "no run started" : "the paper campaign has not started: no \(runner.folder.planPath); `make campaign` starts it")
                return
            }
            let progress = CampaignProgress(runs: Campaign.ordered(plan.runs), runner: runner,
                                            trainImages: Profile.paper.dataset.trainImages)
            if summary {
                print(progress.summary)
                return
            }
            switch CampaignLock.holder(CampaignCommand.lockPath) {
            case .running(let pid): print("the paper campaign is running (PID \(pid)); log: \(CampaignCommand.logPath)")
            case .none(let stale?): print("the paper campaign is not running (a stale lock of PID \(stale), which ended)")
            case .none: print("the paper campaign is not running")
            }
            print("")
            let header = ["run", "state", "epochs", "test rel %", "test nonrel %", "samples/s"]
            var rows = [header]
            for entry in progress.runs {
                rows.append([
                    entry.run.name, entry.state.rawValue,
                    String(format: "%.2f of %g", entry.epochsDone, entry.epochsPlanned),
                    entry.lastTestAccuracy.map { String(format: "%.1f", $0.rel) } ?? "-",
                    entry.lastTestAccuracy.map { String(format: "%.1f", $0.nonrel) } ?? "-",
                    entry.samplesPerSecond.map { String(format: "%.0f", $0) } ?? "-",
                ])
            }
            let widths = header.indices.map { column in rows.map { $0[column].count }.max()! }
            for row in rows {
                print(row.indices.map { row[$0].padding(toLength: widths[$0], withPad: " ", startingAt: 0) }
                    .joined(separator: "  "))
            }
            print("")
            if let eta = progress.etaSeconds(jobs: options.jobs) {
                print("left: \(formatDuration(eta)) of training with \(options.jobs) job\(options.jobs == 1 ? "" : "s"), at the rates measured so far")
            } else {
                print("left: unknown until a run of each model has a measured rate")
            }
        }
    }

    /// `campaign stop`: ask the running campaign to checkpoint and stop, and wait until it has.
    struct Stop: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Checkpoint every run in flight and stop the campaign; wait until it has stopped.")

        @Option(help: "Seconds to wait for the campaign to stop.")
        var timeout: Double = 50

        func run() throws {
            guard case .running(let pid) = CampaignLock.holder(CampaignCommand.lockPath) else {
                print("the paper campaign is not running")
                return
            }
            guard kill(pid, SIGTERM) == 0 else {
                throw ValidationError("cannot signal the campaign (PID \(pid)): \(String(cString: strerror(errno)))")
            }
            let deadline = Date().addingTimeInterval(timeout)
            while Date() < deadline {
                if case .none = CampaignLock.holder(CampaignCommand.lockPath) {
                    print("stopped the paper campaign (PID \(pid)); every run in flight has a checkpoint")
                    return
                }
                usleep(100_000)
            }
            throw ValidationError("the campaign (PID \(pid)) has not stopped after \(Int(timeout)) s; see \(CampaignCommand.logPath)")
        }
    }
}
