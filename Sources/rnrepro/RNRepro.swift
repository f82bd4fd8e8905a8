import ArgumentParser
import Artifacts
import Engine
import Foundation

/// The `rnrepro` command: every workflow of the reproduction is one of its verbs.
struct RNRepro: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "rnrepro",
        abstract: "Reproduces Lee & Lim (2018), Relation Networks on Sort-of-CLEVR, on a CPU.",
        discussion: """
            Regenerates Sort-of-CLEVR from a seed, trains the paper's configurations with a SIMD \
            engine, checks accuracies against golden bands and renders a report.
            """,
        version: Provenance.programVersion,
        subcommands: [
            GenerateCommand.self, DatasetCommand.self, TrainCommand.self, ExportStepCommand.self,
            ReproduceCommand.self, PlanCommand.self, CheckCommand.self, GoldenCommand.self, ReportCommand.self,
            CampaignCommand.self, BenchCommand.self,
        ]
    )
}

/// Runs the command. Errors become one line on stderr, `rnrepro: error: ...`, and a non-zero
/// exit; help and version requests print as usual.
@main
enum Main {
    static func main() {
        do {
            var command = try RNRepro.parseAsRoot()
            try command.run()
            StandardOutput.finish(status: 0)
        } catch let exit as ExitCode {
            // A command that already said what it had to (e.g. `check` on drift).
            StandardOutput.finish(status: exit.rawValue)
        } catch let error as StandardOutput.WriteError {
            StandardOutput.fail(error)
        } catch {
            let code = RNRepro.exitCode(for: error)
            guard code != .success else { RNRepro.exit(withError: error) }
            let message = RNRepro.message(for: error)
                .split(whereSeparator: \.isNewline).joined(separator: " ")
            FileHandle.standardError.write(Data("rnrepro: error: \(message)\n".utf8))
            StandardOutput.finish(status: code.rawValue == 0 ? 1 : code.rawValue)
        }
    }
}

/// Standard output, every write checked. A reader that went away (EPIPE, with SIGPIPE ignored)
/// ends the program quietly with 141, the status of a process SIGPIPE ends; any other failure
/// (a full disk, /dev/full) is one line on stderr and exit 1, never a crash or a silent success.
enum StandardOutput {
    struct WriteError: Error {
        let code: Int32
    }

    /// Writes `text` now, unbuffered (for output that streams; `print` is for short reports).
    static func write(_ text: String) throws {
        do {
            try FileHandle.standardOutput.write(contentsOf: Data(text.utf8))
        } catch {
            let error = error as NSError
            let underlying = error.userInfo[NSUnderlyingErrorKey] as? NSError
            throw WriteError(code: Int32(underlying?.code ?? (error.domain == NSPOSIXErrorDomain ? error.code : Int(EIO))))
        }
    }

    /// Flushes what `print` buffered and exits with `status`, or fails if the flush does.
    static func finish(status: Int32) -> Never {
        if fflush(nil) != 0 { fail(WriteError(code: errno)) }
        exit(status)
    }

    static func fail(_ error: WriteError) -> Never {
        if error.code == EPIPE { exit(128 + SIGPIPE) }
        FileHandle.standardError.write(Data("rnrepro: error: cannot write standard output: \(String(cString: strerror(error.code)))\n".utf8))
        exit(1)
    }
}

/// `--threads`, shared by every command that computes.
struct ThreadOptions: ParsableArguments {
    @Option(parsing: .unconditional, help: "Threads to use (default: RNREPRO_THREADS, else all cores). Results do not depend on it.")
    var threads: Int?

    @Option(help: "Matrix kernels: avx2 or avx512 (default: RNREPRO_ISA, else the widest this CPU runs). Results do not depend on it.")
    var isa: VectorISA?

    func validate() throws {
        if let threads, threads < 1 {
            throw ValidationError("--threads must be at least 1 (got \(threads))")
        }
        if let isa, !isa.isSupported { throw ValidationError("--isa: \(VectorISAError.unsupported(isa))") }
    }

    /// A pool of `--threads` threads, else RNREPRO_THREADS, else all cores, running the
    /// `--isa` kernels, else RNREPRO_ISA's, else the widest.
    func makePool() throws -> ThreadPool {
        ThreadPool(
            threadCount: try threads ?? ThreadPool.defaultThreadCount(),
            isa: try isa ?? ThreadPool.defaultISA())
    }
}

/// `--isa avx2|avx512`: a known name parses; whether this CPU runs it, `validate()` says.
extension VectorISA: ExpressibleByArgument {}
