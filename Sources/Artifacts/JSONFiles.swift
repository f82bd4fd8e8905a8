import Crypto
import Foundation
import _RNReproSupport

/// The one field every versioned artifact has.
private struct SchemaProbe: Decodable { let schema: String? }

/// Reading and writing the JSON artifacts, with errors that name the file and the fault.
public enum JSONFiles {
    /// The encoder of every artifact: sorted keys, so the same value is always the same bytes.
    public static func encoder(pretty: Bool = true) -> JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = pretty ? [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes] : [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }

    /// Writes `value` as JSON to `path` atomically, with a final newline.
    public static func write<Value: Encodable>(_ value: Value, to path: String) throws {
        var data = try encoder().encode(value)
        data.append(0x0A)
        try AtomicFile.write(data, to: path)
    }

    /// Reads a JSON artifact. When `schema` is given, the file's "schema" field must equal it.
    public static func read<Value: Decodable>(_ type: Value.Type, from path: String, schema: String? = nil) throws -> Value {
        try decode(type, from: AtomicFile.read(path), path: path, schema: schema)
    }

    /// `read`'s parsing of `data`, the content of the file at `path` (named in errors).
    public static func decode<Value: Decodable>(_ type: Value.Type, from data: Data, path: String,
                                                schema: String? = nil) throws -> Value {
        if let schema {
            let found: String?
            do {
                found = try JSONDecoder().decode(SchemaProbe.self, from: data).schema
            } catch {
                throw FileError(path: path, reason: "invalid JSON: \((error as? DecodingError).map(describe) ?? "\(error)")")
            }
            guard found == schema else {
                throw FileError(path: path, reason: "unknown schema \(found.map { "'\($0)'" } ?? "(none)"), expected '\(schema)'")
            }
        }
        do {
            return try JSONDecoder().decode(Value.self, from: data)
        } catch let error as DecodingError {
            throw FileError(path: path, reason: "invalid JSON for \(Value.self): \(describe(error))")
        } catch {
            throw FileError(path: path, reason: "invalid JSON: \(error.localizedDescription)")
        }
    }

    /// Reads a JSON Lines file, one `Value` per non-empty line.
    public static func readLines<Value: Decodable>(_ type: Value.Type, from path: String) throws -> [Value] {
        try decodeLines(type, from: AtomicFile.read(path), path: path)
    }

    /// `readLines`'s parsing of `data`, the content of the file at `path` (named in errors).
    public static func decodeLines<Value: Decodable>(_ type: Value.Type, from data: Data, path: String) throws -> [Value] {
        var values: [Value] = []
        for (number, line) in data.split(separator: 0x0A, omittingEmptySubsequences: false).enumerated() where !line.isEmpty {
            do {
                values.append(try JSONDecoder().decode(Value.self, from: Data(line)))
            } catch let error as DecodingError {
                throw FileError(path: path, reason: "line \(number + 1): invalid \(Value.self): \(describe(error))")
            }
        }
        return values
    }

    /// One JSON Lines line for `value`: compact, sorted keys, newline-terminated.
    public static func line<Value: Encodable>(_ value: Value) throws -> Data {
        var data = try encoder(pretty: false).encode(value)
        data.append(0x0A)
        return data
    }

    /// The SHA-256 of `data`, in lowercase hex.
    public static func sha256(_ data: Data) -> String {
        SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined()
    }

    /// A decoding error in one line: the path of keys and what was wrong.
    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "" : keys.joined(separator: ".") + ": "
        }
        switch error {
        case .keyNotFound(let key, let context): return "\(path(context))missing key '\(key.stringValue)'"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(path(context))\(context.debugDescription)"
        @unknown default: return "\(error)"
        }
    }
}

extension RunSpec {
    /// The settings in which `other` differs from this spec, by their names in spec.json, e.g.
    /// "learning_rate 0.0001 (now 0.001)"; empty when they are equal.
    public func differences(from other: RunSpec) -> [String] {
        func flat(_ spec: RunSpec) -> [String: String] {
            let data = (try? JSONFiles.encoder(pretty: false).encode(spec)) ?? Data()
            var values: [String: String] = [:]
            func walk(_ value: Any, _ key: String) {
                if let object = value as? [String: Any] {
                    for (name, inner) in object { walk(inner, key.isEmpty ? name : key + "." + name) }
                } else {
                    values[key] = "\(value)"
                }
            }
            walk((try? JSONSerialization.jsonObject(with: data)) ?? [:], "")
            return values
        }
        let mine = flat(self)
        let theirs = flat(other)
        return Set(mine.keys).union(theirs.keys).sorted().compactMap { key in
            mine[key] == theirs[key] ? nil : "\(key) \(mine[key] ?? "(none)") (now \(theirs[key] ?? "(none)"))"
        }
    }

    /// The run's identity: the first 12 hex digits of the SHA-256 of its canonical JSON.
    public var hash: String {
        let data = try! JSONFiles.encoder(pretty: false).encode(self)
        return String(JSONFiles.sha256(data).prefix(12))
    }
}
