import Artifacts
import Foundation
import Testing
import _RNReproTestSupport
import _RNReproSupport

@testable import Training

@Suite struct FileFormatTests {
    static func scratch() throws -> String { try Scratch.path("training") }

    static let spec = RunSpec(
        model: .rn, hidden: 8, batchSize: 4, learningRate: 1e-4, optimizer: .adam, epochs: 1, evalEvery: 1,
        seed: 3, dropout: .train, coordinateTags: .grid,
        dataset: DatasetRef(seed: 1, trainImages: 10, testImages: 2, exactClosest: false, sha256: "00"))

    @Test func checkpointRoundTripAndDamage() throws {
        let directory = try Self.scratch()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/checkpoint.bin"
        let checkpoint = Checkpoint(spec: Self.spec, steps: 12, optimizerSteps: 12,
                                    sections: [("parameters", [1, -2.5, .leastNonzeroMagnitude]), ("adam.m", [0, 0.25])])
        try checkpoint.write(to: path)
        #expect(try Checkpoint.read(path) == checkpoint)
        #expect(try Checkpoint.read(path).section("adam.m") == [0, 0.25])

        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        data[data.count - 40] ^= 1
        try data.write(to: URL(fileURLWithPath: path))
        #expect(throws: FileError.self) { try Checkpoint.read(path) }
        try Data(data.prefix(20)).write(to: URL(fileURLWithPath: path))
        #expect(throws: FileError.self) { try Checkpoint.read(path) }
    }

    /// The .npy header is NumPy's: checked against numpy itself in the export-step tests; here
    /// against the format's fixed rules.
    @Test func npyHeader() {
        let data = NPY.encode([Int64(1), 2, 3], shape: [3])
        #expect(data.prefix(6) == Data([0x93] + Array("NUMPY".utf8)))
        let headerLength = Int(data[8]) | Int(data[9]) << 8
        #expect((10 + headerLength) % 64 == 0)
        let header = String(decoding: data[10..<(10 + headerLength)], as: UTF8.self)
        #expect(header.hasPrefix("{'descr': '<i8', 'fortran_order': False, 'shape': (3,), }"))
        #expect(header.hasSuffix("\n"))
        #expect(data.count == 10 + headerLength + 24)
        let scalar = [Float(2.5)].withUnsafeBufferPointer { NPY.encode($0, shape: []) }
        #expect(String(decoding: scalar[10..<(10 + Int(scalar[8]))], as: UTF8.self).contains("'shape': ()"))
    }
}
