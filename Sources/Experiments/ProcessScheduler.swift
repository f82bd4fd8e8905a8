import Artifacts
import Foundation
import Training

/// Trains a plan's runs as separate processes, `jobs` at a time, in plan order (`rnrepro
/// reproduce --jobs N`). Each child trains one run and checkpoints it when it gets SIGTERM. A
/// child that fails stops the others; a stop request (a signal to the parent) passes SIGTERM on
/// to every child and waits for them.
public struct ProcessScheduler {
    public enum Outcome: Equatable, Sendable {
        case finished
        /// Stopped on request; the runs that were in flight, each with a checkpoint.
        case stopped(inFlight: [String])
    }

    public struct RunFailed: Error, CustomStringConvertible {
        public let run: String
        public let status: Int32
        public var description: String {
            "run \(run) failed (exit \(status)); its last checkpoint is kept, rerun to resume"
        }
    }

    public let jobs: Int
    /// Makes (does not start) the process that trains `run`.
    let makeProcess: (PlannedRun) -> Process
    /// How often the scheduler looks at its children.
    let poll: useconds_t

    public init(jobs: Int, poll: useconds_t = 200_000, makeProcess: @escaping (PlannedRun) -> Process) {
        precondition(jobs >= 1)
        self.jobs = jobs
        self.poll = poll
        self.makeProcess = makeProcess
    }

    /// Runs every run of `runs`; `started` and `finished` are called as they start and end.
    public func run(_ runs: [PlannedRun], stop: StopRequest, started: (PlannedRun) -> Void = { _ in },
                    finished: (PlannedRun) -> Void = { _ in }) throws -> Outcome {
        var next = 0
        var running: [(process: Process, run: PlannedRun)] = []
        func stopAll() {
            for child in running where child.process.isRunning { child.process.terminate() }
            for child in running { child.process.waitUntilExit() }
        }
        while next < runs.count || !running.isEmpty {
            while running.count < jobs, next < runs.count, stop.reason == nil {
                let process = makeProcess(runs[next])
                try process.run()
                started(runs[next])
                running.append((process, runs[next]))
                next += 1
            }
            usleep(poll)
            if stop.reason != nil {
                stopAll()
                return .stopped(inFlight: running.map(\.run.name))
            }
            for child in running where !child.process.isRunning {
                guard child.process.terminationStatus == 0 else {
                    stopAll()
                    throw RunFailed(run: child.run.name, status: child.process.terminationStatus)
                }
                finished(child.run)
            }
            running.removeAll { !$0.process.isRunning }
        }
        return .finished
    }
}
