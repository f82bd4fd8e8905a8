import Foundation
import Testing
import _RNReproTestSupport
import _RNReproSupport

@testable import Artifacts

@Suite struct PaperFactsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    @Test func paperFileReadsAndMatchesSpec() throws {
        let paper = try JSONFiles.read(PaperFacts.self, from: Self.root.appendingPathComponent("paper/paper.json").path, schema: PaperFacts.schema)
        #expect(paper.table1.count == 2 && paper.table2.count == 5)
        #expect(paper.allRows.count == 6)
        #expect(paper.row("rn-b64-lr1e-4")?.relational.text == "87~90")
        #expect(paper.row("rn-b64-lr1e-2")?.nonRelational.text == "15")
        #expect(paper.row("cnn-mlp-b64-lr1e-4")?.epochs == 50)
        for figure in paper.figures {
            #expect(figure.rows.allSatisfy { paper.row($0) != nil })
        }
    }

    @Test func wrongSchemaIsNamed() throws {
        let directory = try Scratch.path("paper-facts")
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/paper.json"
        try Data("{\"schema\": \"rnrepro.paper/9\"}".utf8).write(to: URL(fileURLWithPath: path))
        #expect(throws: FileError(path: path, reason: "unknown schema 'rnrepro.paper/9', expected 'rnrepro.paper/1'")) {
            try JSONFiles.read(PaperFacts.self, from: path, schema: PaperFacts.schema)
        }
    }

    @Test func runSpecHashIsStableAndSensitive() {
        let dataset = DatasetRef(seed: 1, trainImages: 9_800, testImages: 200, exactClosest: false, sha256: "ab")
        var spec = RunSpec(model: .rn, hidden: 256, batchSize: 64, learningRate: 1e-4, optimizer: .adam, epochs: 20,
                           evalEvery: 1, seed: 1, dropout: .train, coordinateTags: .grid, dataset: dataset)
        let hash = spec.hash
        #expect(hash.count == 12 && hash == spec.hash)
        spec.learningRate = 1e-3
        #expect(spec.hash != hash)
    }

    @Test func metricsLineRoundTrip() throws {
        let line = MetricsLine(epoch: 0.5, steps: 10, samples: 640,
                               trainLoss: PerType(rel: 1.2, nonrel: 0.7), trainAccuracy: PerType(rel: 40, nonrel: 55),
                               testAccuracy: PerType(rel: 44, nonrel: 51),
                               testAccuracyBySubtype: PerType(rel: [50, 50, 32], nonrel: [50, 51, 52]))
        let data = try JSONFiles.line(line)
        #expect(String(decoding: data, as: UTF8.self).hasPrefix("{\"epoch\":0.5,\"samples\":640,"))
        #expect(try JSONDecoder().decode(MetricsLine.self, from: data) == line)
    }
}
