import Artifacts
import Crypto
import Foundation
import _RNReproSupport

/// A run's complete state at any step, as one blob with one SHA-256: enough to continue
/// bit-identically, as if the run had never stopped.
///
/// Layout (little-endian):
/// - magic `RNCKPT\0\0` (8 bytes), format version (u32), header length H (u32);
/// - H bytes of JSON: the header (run spec, position, section names and lengths);
/// - the sections' float32 values, in the header's order;
/// - SHA-256 of everything before it (32 bytes).
public struct Checkpoint: Equatable, Sendable {
    public static let magic: [UInt8] = Array("RNCKPT".utf8) + [0, 0]
    /// Version 1: a checkpoint taken right after an evaluation (or before the first step).
    /// Version 2 adds the header's `sinceEvaluation`, the training statistics of a checkpoint
    /// taken between two evaluations; a checkpoint without them is still written as version 1,
    /// so the bytes at evaluations are those of every earlier build, and a build that predates
    /// version 2 refuses a mid-interval checkpoint instead of dropping its statistics.
    public static let formatVersion: UInt32 = 2

    public struct Header: Codable, Equatable, Sendable {
        public var spec: RunSpec
        /// Optimizer steps taken so far.
        public var steps: Int
        /// Evaluations written so far (lines of metrics.jsonl).
        public var evaluations: Int
        /// The optimizer's own step counter (Adam's t).
        public var optimizerSteps: Int
        /// Every metrics line so far: metrics.jsonl is rewritten from these on resume.
        public var metrics: [MetricsLine]
        /// Name and float count of each section, in file order.
        public var sections: [Section]
        /// The training statistics gathered since the last evaluation, when the checkpoint was
        /// taken between two evaluations; absent (nil) at an evaluation.
        public var sinceEvaluation: IntervalStatistics?

        public struct Section: Codable, Equatable, Sendable {
            public var name: String
            public var count: Int
        }
    }

    public var header: Header
    /// The sections' values, in `header.sections` order (parameters, batch-norm running
    /// statistics, optimizer moments, ...).
    public var sections: [[Float]]

    public init(spec: RunSpec, steps: Int, optimizerSteps: Int, metrics: [MetricsLine] = [],
                sinceEvaluation: IntervalStatistics? = nil, sections: [(String, [Float])]) {
        header = Header(
            spec: spec, steps: steps, evaluations: metrics.count, optimizerSteps: optimizerSteps, metrics: metrics,
            sections: sections.map { Header.Section(name: $0.0, count: $0.1.count) }, sinceEvaluation: sinceEvaluation)
        self.sections = sections.map(\.1)
    }

    /// The format version of these bytes: 1 unless the header carries interval statistics.
    var version: UInt32 { header.sinceEvaluation == nil ? 1 : Self.formatVersion }

    public func section(_ name: String) -> [Float]? {
        header.sections.firstIndex { $0.name == name }.map { sections[$0] }
    }

    /// The checkpoint's bytes.
    public func encoded() throws -> Data {
        let json = try JSONFiles.encoder(pretty: false).encode(header)
        var data = Data(Self.magic)
        func append(_ value: UInt32) { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        append(version)
        append(UInt32(json.count))
        data.append(json)
        for section in sections {
            section.withUnsafeBufferPointer { values in
                for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
            }
        }
        data.append(contentsOf: SHA256.hash(data: data))
        return data
    }

    /// Writes the checkpoint atomically: the previous one stays until the new one is complete.
    public func write(to path: String) throws {
        try AtomicFile.write(encoded(), to: path)
    }

    /// Reads and verifies a checkpoint: magic, version, hash, header, section lengths.
    public static func read(_ path: String) throws -> Checkpoint {
        try decode(AtomicFile.read(path), path: path)
    }

    /// The checkpoint in `data`, the content of the file at `path` (named in errors).
    public static func decode(_ data: Data, path: String) throws -> Checkpoint {
        func fault(_ reason: String) -> FileError { FileError(path: path, reason: reason) }
        let digestLength = SHA256.byteCount
        guard data.count >= 16 + digestLength else { throw fault("truncated: \(data.count) bytes") }
        guard Array(data.prefix(8)) == magic else { throw fault("not an RNRepro checkpoint (bad magic)") }
        let bytes = [UInt8](data)
        func u32(_ offset: Int) -> UInt32 {
            UInt32(bytes[offset]) | UInt32(bytes[offset + 1]) << 8 | UInt32(bytes[offset + 2]) << 16 | UInt32(bytes[offset + 3]) << 24
        }
        guard (1...formatVersion).contains(u32(8)) else {
            throw fault("unsupported checkpoint version \(u32(8)); this program reads versions 1 to \(formatVersion)")
        }
        let content = data.count - digestLength
        guard Array(SHA256.hash(data: data.prefix(content))) == Array(data.suffix(digestLength)) else {
            throw fault("corrupt: SHA-256 does not match (truncated or damaged)")
        }
        let headerLength = Int(u32(12))
        guard 16 + headerLength <= content else { throw fault("corrupt: header length \(headerLength) exceeds the file") }
        let header: Header
        do {
            header = try JSONDecoder().decode(Header.self, from: data[16..<(16 + headerLength)])
        } catch {
            throw fault("corrupt header: \(error)")
        }
        guard (header.sinceEvaluation == nil) == (u32(8) == 1) else {
            throw fault("corrupt: version \(u32(8)) \(u32(8) == 1 ? "with" : "without") interval statistics")
        }
        let floats = header.sections.reduce(0) { $0 + $1.count }
        guard 16 + headerLength + 4 * floats == content else {
            throw fault("corrupt: sections hold \(content - 16 - headerLength) bytes, header says \(4 * floats)")
        }
        var offset = 16 + headerLength
        var sections: [[Float]] = []
        for section in header.sections {
            sections.append((0..<section.count).map { i in Float(bitPattern: u32(offset + 4 * i)) })
            offset += 4 * section.count
        }
        var checkpoint = Checkpoint(spec: header.spec, steps: 0, optimizerSteps: 0, sections: [])
        checkpoint.header = header
        checkpoint.sections = sections
        return checkpoint
    }
}

/// What a run has gathered since its last evaluation, per question type (index 0 non-relational,
/// 1 relational, as `QuestionType.rawValue`): the next metrics line's training loss and accuracy
/// are computed from them, so a checkpoint between evaluations must carry them.
public struct IntervalStatistics: Codable, Equatable, Sendable {
    /// Sum over questions of the loss, in the order the steps ran.
    public var lossSums: [Double]
    public var correctCounts: [Int]
    public var questionCounts: [Int]
    /// Training wall time since the evaluation: for timings.jsonl only, never for metrics.
    public var trainSeconds: Double

    public init(lossSums: [Double], correctCounts: [Int], questionCounts: [Int], trainSeconds: Double) {
        self.lossSums = lossSums
        self.correctCounts = correctCounts
        self.questionCounts = questionCounts
        self.trainSeconds = trainSeconds
    }
}
