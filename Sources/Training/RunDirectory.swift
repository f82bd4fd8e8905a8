import Artifacts
import Foundation
import _RNReproSupport

/// A run's directory: `spec.json`, `metrics.jsonl`, `checkpoint.bin` and, when finished,
/// `manifest.json`. Subscribes to a trainer's events; every file is replaced atomically, the
/// checkpoint before the metrics, so an interrupted run always resumes from a consistent state.
public struct RunDirectory {
    public let path: String

    public init(path: String) { self.path = path }

    public var specPath: String { path + "/spec.json" }
    public var metricsPath: String { path + "/metrics.jsonl" }
    public var checkpointPath: String { path + "/checkpoint.bin" }
    public var manifestPath: String { path + "/manifest.json" }

    public var hasCheckpoint: Bool { FileManager.default.fileExists(atPath: checkpointPath) }
    public var isFinished: Bool { FileManager.default.fileExists(atPath: manifestPath) }

    /// Prepares the directory for a new run or a resumed one and returns the trainer ready to
    /// continue. A new run refuses a directory that already holds one.
    public func start(_ trainer: Trainer, resume: Bool) throws {
        if resume, hasCheckpoint {
            let checkpoint = try Checkpoint.read(checkpointPath)
            do {
                try trainer.restore(checkpoint)
            } catch let error as RunSpecError {
                throw FileError(path: checkpointPath, reason: error.message)
            }
            try writeMetrics(trainer.metrics)
            return
        }
        guard !hasCheckpoint else {
            throw FileError(path: path, reason: "already holds a run (checkpoint.bin); pass --resume to continue it or choose another --out")
        }
        try JSONFiles.write(trainer.configuration.spec, to: specPath)
        try writeMetrics([])
    }

    /// Writes what an evaluation changed: the checkpoint, then the metrics.
    public func recordEvaluation(of trainer: Trainer) throws {
        try trainer.checkpoint().write(to: checkpointPath)
        try writeMetrics(trainer.metrics)
    }

    /// Writes the manifest: provenance, timings, and the hashes of the run's files.
    public func finish(_ trainer: Trainer, threads: Int, wallSeconds: Double) throws {
        var files: [FileHash] = []
        for name in ["checkpoint.bin", "metrics.jsonl", "spec.json"] {
            files.append(FileHash(name: name, sha256: JSONFiles.sha256(try AtomicFile.read(path + "/" + name))))
        }
        let questions = Double(trainer.steps * trainer.configuration.spec.batchSize)
        let manifest = RunManifest(
            runID: URL(fileURLWithPath: path).lastPathComponent, provenance: .current(), threads: threads,
            trainSeconds: trainer.trainSeconds, wallSeconds: wallSeconds,
            samplesPerSecond: trainer.trainSeconds > 0 ? questions / trainer.trainSeconds : 0, files: files)
        try JSONFiles.write(manifest, to: manifestPath)
    }

    private func writeMetrics(_ lines: [MetricsLine]) throws {
        var data = Data()
        for line in lines { data.append(try JSONFiles.line(line)) }
        try AtomicFile.write(data, to: metricsPath)
    }
}
