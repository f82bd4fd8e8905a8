import Artifacts
import Foundation
import Testing
import Training

@testable import Experiments

/// The scheduler of `reproduce --jobs`, with shell commands standing in for training runs.
@Suite(.serialized) struct ProcessSchedulerTests {
    static let paper = PlanAndCheckTests.paper
    static let runs = Array(ExperimentPlan.make(profile: .smoke, paper: paper, dataset: PlanAndCheckTests.dataset).runs.prefix(5))

    /// A scheduler whose run `i` is `sh -c script(i)`.
    func scheduler(jobs: Int, _ script: @escaping (Int) -> String) -> ProcessScheduler {
        ProcessScheduler(jobs: jobs, poll: 10_000) { run in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/sh")
            process.arguments = ["-c", script(Self.runs.firstIndex(of: run)!)]
            return process
        }
    }

    @Test func runsEveryRunInOrderJobsAtATime() throws {
        var started: [String] = [], finished: [String] = []
        let outcome = try scheduler(jobs: 2) { i in "sleep 0.0\(5 - i)" }
            .run(Self.runs, stop: StopRequest(), started: { started.append($0.name) }, finished: { finished.append($0.name) })
        #expect(outcome == .finished)
        #expect(started == Self.runs.map(\.name))
        #expect(Set(finished) == Set(started) && finished.count == Self.runs.count)
    }

    /// A run that takes 5 s unless SIGTERM ends it. Processes started from the test's threads
    /// inherit a signal mask that blocks SIGTERM (rnrepro's own children take it through a
    /// dispatch source all the same), so the stand-in unblocks it, then sleeps.
    static let longRun = #"exec python3 -c 'import signal, time; signal.pthread_sigmask(signal.SIG_UNBLOCK, [signal.SIGTERM]); time.sleep(5)'"#

    @Test func aFailedRunStopsTheOthers() throws {
        let start = Date()
        #expect {
            _ = try scheduler(jobs: 2) { i in i == 1 ? "exit 3" : Self.longRun }.run(Self.runs, stop: StopRequest())
        } throws: { error in
            "\(error)" == "run \(Self.runs[1].name) failed (exit 3); its last checkpoint is kept, rerun to resume"
        }
        // Run 0 was terminated, not waited for.
        #expect(Date().timeIntervalSince(start) < 4)
    }

    @Test func aStopRequestEndsTheRunsInFlight() throws {
        let stop = StopRequest()
        let start = Date()
        let outcome = try scheduler(jobs: 2) { _ in Self.longRun }
            .run(Self.runs, stop: stop, started: { _ in stop.request("test") })
        #expect(outcome == .stopped(inFlight: [Self.runs[0].name]))
        #expect(Date().timeIntervalSince(start) < 4)
    }
}
