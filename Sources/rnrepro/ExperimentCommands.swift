import ArgumentParser
import Artifacts
import Dispatch
import Engine
import Experiments
import Foundation
import Training
import _RNReproSupport

/// Options every plan-level command shares.
struct ProfileOptions: ParsableArguments {
    @Option(help: "The scale: smoke, quick or paper.")
    var profile: Profile = .quick

    @Option(help: "The paper's facts.")
    var paper: String = "paper/paper.json"

    var root: String { profile.root }

    func paperFacts() throws -> PaperFacts { try JSONFiles.read(PaperFacts.self, from: paper, schema: PaperFacts.schema) }

    func runner(seedOffset: UInt64 = 0) throws -> ProfileRunner {
        runner(seedOffset: seedOffset, paper: try paperFacts())
    }

    func runner(seedOffset: UInt64, paper: PaperFacts) -> ProfileRunner {
        let root = seedOffset == 0 ? self.root : "runs/\(profile.rawValue)-seed\(seedOffset)"
        return ProfileRunner(profile: profile, root: root, seedOffset: seedOffset, paper: paper) { line in
            FileHandle.standardError.write(Data((line + "\n").utf8))
        }
    }
}

/// `rnrepro reproduce`: the whole plan of a profile, resumable.
struct ReproduceCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "reproduce",
        abstract: "Run every configuration of Tables 1 and 2 at a profile's scale; skip finished runs, resume interrupted ones.",
        discussion: """
            Writes runs/<profile>/plan.json, samples.json and one directory per run. Killing it and \
            starting it again finishes with the same bytes as an uninterrupted run.
            """
    )

    @OptionGroup var profileOptions: ProfileOptions

    @Option(help: "Runs to train at once, as separate processes sharing the threads.")
    var jobs: Int = 1

    @Option(help: "Run only this run (its name, e.g. rn-b64-lr1e-4-r1, or its id).")
    var only: String?

    @Option(help: "Seed offset of the plan (golden seeds); 0 is the plan reproduce checks.")
    var seedOffset: UInt64 = 0

    @OptionGroup var checkpointOptions: CheckpointOptions

    @OptionGroup var threadOptions: ThreadOptions

    func validate() throws {
        guard jobs >= 1 else { throw ValidationError("--jobs must be at least 1 (got \(jobs))") }
    }

    /// `--only` names a run of the plan (its name, or its id: the name and a spec hash), checked
    /// before the data set is made: run names do not depend on it.
    func checkOnly() throws {
        guard let only else { return }
        let data = profileOptions.profile.dataset
        let names = ExperimentPlan.make(profile: profileOptions.profile, paper: try profileOptions.paperFacts(),
                                        dataset: DatasetRef(seed: data.seed, trainImages: data.trainImages,
                                                            testImages: data.testImages, exactClosest: false, sha256: ""))
            .runs.map(\.name)
        guard names.contains(where: { only == $0 || only.hasPrefix($0 + "-") }) else {
            throw ValidationError("--only \(only): no such run in the \(profileOptions.profile) plan (\(names.joined(separator: ", ")))")
        }
    }

    func run() throws {
        try checkOnly()
        let stop = StopRequest()
        stop.catchSignals()
        let runner = try profileOptions.runner(seedOffset: seedOffset)
        runner.checkpointEvery = checkpointOptions.seconds
        let pool = try threadOptions.makePool()
        let dataset = try runner.dataset(pool: pool)
        let plan = runner.plan(for: dataset)
        try runner.writePlan(plan, dataset: dataset)
        var runs = plan.runs
        if let only {
            runs = runs.filter { $0.name == only || $0.id == only }
            guard !runs.isEmpty else {
                throw ValidationError("--only \(only): no such run in the \(profileOptions.profile) plan (\(plan.runs.map(\.name).joined(separator: ", ")))")
            }
        }
        let pending = runs.filter { !runner.isFinished($0) }
        let totalQuestions = pending.reduce(0.0) { $0 + questions(of: $1, dataset: dataset.train.count) }
        print("\(profileOptions.profile): \(runs.count) runs, \(runs.count - pending.count) finished, \(pending.count) to train")
        let started = DispatchTime.now()
        var doneQuestions = 0.0
        func report(_ run: PlannedRun, _ index: Int) {
            doneQuestions += questions(of: run, dataset: dataset.train.count)
            let elapsed = Double(DispatchTime.now().uptimeNanoseconds - started.uptimeNanoseconds) / 1e9
            let eta = doneQuestions > 0 ? elapsed * (totalQuestions - doneQuestions) / doneQuestions : 0
            print("[\(index)/\(pending.count)] \(run.name) finished; plan \(Int(100 * doneQuestions / max(totalQuestions, 1)))% done, ETA \(formatDuration(eta))")
        }
        if jobs == 1 || pending.count <= 1 {
            for (index, run) in pending.enumerated() {
                print("[\(index + 1)/\(pending.count)] \(run.name) (\(run.id))")
                let display = ProgressDisplay(label: run.name)
                let outcome = try runner.train(run, dataset: dataset, pool: pool, stop: stop) { event in
                    switch event {
                    case .step(let progress): display.update(progress)
                    case .evaluated(let line, let progress): display.evaluated(line, progress)
                    }
                }
                display.finish()
                try CheckpointOptions.exitIfStopped(outcome, by: stop, at: "in \(run.name)", resume: "the same rnrepro reproduce command")
                report(run, index + 1)
            }
        } else {
            try runInProcesses(pending, threads: max(1, pool.threadCount / jobs), isa: pool.isa, stop: stop, report: report)
        }
        print("\(profileOptions.profile): all \(runs.count) runs finished in \(runner.root)/")
    }

    /// Each run in a child `rnrepro reproduce --only`, `jobs` at a time, in plan order.
    func runInProcesses(_ runs: [PlannedRun], threads: Int, isa: VectorISA, stop: StopRequest,
                        report: (PlannedRun, Int) -> Void) throws {
        let executable = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL
        let scheduler = ProcessScheduler(jobs: jobs) { run in
            let process = Process()
            process.executableURL = executable
            process.arguments = ["reproduce", "--profile", profileOptions.profile.rawValue, "--paper", profileOptions.paper,
                                 "--only", run.id, "--seed-offset", "\(seedOffset)", "--threads", "\(threads)",
                                 "--isa", isa.rawValue, "--checkpoint-every", "\(checkpointOptions.checkpointEvery)"]
            process.standardOutput = FileHandle.nullDevice
            return process
        }
        var finished = 0
        let outcome = try scheduler.run(runs, stop: stop, started: { run in
            print("started \(run.name) (\(threads) thread\(threads == 1 ? "" : "s"))")
        }, finished: { run in
            finished += 1
            report(run, finished)
        })
        if case .stopped(let inFlight) = outcome {
            try CheckpointOptions.exitIfStopped(.stopped(reason: stop.reason ?? "a signal"), by: stop,
                                                at: "in \(inFlight.joined(separator: ", "))",
                                                resume: "the same rnrepro reproduce command")
        }
    }

    func questions(of run: PlannedRun, dataset trainImages: Int) -> Double {
        run.spec.epochs * Double(trainImages * 20)
    }
}

