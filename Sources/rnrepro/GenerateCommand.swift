import ArgumentParser
import Dispatch
import Foundation
import SortOfCLEVR
import _RNReproSupport

/// `rnrepro generate`: writes a Sort-of-CLEVR data set file.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Generate a Sort-of-CLEVR data set file from a seed.",
        discussion: """
            Image i of a split is a pure function of (seed, split, i): the file's bytes, and the \
            SHA-256 printed, depend on the arguments only, not on --threads.
            """
    )

    @Option(parsing: .unconditional, help: "Seed of the data set (0 ... 2^64-1).")
    var seed: UInt64

    // `.unconditional` so that `--train -5` reaches `validate()` as a number instead of
    // being read as an unknown short option.
    @Option(parsing: .unconditional, help: "Number of training images (the paper: 9800).")
    var train: Int

    @Option(parsing: .unconditional, help: "Number of test images (the paper: 200).")
    var test: Int

    @Flag(help: "Answer 'closest' with the truly nearest other object instead of the 2017 reference's quirk.")
    var exactClosest = false

    @Option(help: "Path of the file to write (its directory must exist).")
    var out: String

    @OptionGroup var threadOptions: ThreadOptions

    func validate() throws {
        guard train >= 1 else { throw ValidationError("--train must be at least 1 (got \(train))") }
        guard test >= 1 else { throw ValidationError("--test must be at least 1 (got \(test))") }
        guard train + test <= DatasetFile.maximumImageCount else {
            throw ValidationError("--train plus --test must be at most \(DatasetFile.maximumImageCount)")
        }
        try OutputPath.checkFile(out, option: "--out")
    }

    func run() throws {
        let header = DatasetHeader(
            seed: seed, testCount: test, trainCount: train, rules: AnswerRules(exactClosest: exactClosest))
        let pool = try threadOptions.makePool()
        let start = DispatchTime.now()
        let (sha256, statistics) = try DatasetFile.generate(header, to: out, pool: pool)
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start.uptimeNanoseconds) / 1e9
        print("wrote \(out): \(test) test + \(train) training images, seed \(seed), closest rule \(exactClosest ? "exact" : "reference quirk"), \(pool.threadCount) threads, \(String(format: "%.1f", seconds)) s")
        print("answer distribution per question subtype (both splits):")
        for line in statistics.summaryLines(rules: header.rules) { print(line) }
        print("sha256=\(sha256)")
    }
}
