import Artifacts
import Engine
import Foundation
import _RNReproSupport

/// A run's directory: `spec.json`, `metrics.jsonl`, `checkpoint.bin`, `timings.jsonl`,
/// `segments.jsonl` and, when finished, `manifest.json`. Every file is replaced atomically, the
/// checkpoint before the metrics, so an interrupted run always resumes from a consistent state.
///
/// spec.json, metrics.jsonl and the final checkpoint.bin depend on the spec and the data only: a
/// run killed and resumed any number of times ends with the same bytes as one that never
/// stopped. timings.jsonl, segments.jsonl and the manifest say how long it took and where it ran.
public struct RunDirectory {
    /// The folder's layout (Artifacts).
    public let folder: RunFolder
    public var path: String { folder.path }

    public init(path: String) { folder = RunFolder(path: path) }

    public var specPath: String { folder.specPath }
    public var metricsPath: String { folder.metricsPath }
    public var timingsPath: String { folder.timingsPath }
    public var checkpointPath: String { folder.checkpointPath }
    public var manifestPath: String { folder.manifestPath }
    public var segmentsPath: String { folder.segmentsPath }

    public var hasCheckpoint: Bool { FileManager.default.fileExists(atPath: checkpointPath) }

    /// The manifest of a finished run, once every file it lists (metrics.jsonl among them) has
    /// the hash it recorded; throws naming what is missing or changed.
    public func verifiedManifest() throws -> RunManifest {
        guard FileManager.default.fileExists(atPath: manifestPath) else {
            throw FileError(path: manifestPath, reason: "no such file: the run has not finished")
        }
        let manifest = try JSONFiles.read(RunManifest.self, from: manifestPath, schema: RunManifest.schema)
        guard manifest.files.contains(where: { $0.name == RunFolder.metrics }) else {
            throw FileError(path: manifestPath, reason: "lists no hash of metrics.jsonl")
        }
        for file in manifest.files {
            let filePath = folder.file(file.name)
            guard JSONFiles.sha256(try AtomicFile.read(filePath)) == file.sha256 else {
                throw FileError(path: filePath, reason: "does not match the SHA-256 its run's manifest.json recorded (changed after the run finished?)")
            }
        }
        return manifest
    }

    /// Prepares the directory for a new run or a resumed one and readies the trainer to
    /// continue. spec.json is written once, when the run starts, and is the reference every
    /// resume is compared with, setting by setting; a new run refuses a directory that holds one.
    /// Temporary files a killed writer left behind are removed first.
    public func start(_ trainer: Trainer, resume: Bool) throws {
        AtomicFile.removeLeftovers(in: path)
        let spec = trainer.configuration.spec
        let hasSpec = FileManager.default.fileExists(atPath: specPath)
        if hasSpec || hasCheckpoint {
            guard resume else {
                throw FileError(path: path, reason: "already holds a run (spec.json); pass --resume to continue it or choose another --out")
            }
            try verifySpec(spec, when: "was started")
            if hasCheckpoint {
                let checkpoint = try Checkpoint.read(checkpointPath)
                // Timings are for the record only: a run whose timings.jsonl is missing or
                // damaged resumes all the same, its wall time counted from here.
                let timings = (try? JSONFiles.readLines(TimingLine.self, from: timingsPath)) ?? []
                do {
                    try trainer.restore(checkpoint, timings: timings)
                } catch let error as RunSpecError {
                    throw FileError(path: checkpointPath, reason: error.message)
                }
                try writeLines(trainer.metrics, to: metricsPath)
                try writeLines(trainer.timings, to: timingsPath)
                try writeSegments(segments(before: trainer.steps))
                return
            }
            // Stopped before its first checkpoint: it starts again from step 0, same spec.
        } else {
            try JSONFiles.write(spec, to: specPath)
        }
        try writeLines([MetricsLine](), to: metricsPath)
        try writeLines([TimingLine](), to: timingsPath)
        try writeSegments([])
    }