/// `rnrepro plan`: the plan as independent jobs.
struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Print a profile's plan as independent jobs: a shell script, or a Slurm job array.",
        discussion: """
            Each Slurm task has a time limit; --warning seconds before it, the task checkpoints its \
            run and requeues itself, and a preempted task is requeued too: either resumes from its \
            checkpoint and ends with the bytes of an uninterrupted run.
            """
    )

    @OptionGroup var profileOptions: ProfileOptions

    @Option(help: "shell or slurm.")
    var format: JobScript.Format = .shell

    @Option(help: "Each Slurm task's time limit, in Slurm's format.")
    var timeLimit = "12:00:00"

    @Option(help: "Seconds before the time limit at which a Slurm task checkpoints and requeues itself.")
    var warning = 300

    func validate() throws {
        guard warning >= 1 else { throw ValidationError("--warning must be at least 1 second (got \(warning))") }
        guard !timeLimit.isEmpty, timeLimit.allSatisfy({ $0.isNumber || $0 == ":" || $0 == "-" }) else {
            throw ValidationError("--time-limit must be a Slurm time such as 12:00:00 or 1-00:00:00 (got '\(timeLimit)')")
        }
    }

    func run() throws {
        let profile = profileOptions.profile
        let data = profile.dataset
        // The plan's run names do not depend on the data set's hash; the ids do, so jobs use names.
        let plan = ExperimentPlan.make(profile: profile, paper: try profileOptions.paperFacts(),
                                       dataset: DatasetRef(seed: data.seed, trainImages: data.trainImages,
                                                           testImages: data.testImages, exactClosest: false, sha256: ""))
        print(JobScript.make(format, profile: profile, runNames: plan.runs.map(\.name),
                             timeLimit: timeLimit, warningSeconds: warning), terminator: "")
    }
}

