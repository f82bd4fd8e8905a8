import Artifacts
import Engine
import Foundation
import Testing
import _RNReproSupport

@testable import Training

/// A sitting of a run: checkpoints between evaluations, clean stops, and the contract the paper
/// campaign rests on: a run stopped at any step and resumed ends with the bytes of a run that
/// never stopped.
@Suite(.serialized) struct RunSessionTests {
    static let directory = TrainerTests.directory

    func session(_ spec: RunSpec, at path: String, resume: Bool) throws -> RunSession {
        let trainer = try TrainerTests.trainer(spec)
        return try RunSession(directory: RunDirectory(path: path), trainer: trainer, pool: trainer.pool, resume: resume)
    }

    func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// Stops the run at `stopStep` (between two evaluations), resumes it in a new session and
    /// compares the files with an uninterrupted run's.
    @Test(arguments: [(RunSpec.Model.rn, 37), (.cnnMLP, 61), (.rn, 51)])
    func stoppedBetweenEvaluationsAndResumedIsBitIdentical(model: RunSpec.Model, stopStep: Int) throws {
        let spec = TrainerTests.spec(model: model, epochs: 1.5, evalEvery: 0.5)
        let straightPath = Self.directory + "/session-straight-\(model)-\(stopStep)"
        #expect(try session(spec, at: straightPath, resume: false).run() == .finished)

        let path = Self.directory + "/session-stopped-\(model)-\(stopStep)"
        let first = try session(spec, at: path, resume: false)
        #expect(!first.trainer.evaluationSteps.contains(stopStep))
        let stop = StopRequest()
        let outcome = try first.run(stop: stop) { event in
            if case .step(let progress) = event, progress.step == stopStep - 1 { stop.request("test") }
        }
        #expect(outcome == .stopped(reason: "test"))
        // The stop request is seen at the next step's event, which saves that step.
        let saved = try Checkpoint.read(path + "/checkpoint.bin")
        #expect(saved.header.steps == stopStep)
        #expect(saved.header.sinceEvaluation?.questionCounts.reduce(0, +) ?? 0 > 0)
        #expect(!FileManager.default.fileExists(atPath: path + "/manifest.json"))

        let second = try session(spec, at: path, resume: true)
        #expect(second.trainer.steps == stopStep)
        #expect(try second.run() == .finished)
        for name in ["spec.json", "metrics.jsonl", "checkpoint.bin"] {
            #expect(try bytes(path + "/" + name) == bytes(straightPath + "/" + name), "\(name) differs")
        }
        let segments = try JSONFiles.readLines(TrainingSegment.self, from: path + "/segments.jsonl")
        #expect(segments.map { [$0.fromStep, $0.toStep] } == [[0, stopStep], [stopStep, second.trainer.totalSteps]])
        let manifest = try JSONFiles.read(RunManifest.self, from: path + "/manifest.json", schema: RunManifest.schema)
        #expect(manifest.segments == segments)
    }

    /// A checkpoint taken right after an evaluation carries no interval statistics and keeps the
    /// version-1 bytes every earlier build wrote; one between evaluations is version 2.
    @Test func checkpointVersionFollowsItsContent() throws {
        let trainer = try TrainerTests.trainer(TrainerTests.spec())
        try trainer.run(stopAfterEvaluations: 1) { _ in }
        let atEvaluation = try trainer.checkpoint().encoded()
        #expect(atEvaluation[8] == 1)
        #expect(!String(decoding: atEvaluation, as: UTF8.self).contains("sinceEvaluation"))

        var steps = 0
        let between = try TrainerTests.trainer(TrainerTests.spec())
        #expect(throws: CancellationError.self) {
            try between.run { event in
                if case .step = event { steps += 1 }
                if steps == 3 { throw CancellationError() }
            }
        }
        let data = try between.checkpoint().encoded()
        #expect(data[8] == 2)
        let path = Self.directory + "/between.bin"
        try AtomicFile.write(data, to: path)
        let read = try Checkpoint.read(path)
        #expect(read.header.sinceEvaluation?.questionCounts == [8, 16])

