import Crypto
import Engine
import Foundation
import _RNReproSupport

/// The on-disk data set: a versioned header, one fixed-size record per image (test images
/// first, then training images) and a SHA-256 of everything before it. docs/dataset-format.md
/// documents the bytes; this type is the one place that reads or writes them.
public enum DatasetFile {
    public static let magic: [UInt8] = Array("RNSOCLVR".utf8)
    public static let formatVersion: UInt32 = 1
    public static let headerLength = 64
    public static let digestLength = SHA256.byteCount
    /// Bytes per object in a record: colour, shape, x, y.
    public static let bytesPerObject = 4
    /// Bytes per question in a record: type, subtype, colour, answer.
    public static let bytesPerQuestion = 4
    public static let recordLength =
        SceneGeometry.bytesPerImage
        + SceneGeometry.objectCount * bytesPerObject
        + SceneGeometry.questionsPerImage * bytesPerQuestion
    /// Counts above this are refused: the file would pass 17 GB.
    public static let maximumImageCount = 1_000_000

    /// Option bits of the header.
    static let exactClosestBit: UInt32 = 1

    /// The file's length for the given image counts.
    public static func fileLength(imageCount: Int) -> Int {
        headerLength + imageCount * recordLength + digestLength
    }

    // MARK: Writing

    /// Generates the data set described by `header` and writes it to `path` atomically, using
    /// every thread of `pool`. Image i of a split depends only on (seed, split, i), so the
    /// bytes do not depend on the thread count or on the chunking.
    ///
    /// - Returns: the content's SHA-256 and statistics over every question.
    @discardableResult
    public static func generate(
        _ header: DatasetHeader, to path: String, pool: ThreadPool
    ) throws -> (sha256: String, statistics: DatasetStatistics) {
        try header.validate()
        return try AtomicFile.stream(to: path) { handle in
            var hasher = SHA256()
            var statistics = DatasetStatistics()
            func emit(_ bytes: UnsafeRawBufferPointer) throws {
                hasher.update(bufferPointer: bytes)
                do {
                    try handle.write(contentsOf: bytes)
                } catch {
                    throw FileError(path: path, reason: "cannot write: \(error.localizedDescription)")
                }
            }
            try header.encoded().withUnsafeBytes(emit)

            let chunkImages = 256
            var chunk = [UInt8](repeating: 0, count: chunkImages * recordLength)
            for split in [Split.test, .train] {
                let count = header.count(of: split)
                var start = 0
                while start < count {
                    let end = min(start + chunkImages, count)
                    var scenes = [Scene?](repeating: nil, count: end - start)
                    chunk.withUnsafeMutableBytes { raw in
                        scenes.withUnsafeMutableBufferPointer { sceneSlots in
                            let slots = UncheckedSendableBox(sceneSlots)
                            let buffer = UncheckedSendableBox(raw)
                            pool.forEachChunk(end - start) { offset in
                                let scene = Scene.generate(
                                    seed: header.seed, split: split, index: start + offset,
                                    rules: header.rules)
                                let record = UnsafeMutableRawBufferPointer(
                                    rebasing: buffer.value[(offset * recordLength)..<((offset + 1) * recordLength)])
                                encode(scene, into: record)
                                slots.value[offset] = scene
                            }
                        }
                    }
                    for scene in scenes { statistics.add(scene!) }
                    try chunk.withUnsafeBytes { raw in
                        try emit(UnsafeRawBufferPointer(rebasing: raw[0..<((end - start) * recordLength)]))
                    }
                    start = end
                }
            }
            let digest = hasher.finalize()
            try Data(digest).withUnsafeBytes(emit)
            return (hexString(digest), statistics)
        }
    }

    /// Writes `scene` as one record: pixels, then objects, then questions.
    static func encode(_ scene: Scene, into record: UnsafeMutableRawBufferPointer) {
        let bytes = record.bindMemory(to: UInt8.self)
        Rasterizer.draw(
            scene.objects, into: UnsafeMutableBufferPointer(rebasing: bytes[0..<SceneGeometry.bytesPerImage]))
        var offset = SceneGeometry.bytesPerImage
        for object in scene.objects {
            bytes[offset] = UInt8(object.color.rawValue)
            bytes[offset + 1] = UInt8(object.shape.rawValue)
            bytes[offset + 2] = UInt8(object.x)
            bytes[offset + 3] = UInt8(object.y)
            offset += bytesPerObject
        }
        for question in scene.questions {
            bytes[offset] = UInt8(question.type.rawValue)
            bytes[offset + 1] = UInt8(question.subtype)
            bytes[offset + 2] = UInt8(question.color.rawValue)
            bytes[offset + 3] = UInt8(question.answer)
            offset += bytesPerQuestion
        }
    }

    // MARK: Reading

