import Engine
import Foundation
import Testing
import _RNReproTestSupport
import Crypto
import _RNReproSupport

@testable import SortOfCLEVR

@Suite struct DatasetFileTests {
    /// A fresh directory for one test's files.
    static func scratchDirectory() throws -> String { try Scratch.path("dataset") }

    static let header = DatasetHeader(seed: 5, testCount: 40, trainCount: 300)

    @Test func roundTrip() throws {
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/nested/set.bin"
        let (sha256, statistics) = try DatasetFile.generate(Self.header, to: path, pool: ThreadPool(threadCount: 2))
        #expect(statistics.imageCount == 340)
        let dataset = try DatasetFile.read(path)
        #expect(dataset.header == Self.header)
        #expect(dataset.sha256 == sha256)
        #expect(dataset.test.count == 40 && dataset.train.count == 300)
        for split in Split.allCases {
            for index in [0, 17, dataset.split(split).count - 1] {
                let scene = Scene.generate(seed: 5, split: split, index: index, rules: AnswerRules())
                #expect(dataset.split(split).scenes[index] == scene)
                #expect(Array(dataset.split(split).image(index)) == Rasterizer.image(of: scene.objects))
            }
        }
        // No temporary file is left beside the data set.
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory + "/nested") == ["set.bin"])
    }

    @Test func bitIdenticalAcrossThreadCountsAndRuns() throws {
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var contents: [Data] = []
        var hashes: [String] = []
        for threads in [1, 2, 2, 5] {
            let path = directory + "/t\(threads)-\(contents.count).bin"
            hashes.append(try DatasetFile.generate(Self.header, to: path, pool: ThreadPool(threadCount: threads)).sha256)
            contents.append(try Data(contentsOf: URL(fileURLWithPath: path)))
        }
        #expect(Set(hashes).count == 1)
        #expect(contents.allSatisfy { $0 == contents[0] })
        #expect(contents[0].count == DatasetFile.fileLength(imageCount: 340))
    }

    @Test func exactClosestIsRecorded() throws {
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        var header = Self.header
        header.rules = AnswerRules(exactClosest: true)
        try DatasetFile.generate(header, to: directory + "/exact.bin", pool: ThreadPool(threadCount: 1))
        #expect(try DatasetFile.read(directory + "/exact.bin").header.rules.exactClosest)
    }

    /// Writes a valid file, damages it with `damage`, and returns the error reading it gives.
    static func readDamaged(_ damage: (inout Data) -> Void) throws -> FileError? {
        let directory = try scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/damaged.bin"
        try DatasetFile.generate(DatasetHeader(seed: 1, testCount: 2, trainCount: 3), to: path, pool: ThreadPool(threadCount: 1))
        var data = try Data(contentsOf: URL(fileURLWithPath: path))
        damage(&data)
        try data.write(to: URL(fileURLWithPath: path))
        do {
            _ = try DatasetFile.read(path)
            return nil
        } catch let error as FileError {
            #expect(error.path == path)
            #expect(error.description.hasPrefix(path + ": "))
            return error
        }
    }

    @Test func truncatedFileIsRejected() throws {
        let error = try Self.readDamaged { $0.removeLast(100) }
        #expect(error?.reason.hasPrefix("truncated") == true)
        let headerOnly = try Self.readDamaged { $0 = $0.prefix(30) }
        #expect(headerOnly?.reason.hasPrefix("truncated") == true)
    }

    @Test func flippedByteIsRejected() throws {
        let error = try Self.readDamaged { $0[DatasetFile.headerLength + 5000] ^= 0x01 }
        #expect(error?.reason.contains("SHA-256") == true)
    }

    /// Edits question `slot` of test image 0 and computes the file's SHA-256 anew.
    static func readEdited(slot: Int, _ edit: (inout [UInt8]) -> Void) throws -> FileError? {
        try readDamaged { data in
            // The image's pixels, then 6 objects, then 20 questions (type, subtype, colour, answer).
            let question = DatasetFile.headerLength + SceneGeometry.bytesPerImage
                + SceneGeometry.objectCount * DatasetFile.bytesPerObject + slot * DatasetFile.bytesPerQuestion
            var bytes = [UInt8](data[question..<(question + DatasetFile.bytesPerQuestion)])
            edit(&bytes)
            data.replaceSubrange(question..<(question + DatasetFile.bytesPerQuestion), with: bytes)
            let content = data.count - DatasetFile.digestLength
            data.replaceSubrange(content..., with: Array(SHA256.hash(data: data.prefix(content))))
        }
    }

    /// An edit whose SHA-256 was computed anew passes the hash; the file's meaning does not.
    @Test func editedFileWithANewHashIsRejected() throws {
        let type = try Self.readEdited(slot: 0) { $0[0] = 1 }
        #expect(type?.reason == "corrupt: test image 0: question 0 is rel in a nonrel slot")
        let answer = try Self.readEdited(slot: 12) { $0[3] = ($0[3] + 1) % 10 }
        #expect(answer?.reason.hasPrefix("corrupt: test image 0: question 12 answers") == true, "\(answer?.reason ?? "no error")")
        #expect(answer?.reason.contains("but its objects give") == true)
    }

    @Test func wrongVersionIsRejected() throws {
        let error = try Self.readDamaged { $0[8] = 2 }
        #expect(error?.reason.contains("unsupported format version 2") == true)
    }

    @Test func otherFilesAreRejected() throws {
        let error = try Self.readDamaged { $0[0] = UInt8(ascii: "X") }
        #expect(error?.reason.contains("bad magic") == true)
        let extra = try Self.readDamaged { $0.append(0) }
        #expect(extra?.reason.hasPrefix("trailing bytes") == true)
        #expect(throws: FileError.self) { try DatasetFile.read("/nonexistent/set.bin") }
    }

    @Test func failedWriteLeavesNoFile() throws {
        let directory = try Self.scratchDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let path = directory + "/set.bin"
        #expect(throws: DatasetHeaderError.self) {
            try DatasetFile.generate(DatasetHeader(seed: 1, testCount: 0, trainCount: 3), to: path, pool: ThreadPool(threadCount: 1))
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory).isEmpty)
    }
}
