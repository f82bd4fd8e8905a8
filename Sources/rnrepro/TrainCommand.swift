import ArgumentParser
import Artifacts
import Dispatch
import Foundation
import Models
import SortOfCLEVR
import Training
import _RNReproSupport

/// `rnrepro train`: one training run, resumable, with metrics and checkpoints in its directory.
struct TrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train",
        abstract: "Train one model on a data set (docs/spec.md section 4), with metrics and checkpoints.",
        discussion: """
            Writes DIR/spec.json, DIR/metrics.jsonl (one line per evaluation), DIR/checkpoint.bin \
            (after every evaluation and every --checkpoint-every minutes between them), \
            DIR/segments.jsonl (where each sitting ran) and, at the end, DIR/manifest.json. \
            SIGTERM or Ctrl-C checkpoints and stops (exit 128 + the signal's number); with \
            --resume the run continues bit-identically from its last checkpoint.
            """
    )

    @OptionGroup var settings: RunOptions

    @Option(help: "The data set file (from rnrepro generate).")
    var data: String

    @Option(help: "The run's directory.")
    var out: String

    @Flag(help: "Continue the run in --out from its last checkpoint.")
    var resume = false

    @OptionGroup var checkpointOptions: CheckpointOptions

    @OptionGroup var threadOptions: ThreadOptions

    func validate() throws {
        try OutputPath.checkDirectory(out, option: "--out")
    }

    func run() throws {
        let dataset = try DatasetFile.read(data)
        let spec = settings.spec(dataset: dataset)
        let configuration = try RunConfiguration(spec)
        let pool = try threadOptions.makePool()
        let trainer = try Trainer(configuration: configuration, dataset: dataset, pool: pool)
        let stop = StopRequest()
        stop.catchSignals()
        let session = try RunSession(directory: RunDirectory(path: out), trainer: trainer, pool: pool, resume: resume)
        if trainer.steps >= trainer.totalSteps, FileManager.default.fileExists(atPath: session.directory.manifestPath) {
            print("\(out): already finished (\(trainer.steps) steps)")
            return
        }
        let display = ProgressDisplay(label: "\(spec.model.rawValue) b\(spec.batchSize) lr\(spec.learningRate)")
        let outcome = try session.run(checkpointEvery: checkpointOptions.seconds, stop: stop) { event in
            switch event {
            case .step(let progress): display.update(progress)
            case .evaluated(let line, let progress): display.evaluated(line, progress)
            }
        }
        display.finish()
        try CheckpointOptions.exitIfStopped(outcome, by: stop, at: "at step \(trainer.steps)",
                                            resume: "the same rnrepro train command with --resume")
        let directory = session.directory
        print("wrote \(directory.metricsPath), \(directory.checkpointPath), \(directory.manifestPath)")
    }
}

/// `--checkpoint-every`, and how a run stopped by a signal ends the command.
struct CheckpointOptions: ParsableArguments {
    @Option(help: ArgumentHelp("Minutes of training between two checkpoints, between evaluations.", valueName: "minutes"))
    var checkpointEvery: Double = RunSession.defaultCheckpointInterval / 60

    func validate() throws {
        guard checkpointEvery > 0 else { throw ValidationError("--checkpoint-every must be positive (got \(checkpointEvery))") }
    }

    var seconds: Double { checkpointEvery * 60 }

    /// After a stop request: says where the run stands and how to go on, and exits with
    /// 128 + the signal's number, as a process ended by it would.
    static func exitIfStopped(_ outcome: RunSession.Outcome, by stop: StopRequest, at position: String, resume: String) throws {
        guard case .stopped(let reason) = outcome else { return }
        FileHandle.standardError.write(Data("rnrepro: stopped by \(reason) \(position) with a checkpoint; continue with: \(resume)\n".utf8))
        throw ExitCode(128 + (stop.signal ?? SIGTERM))
    }
}

/// The settings that make a run's spec, shared by `train` and `export-step`.
struct RunOptions: ParsableArguments {
    @Option(help: "rn or cnn-mlp.")
    var model: RunSpec.Model = .rn

    @Option(parsing: .unconditional, help: "Batch size.")
    var batch: Int = 64

    @Option(parsing: .unconditional, help: "Learning rate.")
    var lr: Double = 1e-4

    @Option(parsing: .unconditional, help: "Training length in epochs (fractions allowed).")
    var epochs: Double = 20

    @Option(parsing: .unconditional, help: "Evaluate every this many epochs (fractions allowed).")
    var evalEvery: Double = 1

    @Option(parsing: .unconditional, help: "Seed of initialisation, shuffles and dropout.")
    var seed: UInt64 = 1

    @Option(help: "adam (the paper), sgd-momentum or nadam.")
    var optimizer: RunSpec.Optimizer = .adam

    @Option(parsing: .unconditional, help: "Width of g and f (RN) or of the MLP; 256 in the paper.")
    var hidden: Int = 256

    @Option(help: "Dropout before the last layer: train (standard), none, or train+test.")
    var dropout: RunSpec.Dropout = .train

