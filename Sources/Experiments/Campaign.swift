import Artifacts
import Engine
import Foundation
import SortOfCLEVR
import Training
import _RNReproSupport

/// The paper campaign (docs/campaign.md): the paper profile trained a few hours at a time on
/// whichever machine is at hand. Its runs live in `results/paper`, tracked in git; each sitting
/// resumes them from their checkpoints, trains at the lowest CPU priority, checkpoints on a
/// clock and when stopped, and is then committed, so the next machine continues where this one
/// stopped and every run ends with the bytes of one uninterrupted run.
public enum Campaign {
    /// The order runs are trained in: Table 1 first (RN, then CNN+MLP), then Table 2's rows,
    /// the RN's second replicate last.
    public static let order = [
        "rn-b64-lr1e-4-r1", "cnn-mlp-b64-lr1e-4-r1", "rn-b64-lr1e-3-r1", "rn-b128-lr1e-4-r1",
        "rn-b128-lr1e-3-r1", "rn-b64-lr1e-2-r1", "rn-b64-lr1e-4-r2",
    ]

    /// The plan's runs in campaign order; any the order does not name follow in plan order.
    public static func ordered(_ runs: [PlannedRun]) -> [PlannedRun] {
        runs.enumerated().sorted { a, b in
            let rank = { (run: PlannedRun) in order.firstIndex(of: run.name) ?? order.count }
            return (rank(a.element), a.offset) < (rank(b.element), b.offset)
        }.map(\.element)
    }

    /// Trains `runs` in order, `jobs` at a time, each on its own pool of `threadsPerJob`
    /// threads, until all are finished or `stop` is requested (every run in flight then
    /// checkpoints and returns). A run that fails is logged and left as it is; the others go on.
    /// Returns the names of the runs that failed.
    public static func train(_ runs: [PlannedRun], runner: ProfileRunner, dataset: SortOfCLEVRDataset,
                             jobs: Int, threadsPerJob: Int, isa: VectorISA, stop: StopRequest,
                             log: @escaping @Sendable (String) -> Void) -> [String] {
        let queue = ChunkQueue(count: runs.count)
        let failures = Failures()
        // The jobs share the runner and the data set, which they only read, and train disjoint runs.
        let shared = SharedInputs(runner: runner, dataset: dataset)
        let workers = (0..<min(jobs, runs.count)).map { _ in
            let done = DispatchSemaphore(value: 0)
            let thread = Thread {
                defer { done.signal() }
                let (runner, dataset) = (shared.runner, shared.dataset)
                let pool = ThreadPool(threadCount: threadsPerJob, isa: isa)
                while stop.reason == nil, let index = queue.next() {
                    let run = runs[index]
                    log("\(run.name): training (\(threadsPerJob) thread\(threadsPerJob == 1 ? "" : "s"), \(isa))")
                    do {
                        let outcome = try runner.train(run, dataset: dataset, pool: pool, stop: stop) { event in
                            if case .evaluated(let line, let progress) = event {
                                log(String(format: "%@: epoch %.2f of %g, test rel %.1f%% nonrel %.1f%%, %.0f samples/s",
                                           run.name, line.epoch, run.spec.epochs, line.testAccuracy.rel,
                                           line.testAccuracy.nonrel, progress.samplesPerSecond))
                            }
                        }
                        switch outcome {
                        case .finished: log("\(run.name): finished")
                        case .stopped(let reason): log("\(run.name): stopped by \(reason) with a checkpoint")
                        }
                    } catch {
                        log("\(run.name): failed: \(error)")
                        failures.add(run.name)
                    }
                }
            }
            // Each job's thread holds a whole training run's stack of calls; the default of
            // secondary threads (512 KiB on some systems) is too tight for comfort.
            thread.stackSize = 8 << 20
            thread.start()
            return done
        }
        for done in workers { done.wait() }
        return failures.names
    }

    private struct SharedInputs: @unchecked Sendable {
        let runner: ProfileRunner
        let dataset: SortOfCLEVRDataset
    }

    private final class Failures: @unchecked Sendable {
        private let lock = NSLock()
        private var list: [String] = []
        func add(_ name: String) { lock.withLock { list.append(name) } }
        var names: [String] { lock.withLock { list } }
    }
}

/// Where each run of the campaign stands, read from its files in `results/paper`.
public struct CampaignProgress: Sendable {
    public enum State: String, Sendable {
        case done, inFlight = "in flight", waiting
    }

    public struct Run: Sendable {
        public let run: PlannedRun
        public let state: State
        /// Epochs trained (at the last checkpoint) and planned.
        public let epochsDone: Double
        public let epochsPlanned: Double
        /// The last evaluation's test accuracies.
        public let lastTestAccuracy: PerType<Double>?
        /// Training questions per second over the run's sittings so far (segments.jsonl).
        public let samplesPerSecond: Double?
        /// Training questions left.
        public let questionsLeft: Double
    }

    public let runs: [Run]