    /// Reads and validates the data set at `path`: magic, version, header fields, length, every
    /// record's fields and the SHA-256. Each fault is a `FileError` naming the file.
    public static func read(_ path: String) throws -> SortOfCLEVRDataset {
        try decode(AtomicFile.read(path), path: path)
    }

    /// The data set in `data`, the content of the file at `path` (named in errors).
    public static func decode(_ data: Data, path: String) throws -> SortOfCLEVRDataset {
        func fault(_ reason: String) -> FileError { FileError(path: path, reason: reason) }

        guard data.count >= headerLength else {
            throw fault("truncated: \(data.count) bytes, shorter than the \(headerLength)-byte header")
        }
        let header = try DatasetHeader(decoding: data.prefix(headerLength), fault: fault)
        let expected = fileLength(imageCount: header.testCount + header.trainCount)
        guard data.count == expected else {
            let what = data.count < expected ? "truncated" : "trailing bytes"
            throw fault("\(what): \(data.count) bytes, expected \(expected) for \(header.testCount) test and \(header.trainCount) training images")
        }
        let contentLength = expected - digestLength
        let digest = data.withUnsafeBytes { raw in
            SHA256.hash(data: UnsafeRawBufferPointer(rebasing: raw[0..<contentLength]))
        }
        guard Array(digest) == Array(data.suffix(digestLength)) else {
            throw fault("corrupt: SHA-256 of the content does not match the one stored in the file")
        }

        var splits: [Split: SplitData] = [:]
        try data.withUnsafeBytes { raw in
            var recordStart = headerLength
            for split in [Split.test, .train] {
                let count = header.count(of: split)
                var pixels = [UInt8](repeating: 0, count: count * SceneGeometry.bytesPerImage)
                var scenes: [Scene] = []
                scenes.reserveCapacity(count)
                for index in 0..<count {
                    let record = UnsafeRawBufferPointer(rebasing: raw[recordStart..<(recordStart + recordLength)])
                    pixels.withUnsafeMutableBytes { destination in
                        destination.baseAddress!.advanced(by: index * SceneGeometry.bytesPerImage)
                            .copyMemory(from: record.baseAddress!, byteCount: SceneGeometry.bytesPerImage)
                    }
                    guard let scene = decodeScene(record) else {
                        throw fault("corrupt: \(split.name) image \(index) has an invalid object or question field")
                    }
                    if let contradiction = contradiction(in: scene, rules: header.rules) {
                        throw fault("corrupt: \(split.name) image \(index): \(contradiction)")
                    }
                    scenes.append(scene)
                    recordStart += recordLength
                }
                splits[split] = SplitData(split: split, scenes: scenes, pixels: pixels)
            }
        }
        return SortOfCLEVRDataset(
            header: header, sha256: hexString(digest), test: splits[.test]!, train: splits[.train]!)
    }

    /// The scene of one record, or nil when a field is out of range.
    static func decodeScene(_ record: UnsafeRawBufferPointer) -> Scene? {
        var offset = SceneGeometry.bytesPerImage
        var objects: [SceneObject] = []
        for expectedColor in ObjectColor.allCases {
            guard record[offset] == expectedColor.rawValue,
                let shape = ObjectShape(rawValue: Int(record[offset + 1])),
                SceneGeometry.centreRange.contains(Int(record[offset + 2])),
                SceneGeometry.centreRange.contains(Int(record[offset + 3]))
            else { return nil }
            objects.append(
                SceneObject(color: expectedColor, shape: shape, x: Int(record[offset + 2]), y: Int(record[offset + 3])))
            offset += bytesPerObject
        }
        var questions: [Question] = []
        for _ in 0..<SceneGeometry.questionsPerImage {
            guard let type = QuestionType(rawValue: Int(record[offset])),
                record[offset + 1] < 3,
                let color = ObjectColor(rawValue: Int(record[offset + 2])),
                record[offset + 3] < Answer.classCount
            else { return nil }
            questions.append(
                Question(type: type, subtype: Int(record[offset + 1]), color: color, answer: Int(record[offset + 3])))
            offset += bytesPerQuestion
        }
        return Scene(objects: objects, questions: questions)
    }

    /// What in `scene` contradicts the data set's rules, or nil: centres closer than the
    /// generator allows, a question in a slot of the other type (the first 10 are non-relational,
    /// the last 10 relational), an answer that does not follow from the object table. The
    /// SHA-256 catches damage; this catches an edited file whose hash was computed anew.
    static func contradiction(in scene: Scene, rules: AnswerRules) -> String? {
        let objects = scene.objects
        for (i, object) in objects.enumerated() {
            for earlier in objects[..<i] where object.squaredDistance(to: earlier) < SceneGeometry.minimumSquaredSeparation {
                return "the \(object.color.name) and \(earlier.color.name) objects are closer than the generator places them"
            }
        }
        for (slot, question) in scene.questions.enumerated() {
            let expectedType: QuestionType = slot < SceneGeometry.questionsPerType ? .nonRelational : .relational
            guard question.type == expectedType else {
                return "question \(slot) is \(question.type.name) in a \(expectedType.name) slot"
            }
            let answer = Question.answer(type: question.type, subtype: question.subtype, color: question.color,
                                         objects: objects, rules: rules)
            guard question.answer == answer else {
                return "question \(slot) answers \(Answer.word(question.answer)), but its objects give \(Answer.word(answer))"
            }
        }
        return nil
    }

