import Artifacts
import Dispatch
import Engine
import Foundation
import _RNReproSupport

/// One sitting of a run in its directory: it starts or resumes the run, saves a checkpoint after
/// every evaluation and, between evaluations, every `checkpointEvery` seconds of wall time,
/// stops cleanly at the next step when asked (a signal, a cluster's warning), and records where
/// it ran as one line of segments.jsonl.
///
/// A checkpoint between evaluations carries the training statistics gathered since the last
/// one, so a run resumed from any step ends with the bytes of a run that never stopped. A kill
/// that gives no warning (kill -9, a power cut) loses the steps since the last checkpoint: at
/// most one interval.
public final class RunSession {
    public enum Outcome: Equatable, Sendable {
        /// The run trained its last step and wrote its manifest.
        case finished
        /// The run stopped early at a stop request, with a checkpoint of its last step.
        case stopped(reason: String)
    }

    /// Ten minutes: a kill without warning loses at most this much training.
    public static let defaultCheckpointInterval = 600.0

    public let directory: RunDirectory
    public let trainer: Trainer
    let pool: ThreadPool
    /// The sittings before this one, and this one so far.
    private let earlier: [TrainingSegment]
    private var current: TrainingSegment
    private let startedAt = DispatchTime.now()
    private let trainSecondsAtStart: Double
    /// Held from before the first write until `run` returns: one writer per run.
    private let lock: FileLock?
    private var sittingOver = false

    /// Starts the run in `directory`, or resumes it from its checkpoint when `resume` is set.
    /// Throws without touching the directory's files when another process is training it.
    public init(directory: RunDirectory, trainer: Trainer, pool: ThreadPool, resume: Bool) throws {
        lock = try directory.lock()
        try directory.start(trainer, resume: resume)
        self.directory = directory
        self.trainer = trainer
        self.pool = pool
        earlier = directory.segments(before: trainer.steps)
        trainSecondsAtStart = trainer.trainSeconds
        let provenance = Provenance.current()
        current = TrainingSegment(commit: provenance.commit, cpu: provenance.cpu, isa: pool.isa.rawValue,
                                  threads: pool.threadCount, fromStep: trainer.steps, toStep: trainer.steps,
                                  trainSeconds: 0, wallSeconds: 0, started: provenance.date)
    }

    /// Trains until the run's end, or until `stop` is requested. `checkpointEvery` nil saves at
    /// evaluations only. A session trains once: when this returns (or throws) the sitting is
    /// over and the run's lock is released, so the next sitting may begin.
    public func run(checkpointEvery: Double? = nil, stop: StopRequest? = nil,
                    progress: (TrainingEvent) -> Void = { _ in }) throws -> Outcome {
        precondition(!sittingOver, "a RunSession trains once; start a new session to continue the run")
        defer {
            sittingOver = true
            lock?.release()
        }
        var lastSave = DispatchTime.now()
        do {
            try trainer.run { event in
                switch event {
                case .evaluated:
                    try directory.recordEvaluation(of: trainer)
                    try recordSegment()
                    lastSave = DispatchTime.now()
                case .step where trainer.steps < trainer.totalSteps:
                    if let reason = stop?.reason {
                        try saveCheckpoint()
                        throw Stopped(reason: reason)
                    }
                    if let checkpointEvery, seconds(since: lastSave) >= checkpointEvery {
                        try saveCheckpoint()
                        lastSave = DispatchTime.now()
                    }
                case .step:
                    break
                }
                progress(event)
            }
        } catch let stopped as Stopped {
            return .stopped(reason: stopped.reason)
        } catch let error as TrainingError {
            throw RunFailed(cause: error, keptCheckpoint: (try? Checkpoint.read(directory.checkpointPath))?.header.steps)
        }
        try recordSegment()
        try directory.finish(trainer, pool: pool, segments: earlier + [current])
        return .finished
    }

    /// A checkpoint between evaluations: the state, then this sitting's line.
    private func saveCheckpoint() throws {
        try trainer.checkpoint().write(to: directory.checkpointPath)
        try recordSegment()
    }

    private func recordSegment() throws {
        current.toStep = trainer.steps
        current.trainSeconds = trainer.trainSeconds - trainSecondsAtStart
        current.wallSeconds = seconds(since: startedAt)
        try directory.writeSegments(earlier + [current])
    }

    private struct Stopped: Error { let reason: String }
}

private func seconds(since start: DispatchTime) -> Double {
    Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
}

/// A run that failed in a sitting, and what its directory keeps.
public struct RunFailed: Error, CustomStringConvertible {
    public let cause: TrainingError
    /// The step of the checkpoint the directory keeps, or nil when none was written.
    public let keptCheckpoint: Int?

    public var description: String {
        "\(cause); " + (keptCheckpoint.map { "the checkpoint of step \($0) is kept" } ?? "no checkpoint was written")
    }
}

/// A request that every run in the process stop at its next step, with a checkpoint: made by a
/// signal (SIGTERM from `kill` or a cluster, SIGINT from Ctrl-C) or by another thread.
public final class StopRequest: @unchecked Sendable {
    private let lock = NSLock()
    private var why: String?
    private var signalled: Int32?
    private var sources: [DispatchSourceSignal] = []

    public init() {}

    /// Why the stop was requested, or nil while none was.
    public var reason: String? { lock.withLock { why } }

    /// The signal that requested the stop, if one did.
    public var signal: Int32? { lock.withLock { signalled } }

    public func request(_ reason: String, signal: Int32? = nil) {
        lock.withLock {
            if why == nil { (why, signalled) = (reason, signal) }
        }
    }

    /// Makes each of `signals` request a stop instead of ending the process. A second signal
    /// while a stop is pending ends the process at once, with status 128 + the signal's number
    /// (files are replaced atomically, so nothing is left half-written).
    public func catchSignals(_ signals: [Int32] = [SIGTERM, SIGINT]) {
        for number in signals {
            Foundation.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [self] in
                if reason != nil { exit(128 + number) }
                request(Self.name(of: number), signal: number)
            }
            source.resume()
            lock.withLock { sources.append(source) }
        }
    }

    static func name(of signal: Int32) -> String {
        switch signal {
        case SIGTERM: "SIGTERM"
        case SIGINT: "SIGINT"
        case SIGUSR1: "SIGUSR1"
        case SIGHUP: "SIGHUP"
        default: "signal \(signal)"
        }
    }
}