        // A version that contradicts the content is refused.
        var forged = data
        forged[8] = 1
        let digest = forged.count - 32
        let hex = Array(JSONFiles.sha256(forged.prefix(digest)).utf8)
        let hash = stride(from: 0, to: hex.count, by: 2).map { UInt8(String(decoding: hex[$0..<($0 + 2)], as: UTF8.self), radix: 16)! }
        forged.replaceSubrange(digest..., with: hash)
        try AtomicFile.write(forged, to: path)
        #expect(throws: FileError.self) { try Checkpoint.read(path) }
    }

    /// One writer per run: while a sitting trains, a second session on its directory is
    /// refused before it touches a file (not even a writer's temporary file, which a starting
    /// sitting otherwise removes as a killed writer's leftover); once the sitting ends, the next
    /// one resumes where it stopped.
    @Test func aRunBeingTrainedRefusesASecondWriter() throws {
        let spec = TrainerTests.spec(epochs: 0.5, evalEvery: 0.5)
        let path = Self.directory + "/locked"
        let inFlight = path + "/.checkpoint.bin.99999.tmp"
        let first = try session(spec, at: path, resume: false)
        let stop = StopRequest()
        var refusal: String?
        var unchanged = false
        let outcome = try first.run(checkpointEvery: 0, stop: stop) { event in
            guard case .step(let progress) = event, progress.step == 3 else { return }
            let names = try! FileManager.default.contentsOfDirectory(atPath: path).sorted()
            let checkpoint = try! bytes(path + "/checkpoint.bin")
            #expect(FileManager.default.createFile(atPath: inFlight, contents: Data([1])))
            do {
                _ = try session(spec, at: path, resume: true)
            } catch {
                refusal = "\(error)"
            }
            unchanged = (try? bytes(inFlight)) == Data([1]) && (try? bytes(path + "/checkpoint.bin")) == checkpoint
            try? FileManager.default.removeItem(atPath: inFlight)
            unchanged = unchanged && (try? FileManager.default.contentsOfDirectory(atPath: path).sorted()) == names
            stop.request("test")
        }
        #expect(outcome == .stopped(reason: "test"))
        #expect(refusal == "\(path): another process is training this run (one writer at a time); wait for it to stop, or stop it (`make campaign-status` names the campaign's PID)")
        #expect(unchanged)

        let second = try session(spec, at: path, resume: true)
        #expect(second.trainer.steps == 4)
        #expect(try second.run() == .finished)
    }

    /// With a clock of zero seconds every step is saved: what a SIGTERM or a kill finds on disk
    /// is the last step trained.
    @Test func clockCheckpointsSaveBetweenEvaluations() throws {
        let spec = TrainerTests.spec(epochs: 0.5, evalEvery: 0.5)
        let path = Self.directory + "/clock"
        let session = try session(spec, at: path, resume: false)
        var seen: [Int] = []
        _ = try session.run(checkpointEvery: 0) { event in
            if case .step(let progress) = event, progress.step < progress.totalSteps {
                seen.append(try! Checkpoint.read(path + "/checkpoint.bin").header.steps)
            }
        }
        #expect(seen == Array(1..<session.trainer.totalSteps))
    }
}

/// spec.json is written once and is the reference of every resume and of the manifest.
@Suite(.serialized) struct RunSpecFileTests {
    static let directory = TrainerTests.directory

    /// A run stopped at step 5 (between evaluations), with its checkpoint.
    func stoppedRun(_ name: String) throws -> (path: String, spec: RunSpec) {
        let spec = TrainerTests.spec(epochs: 0.5, evalEvery: 0.5)
        let path = Self.directory + "/" + name
        let trainer = try TrainerTests.trainer(spec)
        let session = try RunSession(directory: RunDirectory(path: path), trainer: trainer, pool: trainer.pool, resume: false)
        let stop = StopRequest()
        _ = try session.run(stop: stop) { event in if case .step(let p) = event, p.step == 4 { stop.request("test") } }
        return (path, spec)
    }

    func resume(_ path: String, _ spec: RunSpec) throws {
        let trainer = try TrainerTests.trainer(spec)
        try RunDirectory(path: path).start(trainer, resume: true)
    }