    /// Reads the state of `runs` (in campaign order) under `runner`'s root.
    public init(runs: [PlannedRun], runner: ProfileRunner, trainImages: Int) {
        self.runs = runs.map { run in
            let directory = runner.directory(of: run)
            let schedule = EpochSchedule(trainImages: trainImages, batchSize: run.spec.batchSize)
            let metrics = (try? JSONFiles.readLines(MetricsLine.self, from: directory.metricsPath)) ?? []
            let checkpoint = try? Checkpoint.read(directory.checkpointPath)
            let steps = checkpoint?.header.steps ?? metrics.last?.steps ?? 0
            let segments = directory.segments(before: .max)
            let trainedSeconds = segments.reduce(0) { $0 + $1.trainSeconds }
            let trainedSteps = segments.reduce(0) { $0 + $1.toStep - $1.fromStep }
            let finished = runner.isFinished(run)
            let started = FileManager.default.fileExists(atPath: directory.specPath)
            let state: State = finished ? .done : (started ? .inFlight : .waiting)
            let questionsPlanned = run.spec.epochs * Double(schedule.steps * run.spec.batchSize)
            return Run(
                run: run, state: state, epochsDone: Double(steps) / Double(schedule.steps), epochsPlanned: run.spec.epochs,
                lastTestAccuracy: metrics.last?.testAccuracy,
                samplesPerSecond: trainedSeconds > 0 ? Double(trainedSteps * run.spec.batchSize) / trainedSeconds : nil,
                questionsLeft: finished ? 0 : max(0, questionsPlanned - Double(steps * run.spec.batchSize)))
        }
    }

    /// Seconds of training left with `jobs` runs at a time, at the rates measured so far (a run
    /// not yet started is taken at the rate of the last measured run of its model), or nil
    /// while some model has no measured rate.
    public func etaSeconds(jobs: Int) -> Double? {
        var seconds = 0.0
        for entry in runs where entry.questionsLeft > 0 {
            let model = entry.run.spec.model
            guard let rate = entry.samplesPerSecond ?? runs.last(where: { $0.run.spec.model == model && $0.samplesPerSecond != nil })?.samplesPerSecond
            else { return nil }
            seconds += entry.questionsLeft / rate
        }
        return seconds / Double(max(jobs, 1))
    }

    /// One line naming the runs in flight and where they stand, for a commit message.
    public var summary: String {
        let done = runs.filter { $0.state == .done }.count
        let inFlight = runs.filter { $0.state == .inFlight }.map {
            String(format: "%@ at epoch %.2f of %g", $0.run.name, $0.epochsDone, $0.epochsPlanned)
        }
        let runsPart = inFlight.isEmpty ? "no run in flight" : inFlight.joined(separator: ", ")
        return "\(runsPart) (\(done) of \(runs.count) runs done)"
    }
}

/// The lock that keeps one campaign running per work tree: a `FileLock` on a file that holds
/// the PID of the process that holds it. The kernel drops the lock when that process ends,
/// however it ends, so a lock file left by a killed campaign is recognised as stale.
public final class CampaignLock {
    public let path: String
    private let lock: FileLock

    private init(path: String, lock: FileLock) {
        self.path = path
        self.lock = lock
    }

    public enum Holder: Equatable, Sendable {
        /// No campaign holds the lock; `stalePID` is the PID a killed one left in the file.
        case none(stalePID: Int32?)
        case running(pid: Int32)
    }

    /// Takes the lock for this process, or throws naming the process that holds it.
    public static func acquire(_ path: String) throws -> CampaignLock {
        try createDirectory(of: path)
        switch try FileLock.attempt(path, flags: O_RDWR | O_CREAT, what: "the campaign's lock") {
        case .held:
            let pid = if case .running(let pid) = holder(path) { String(pid) } else { "unknown" }
            throw FileError(path: path, reason: "the campaign is already running (PID \(pid))")
        case .unsupported(let reason):
            throw FileError(path: path, reason: "cannot lock the campaign's lock: \(reason)")
        case .acquired(let lock):
            let text = "\(getpid())\n"
            guard let descriptor = lock.descriptor, ftruncate(descriptor, 0) == 0,
                  pwrite(descriptor, text, text.utf8.count, 0) == text.utf8.count else {
                throw FileError(path: path, reason: "cannot write the lock's PID: \(String(cString: strerror(errno)))")
            }
            return CampaignLock(path: path, lock: lock)
        }
    }

    /// Who holds the lock at `path`, without taking it: a shared lock can be had only when no
    /// process holds the exclusive one.
    public static func holder(_ path: String) -> Holder {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else { return .none(stalePID: nil) }
        defer { close(descriptor) }
        let pid = readPID(descriptor)
        if flock(descriptor, LOCK_SH | LOCK_NB) == 0 {
            flock(descriptor, LOCK_UN)
            return .none(stalePID: pid)
        }
        return .running(pid: pid ?? 0)
    }

    private static func createDirectory(of path: String) throws {
        let directory = (path as NSString).deletingLastPathComponent
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw FileError(path: path, reason: "cannot create directory \(directory): \(AtomicFile.describe(error))")
        }
    }

    private static func readPID(_ descriptor: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let count = pread(descriptor, &buffer, buffer.count, 0)
        guard count > 0 else { return nil }
        return Int32(String(decoding: buffer[..<count], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }
}