/// `rnrepro check`: the drift check against the golden bands.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Compare a profile's runs with golden/<profile>.json: exit 0 when every metric holds, 1 on drift, 2 when it cannot compare.",
        discussion: """
            Writes drift.md and drift.json beside the runs (runs/<profile>; results/paper for the \
            paper profile). It also prints the paper tier, each of the paper's claims beside ours \
            with a verdict; the verdicts decide the exit status only with --require-reproduced.
            """
    )

    @OptionGroup var profileOptions: ProfileOptions

    @Flag(help: "Compare the bits of the reference build instead of the bands; name the first epoch where a run diverged.")
    var exact = false

    @Flag(help: "Exit 3 when every band holds but a finished claim of the paper is partly or not reproduced.")
    var requireReproduced = false

    @Option(help: "Directory of the golden files.")
    var goldenDir: String = "golden"

    func run() throws {
        let profile = profileOptions.profile.rawValue
        let check = DriftCheck.perform(profile: profileOptions.profile, root: profileOptions.root,
                                       goldenPath: "\(goldenDir)/\(profile).json", paperPath: profileOptions.paper,
                                       exact: exact, requireReproduced: requireReproduced)
        for problem in check.problems {
            FileHandle.standardError.write(Data("rnrepro: error: cannot compare: \(problem)\n".utf8))
        }
        let markdown = check.markdown(profile: profile)
        print(markdown, terminator: "")
        if FileManager.default.fileExists(atPath: profileOptions.root) {
            let folder = ProfileFolder(root: profileOptions.root)
            try AtomicFile.write(Data(markdown.utf8), to: folder.driftMarkdownPath)
            try JSONFiles.write(check, to: folder.driftJSONPath)
        }
        if check.outcome != .holds { throw ExitCode(check.outcome.rawValue) }
    }
}

/// `rnrepro golden record`: the only way golden files are made.
struct GoldenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "golden",
        abstract: "Make golden tolerance bands from runs of several seeds.",
        subcommands: [Record.self]
    )

    struct Record: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "record",
            abstract: "Run the profile's plan at K seed offsets (0, 1000, 2000, ...) and write golden/<profile>.json.",
            discussion: """
                With --add-seed S, runs the plan at seed offset S and adds it to the existing golden \
                file, so a file can grow across sittings. With --finished (the paper profile), trains \
                nothing: writes golden/paper.json from the campaign's finished runs in \
                results/paper, one seed each, whose bands are 3 binomial standard errors wide on \
                either side; run it again as more runs finish.
                """
        )

        @OptionGroup var profileOptions: ProfileOptions

        @Option(help: "Seed offsets to record (at least 2): 0, 1000, ...")
        var seeds: Int?

        @Option(help: "Add the plan at this seed offset to the existing golden file.")
        var addSeed: UInt64?

        @Flag(help: "The paper profile: record the campaign's finished runs (one seed).")
        var finished = false

        @Option(help: "One line on which paper findings show at this scale, with numbers (repeatable).")
        var note: [String] = []

        @Option(help: "Directory of the golden files.")
        var goldenDir: String = "golden"

        @Flag(help: "Replace an existing golden file whose bands would change.")
        var force = false

        @OptionGroup var threadOptions: ThreadOptions

        func validate() throws {
            guard [seeds != nil, addSeed != nil, finished].filter({ $0 }).count == 1 else {
                throw ValidationError("give exactly one of --seeds K, --add-seed S and --finished")
            }
            if let seeds, seeds < 2 { throw ValidationError("--seeds must be at least 2 (got \(seeds))") }
            if finished, profileOptions.profile != .paper {
                throw ValidationError("--finished records the paper campaign's runs; use it with --profile paper")
            }
            if profileOptions.profile == .paper, !finished {
                throw ValidationError("the paper profile's runs come from its campaign (make campaign); record them with --finished")
            }
        }

        func run() throws {
            let path = "\(goldenDir)/\(profileOptions.profile.rawValue).json"
            let paper = try profileOptions.paperFacts()
            let recorder = GoldenRecorder(profile: profileOptions.profile, paper: paper,
                                          runner: { profileOptions.runner(seedOffset: $0, paper: paper) },
                                          log: { print($0) })
            let golden: GoldenFile
            if finished {
                let existing = FileManager.default.fileExists(atPath: path)
                    ? try JSONFiles.read(GoldenFile.self, from: path, schema: GoldenFile.schema) : nil
                golden = try recorder.recordFinished(notes: note, existing: existing)
            } else if let addSeed {
                let existing = try JSONFiles.read(GoldenFile.self, from: path, schema: GoldenFile.schema)
                golden = try recorder.record(offsets: [addSeed], adding: existing, notes: note, pool: try threadOptions.makePool())
            } else {
                golden = try recorder.record(offsets: (0..<seeds!).map { UInt64($0) * 1000 }, notes: note,
                                             pool: try threadOptions.makePool())
            }
            try GoldenRecorder.write(golden, to: path, force: force || addSeed != nil)
            print("wrote \(path): \(golden.runs.count) runs (\(golden.runs.map(\.row).joined(separator: ", "))), seed offsets \(golden.seeds.map(String.init).joined(separator: ", "))")
        }
    }
}

extension Profile: ExpressibleByArgument {}
extension JobScript.Format: ExpressibleByArgument {}