    @Test func resumeWithOtherSettingsNamesThem() throws {
        let (path, spec) = try stoppedRun("other-settings")
        var other = spec
        other.learningRate = 1e-2
        other.epochs = 1
        #expect {
            try resume(path, other)
        } throws: { error in
            "\(error)".contains("spec.json: the run was started with other settings: epochs 0.5 (now 1), learning_rate 0.001 (now 0.01)")
        }
        // Before its first checkpoint too: spec.json alone holds the run's settings.
        try FileManager.default.removeItem(atPath: path + "/checkpoint.bin")
        #expect(throws: FileError.self) { try resume(path, other) }
        try resume(path, spec)
    }

    @Test func editedOrMissingSpecIsRefused() throws {
        let (path, spec) = try stoppedRun("edited-spec")
        let specPath = path + "/spec.json"
        let original = try Data(contentsOf: URL(fileURLWithPath: specPath))
        try (original + Data(" ".utf8)).write(to: URL(fileURLWithPath: specPath))
        #expect { try resume(path, spec) } throws: { "\($0)".contains("was edited after the run started") }
        try Data("{".utf8).write(to: URL(fileURLWithPath: specPath))
        #expect { try resume(path, spec) } throws: { "\($0)".contains("spec.json: invalid JSON") }
        try FileManager.default.removeItem(atPath: specPath)
        #expect { try resume(path, spec) } throws: { "\($0)".contains("spec.json: no such file, but the run has a checkpoint") }
        try original.write(to: URL(fileURLWithPath: specPath))
        try resume(path, spec)
    }

    /// An edit made while the run trains is found before the manifest would seal it.
    @Test func specEditedDuringTheRunIsNotSealed() throws {
        let spec = TrainerTests.spec(epochs: 0.5, evalEvery: 0.25)
        let path = Self.directory + "/sealed"
        let trainer = try TrainerTests.trainer(spec)
        let session = try RunSession(directory: RunDirectory(path: path), trainer: trainer, pool: trainer.pool, resume: false)
        var edited = false
        #expect {
            _ = try session.run { event in
                if case .evaluated = event, !edited {
                    edited = true
                    try! Data("{\"schema\":\"rnrepro.run-spec/1\"}\n".utf8).write(to: URL(fileURLWithPath: path + "/spec.json"))
                }
            }
        } throws: { "\($0)".contains("spec.json") }
        #expect(!FileManager.default.fileExists(atPath: path + "/manifest.json"))
    }

    @Test func temporaryFilesOfAKilledWriterAreRemoved() throws {
        let (path, spec) = try stoppedRun("leftovers")
        for name in [".checkpoint.bin.4242.tmp", ".spec.json.77.tmp"] {
            try Data("partial".utf8).write(to: URL(fileURLWithPath: path + "/" + name))
        }
        try Data("mine".utf8).write(to: URL(fileURLWithPath: path + "/notes.tmp"))
        try resume(path, spec)
        let names = try FileManager.default.contentsOfDirectory(atPath: path)
        #expect(!names.contains { $0.hasPrefix(".") })
        #expect(names.contains("notes.tmp"))
    }
}

/// A run killed after its last step, before its manifest: the next sitting writes the manifest
/// instead of calling the run finished without one.
@Suite struct FinishedWithoutManifestTests {
    @Test func resumeWritesTheMissingManifest() throws {
        let spec = TrainerTests.spec(epochs: 0.25, evalEvery: 0.25)
        let path = TrainerTests.directory + "/no-manifest-\(UUID().uuidString)"
        let trainer = try TrainerTests.trainer(spec)
        let first = try RunSession(directory: RunDirectory(path: path), trainer: trainer, pool: trainer.pool, resume: false)
        #expect(try first.run() == .finished)
        let manifest = path + "/manifest.json"
        try FileManager.default.removeItem(atPath: manifest)

        let again = try TrainerTests.trainer(spec)
        let session = try RunSession(directory: RunDirectory(path: path), trainer: again, pool: again.pool, resume: true)
        #expect(again.steps == again.totalSteps)
        #expect(try session.run() == .finished)
        #expect(try RunDirectory(path: path).verifiedManifest().files.count == 3)
    }
}
