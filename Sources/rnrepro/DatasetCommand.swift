import ArgumentParser
import Artifacts
import Experiments
import Foundation
import Report
import SortOfCLEVR
import _RNReproSupport

/// `rnrepro dataset`: looks inside a data set file.
struct DatasetCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dataset",
        abstract: "Inspect a data set file.",
        subcommands: [ExportJSONL.self, Show.self]
    )
}

extension DatasetCommand {
    /// One JSON object per image, for checking the data with other tools.
    struct ExportJSONL: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "export-jsonl",
            abstract: "Print the data set as JSON Lines: one object per image, test images first.",
            discussion: """
                Keys: split, index, objects (drawing order: color 0-5, shape, x, y), questions \
                (type, subtype, color, vector, answer) and, with --pixels, pixels as rows (y) of \
                columns (x) of [r,g,b].
                """
        )

        @Argument(help: "The data set file.")
        var file: String

        @Option(help: "Print only the first K images.")
        var limit: Int?

        @Flag(help: "Include every image's pixels.")
        var pixels = false

        func validate() throws {
            if let limit, limit < 0 { throw ValidationError("--limit must not be negative (got \(limit))") }
        }

        func run() throws {
            let dataset = try DatasetFile.read(file)
            var remaining = limit ?? Int.max
            for split in [Split.test, .train] {
                let data = dataset.split(split)
                for index in 0..<data.count where remaining > 0 {
                    remaining -= 1
                    var line = JSONLines.image(data.scenes[index], split: split, index: index)
                    if pixels {
                        line.removeLast()
                        line += ",\"pixels\":" + JSONLines.pixels(data.image(index)) + "}"
                    }
                    try StandardOutput.write(line + "\n")
                }
            }
        }
    }

    /// A PNG of one image with its questions and answers.
    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show",
            abstract: "Draw one image, enlarged, with its 20 questions and answers, as a PNG."
        )

        @Argument(help: "The data set file.")
        var file: String

        @Option(help: "Index of the image within its split.")
        var index: Int

        @Option(help: "Split: train or test.")
        var split: Split = .train

        @Option(help: "Path of the PNG to write.")
        var out: String

        func validate() throws {
            guard index >= 0 else { throw ValidationError("--index must not be negative (got \(index))") }
            try OutputPath.checkFile(out, option: "--out")
        }

        func run() throws {
            let dataset = try DatasetFile.read(file)
            let data = dataset.split(split)
            guard index < data.count else {
                throw ValidationError("--index \(index) is out of range: the \(split.name) split of \(file) has \(data.count) images")
            }
            let sample = SceneSample(data, index: index)
            try SceneSheet.writePNG(sample, to: out)
            print("wrote \(out)")
        }
    }
}

/// The JSON of `export-jsonl`, written by hand: fixed key order and no floating-point surprises.
enum JSONLines {
    static func image(_ scene: Scene, split: Split, index: Int) -> String {
        let objects = scene.objects.map {
            "{\"color\":\($0.color.rawValue),\"shape\":\"\($0.shape.name)\",\"x\":\($0.x),\"y\":\($0.y)}"
        }
        let questions = scene.questions.map { question in
            let vector = question.vector.map { $0 == 1 ? "1.0" : "0.0" }.joined(separator: ",")
            return "{\"type\":\"\(question.type.name)\",\"subtype\":\(question.subtype),\"color\":\(question.color.rawValue),\"vector\":[\(vector)],\"answer\":\(question.answer)}"
        }
        return "{\"split\":\"\(split.name)\",\"index\":\(index),\"objects\":[\(objects.joined(separator: ","))],\"questions\":[\(questions.joined(separator: ","))]}"
    }

    /// Rows (y) of columns (x) of [r,g,b].
    static func pixels(_ image: ArraySlice<UInt8>) -> String {
        let side = SceneGeometry.side
        let base = image.startIndex
        var text = "["
        text.reserveCapacity(side * side * 14)
        for y in 0..<side {
            text += y == 0 ? "[" : ",["
            for x in 0..<side {
                let offset = base + (y * side + x) * 3
                text += x == 0 ? "[" : ",["
                text += "\(image[offset]),\(image[offset + 1]),\(image[offset + 2])]"
            }
            text += "]"
        }
        return text + "]"
    }
}

extension Split: ExpressibleByArgument {
    public init?(argument: String) { self.init(name: argument) }
    public static var allValueStrings: [String] { ["train", "test"] }
}