    @Option(help: "RN coordinate tags: grid (docs/spec.md section 3) or py3.")
    var coordinateTags: RunSpec.CoordinateTags = .grid

    func validate() throws {
        guard batch >= 1 else { throw ValidationError("--batch must be at least 1 (got \(batch))") }
        // The optimizer computes in Float: a rate it cannot hold would make every step infinite.
        guard lr > 0, lr <= Double(Float.greatestFiniteMagnitude) else {
            throw ValidationError("--lr must be a positive number below 3.4e38 (got \(lr))")
        }
        guard epochs > 0 else { throw ValidationError("--epochs must be positive (got \(epochs))") }
        guard evalEvery > 0 else { throw ValidationError("--eval-every must be positive (got \(evalEvery))") }
        guard hidden >= 1 else { throw ValidationError("--hidden must be at least 1 (got \(hidden))") }
    }

    func spec(dataset: SortOfCLEVRDataset) -> RunSpec {
        RunSpec(model: model, hidden: hidden, batchSize: batch, learningRate: lr, optimizer: optimizer, epochs: epochs,
                evalEvery: min(evalEvery, epochs), seed: seed, dropout: dropout, coordinateTags: coordinateTags,
                dataset: DatasetRef(seed: dataset.header.seed, trainImages: dataset.train.count,
                                    testImages: dataset.test.count, exactClosest: dataset.header.rules.exactClosest,
                                    sha256: dataset.sha256))
    }
}

/// Progress on stderr: one live line on a terminal, plain lines every 30 s in a log.
final class ProgressDisplay {
    let label: String
    let isTerminal = isatty(STDERR_FILENO) != 0
    var lastPlainLine = DispatchTime.now()

    init(label: String) { self.label = label }

    func update(_ progress: TrainingProgress) {
        let now = DispatchTime.now()
        if isTerminal {
            write("\r\u{1B}[K" + describe(progress))
        } else if Double(now.uptimeNanoseconds - lastPlainLine.uptimeNanoseconds) / 1e9 >= 30 {
            lastPlainLine = now
            write(describe(progress) + "\n")
        }
    }

    func evaluated(_ line: MetricsLine, _ progress: TrainingProgress) {
        let text = String(format: "%@ epoch %.2f: test rel %.1f%% nonrel %.1f%%, train loss rel %.3f nonrel %.3f, %.0f samples/s",
                          label, line.epoch, line.testAccuracy.rel, line.testAccuracy.nonrel,
                          line.trainLoss.rel, line.trainLoss.nonrel, progress.samplesPerSecond)
        write((isTerminal ? "\r\u{1B}[K" : "") + text + "\n")
    }

    func finish() {
        if isTerminal { write("\r\u{1B}[K") }
    }

    private func describe(_ progress: TrainingProgress) -> String {
        var text = String(format: "%@ epoch %.2f step %d/%d, %.0f samples/s", label, progress.epoch, progress.step,
                          progress.totalSteps, progress.samplesPerSecond)
        if let eta = progress.etaSeconds { text += ", ETA " + formatDuration(eta) }
        if let accuracy = progress.lastTestAccuracy {
            text += String(format: ", last test rel %.1f%% nonrel %.1f%%", accuracy.rel, accuracy.nonrel)
        }
        return text
    }

    private func write(_ text: String) {
        FileHandle.standardError.write(Data(text.utf8))
    }
}

/// "42 s", "12 min", "3.5 h".
func formatDuration(_ seconds: Double) -> String {
    if seconds < 90 { return String(format: "%.0f s", seconds) }
    if seconds < 5400 { return String(format: "%.0f min", seconds / 60) }
    return String(format: "%.1f h", seconds / 3600)
}

/// `rnrepro export-step`: one training step as .npy files, for checking in another framework.
struct ExportStepCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-step",
        abstract: "Write one training step (inputs, parameters, gradients, update) as NumPy .npy files.",
        discussion: """
            Dropout off, batch norm in training mode, one optimizer step at --lr. Layout and names \
            in docs/export-step.md; tools/torch_check_step.py checks the files against PyTorch.
            """
    )

    @OptionGroup var settings: RunOptions

    @Option(help: "The data set file (from rnrepro generate).")
    var data: String

    @Option(help: "Directory for the .npy files.")
    var out: String

    @OptionGroup var threadOptions: ThreadOptions

    func validate() throws {
        try OutputPath.checkDirectory(out, option: "--out")
    }

    func run() throws {
        let dataset = try DatasetFile.read(data)
        let configuration = try RunConfiguration(settings.spec(dataset: dataset))
        let loss = try StepExport.write(configuration: configuration, dataset: dataset, to: out,
                                        pool: try threadOptions.makePool())
        print("wrote one \(settings.model.rawValue) step to \(out)/ (loss \(loss))")
    }
}

extension RunSpec.Model: ExpressibleByArgument {}
extension RunSpec.Optimizer: ExpressibleByArgument {}
extension RunSpec.Dropout: ExpressibleByArgument {}
extension RunSpec.CoordinateTags: ExpressibleByArgument {}
