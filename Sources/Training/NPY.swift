import Foundation
import _RNReproSupport

/// NumPy's .npy format, version 1.0, for `export-step`: little-endian, C order.
/// (https://numpy.org/doc/stable/reference/generated/numpy.lib.format.html)
public enum NPY {
    /// The file bytes of a float32 array of `shape`.
    public static func encode(_ values: UnsafeBufferPointer<Float>, shape: [Int]) -> Data {
        precondition(values.count == shape.reduce(1, *))
        var data = header(descr: "<f4", shape: shape)
        for value in values { withUnsafeBytes(of: value.bitPattern.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    /// The file bytes of an int64 array of `shape`.
    public static func encode(_ values: [Int64], shape: [Int]) -> Data {
        precondition(values.count == shape.reduce(1, *))
        var data = header(descr: "<i8", shape: shape)
        for value in values { withUnsafeBytes(of: value.littleEndian) { data.append(contentsOf: $0) } }
        return data
    }

    public static func write(_ values: UnsafeBufferPointer<Float>, shape: [Int], to path: String) throws {
        try AtomicFile.write(encode(values, shape: shape), to: path)
    }

    public static func write(_ values: [Float], shape: [Int], to path: String) throws {
        try values.withUnsafeBufferPointer { try write($0, shape: shape, to: path) }
    }

    /// Magic, version 1.0, header length, then the header dictionary padded with spaces and a
    /// newline so that the data starts at a multiple of 64 bytes.
    static func header(descr: String, shape: [Int]) -> Data {
        let dimensions: String
        switch shape.count {
        case 0: dimensions = "()"
        case 1: dimensions = "(\(shape[0]),)"
        default: dimensions = "(" + shape.map(String.init).joined(separator: ", ") + ")"
        }
        var dictionary = "{'descr': '\(descr)', 'fortran_order': False, 'shape': \(dimensions), }"
        let prefixLength = 10
        let total = (prefixLength + dictionary.utf8.count + 1 + 63) / 64 * 64
        dictionary += String(repeating: " ", count: total - prefixLength - dictionary.utf8.count - 1) + "\n"
        var data = Data([0x93] + Array("NUMPY".utf8) + [1, 0])
        let length = UInt16(dictionary.utf8.count)
        data.append(contentsOf: [UInt8(length & 0xFF), UInt8(length >> 8)])
        data.append(contentsOf: Array(dictionary.utf8))
        return data
    }
}