    /// spec.json must hold `spec`, byte for byte as it was written: it is what the manifest seals
    /// and what every resume is compared with. A missing, damaged or edited spec.json is named,
    /// with the settings that differ.
    func verifySpec(_ spec: RunSpec, when: String) throws {
        guard FileManager.default.fileExists(atPath: specPath) else {
            throw FileError(path: specPath, reason: "no such file, but the run has a checkpoint; the run cannot be verified without it")
        }
        let recorded = try JSONFiles.read(RunSpec.self, from: specPath, schema: RunSpec.schema)
        let differences = recorded.differences(from: spec)
        guard differences.isEmpty else {
            throw FileError(path: specPath, reason: "the run \(when) with other settings: \(differences.joined(separator: ", ")); give the same settings, or choose another --out")
        }
        var canonical = try JSONFiles.encoder().encode(spec)
        canonical.append(0x0A)
        guard try AtomicFile.read(specPath) == canonical else {
            throw FileError(path: specPath, reason: "was edited after the run started (its values are the run's, its bytes are not)")
        }
    }

    /// Writes what an evaluation changed: the checkpoint, then the metrics and timings.
    public func recordEvaluation(of trainer: Trainer) throws {
        try trainer.checkpoint().write(to: checkpointPath)
        try writeLines(trainer.metrics, to: metricsPath)
        try writeLines(trainer.timings, to: timingsPath)
    }

    /// The sittings recorded before step `step` (segments.jsonl), cut at that step: a sitting
    /// killed after its last checkpoint trained steps that the next one trains again. Like
    /// timings, they are for the record only, so a missing or damaged file reads as none.
    public func segments(before step: Int) -> [TrainingSegment] {
        let lines = (try? JSONFiles.readLines(TrainingSegment.self, from: segmentsPath)) ?? []
        return lines.filter { $0.fromStep < step }.map { segment in
            var segment = segment
            segment.toStep = min(segment.toStep, step)
            return segment
        }
    }

    public func writeSegments(_ segments: [TrainingSegment]) throws {
        try writeLines(segments, to: segmentsPath)
    }

    /// Writes the manifest: provenance, timings, sittings, and the hashes of the run's files,
    /// once spec.json is verified to be still the run's.
    public func finish(_ trainer: Trainer, pool: ThreadPool, segments: [TrainingSegment]) throws {
        try verifySpec(trainer.configuration.spec, when: "was trained")
        var files: [FileHash] = []
        for name in RunFolder.sealedFiles {
            files.append(FileHash(name: name, sha256: JSONFiles.sha256(try AtomicFile.read(folder.file(name)))))
        }
        let questions = Double(trainer.steps * trainer.configuration.spec.batchSize)
        let manifest = RunManifest(
            runID: URL(fileURLWithPath: path).lastPathComponent, provenance: .current(), threads: pool.threadCount,
            isa: pool.isa.rawValue,
            trainSeconds: trainer.trainSeconds, wallSeconds: segments.reduce(0) { $0 + $1.wallSeconds },
            samplesPerSecond: trainer.trainSeconds > 0 ? questions / trainer.trainSeconds : 0, files: files,
            segments: segments)
        try JSONFiles.write(manifest, to: manifestPath)
    }

    /// Takes the run's writer lock: a `FileLock` on the directory itself (created if need be),
    /// so two processes never write one run at once (a campaign and an `rnrepro train --resume`
    /// of one of its runs, two campaigns in one tree, two cluster tasks given one run); it
    /// leaves no file behind. Throws at once when another process holds it. Returns nil on a
    /// file system that cannot lock a directory (NFS): there the run goes unguarded rather than
    /// not at all.
    public func lock() throws -> FileLock? {
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw FileError(path: path, reason: "cannot create the run's directory: \(AtomicFile.describe(error))")
        }
        switch try FileLock.attempt(path, flags: O_RDONLY | O_DIRECTORY, what: "the run's directory") {
        case .acquired(let lock):
            return lock
        case .held:
            throw FileError(path: path, reason: "another process is training this run (one writer at a time); wait for it to stop, or stop it (`make campaign-status` names the campaign's PID)")
        case .unsupported:
            return nil
        }
    }

    private func writeLines<Line: Encodable>(_ lines: [Line], to path: String) throws {
        var data = Data()
        for line in lines { data.append(try JSONFiles.line(line)) }
        try AtomicFile.write(data, to: path)
    }
}