    static func hexString<D: Sequence>(_ digest: D) -> String where D.Element == UInt8 {
        digest.map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}

/// What a data set file holds besides its records: how it was generated.
public struct DatasetHeader: Equatable, Sendable {
    public var seed: UInt64
    public var testCount: Int
    public var trainCount: Int
    public var rules: AnswerRules

    public init(seed: UInt64, testCount: Int, trainCount: Int, rules: AnswerRules = AnswerRules()) {
        self.seed = seed
        self.testCount = testCount
        self.trainCount = trainCount
        self.rules = rules
    }

    public func count(of split: Split) -> Int { split == .test ? testCount : trainCount }

    /// Rejects counts that cannot make a useful file.
    public func validate() throws {
        guard testCount >= 1, trainCount >= 1 else {
            throw DatasetHeaderError("a data set needs at least 1 test and 1 training image (got \(testCount) and \(trainCount))")
        }
        guard testCount + trainCount <= DatasetFile.maximumImageCount else {
            throw DatasetHeaderError("at most \(DatasetFile.maximumImageCount) images in all (got \(testCount + trainCount))")
        }
    }

    /// The 64 header bytes, little-endian.
    func encoded() -> [UInt8] {
        var bytes = DatasetFile.magic
        func append<T: FixedWidthInteger>(_ value: T) {
            withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
        }
        append(DatasetFile.formatVersion)
        append(UInt32(DatasetFile.headerLength))
        append(seed)
        append(UInt32(testCount))
        append(UInt32(trainCount))
        append(UInt32(SceneGeometry.side))
        append(UInt32(SceneGeometry.objectCount))
        append(UInt32(SceneGeometry.questionsPerImage))
        append(rules.exactClosest ? DatasetFile.exactClosestBit : 0)
        append(UInt32(DatasetFile.recordLength))
        bytes.append(contentsOf: repeatElement(0, count: DatasetFile.headerLength - bytes.count))
        return bytes
    }

    /// Parses and checks the header bytes.
    init(decoding data: Data, fault: (String) -> FileError) throws {
        let bytes = [UInt8](data)
        func read<T: FixedWidthInteger>(_: T.Type, at offset: Int) -> T {
            var value = T.zero
            withUnsafeMutableBytes(of: &value) { destination in
                for i in 0..<MemoryLayout<T>.size { destination[i] = bytes[offset + i] }
            }
            return T(littleEndian: value)
        }
        guard Array(bytes[0..<8]) == DatasetFile.magic else {
            throw fault("not an RNRepro Sort-of-CLEVR data set (bad magic)")
        }
        let version = read(UInt32.self, at: 8)
        guard version == DatasetFile.formatVersion else {
            throw fault("unsupported format version \(version); this program reads version \(DatasetFile.formatVersion)")
        }
        let checks: [(String, UInt32, Int)] = [
            ("header length", read(UInt32.self, at: 12), DatasetFile.headerLength),
            ("image side", read(UInt32.self, at: 32), SceneGeometry.side),
            ("objects per image", read(UInt32.self, at: 36), SceneGeometry.objectCount),
            ("questions per image", read(UInt32.self, at: 40), SceneGeometry.questionsPerImage),
            ("record length", read(UInt32.self, at: 48), DatasetFile.recordLength),
        ]
        for (name, found, expected) in checks where Int(found) != expected {
            throw fault("\(name) is \(found), expected \(expected)")
        }
        let options = read(UInt32.self, at: 44)
        guard options & ~DatasetFile.exactClosestBit == 0 else {
            throw fault("unknown generator option bits 0x\(String(options, radix: 16))")
        }
        guard bytes[52..<64].allSatisfy({ $0 == 0 }) else {
            throw fault("reserved header bytes are not zero")
        }
        self.init(
            seed: read(UInt64.self, at: 16),
            testCount: Int(read(UInt32.self, at: 24)),
            trainCount: Int(read(UInt32.self, at: 28)),
            rules: AnswerRules(exactClosest: options & DatasetFile.exactClosestBit != 0))
        do {
            try validate()
        } catch let error as DatasetHeaderError {
            throw fault(error.description)
        }
    }
}

public struct DatasetHeaderError: Error, CustomStringConvertible {
    public let description: String
    init(_ description: String) { self.description = description }
}

/// Lets disjoint slots of a buffer be written from `ThreadPool` workers.
struct UncheckedSendableBox<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}
