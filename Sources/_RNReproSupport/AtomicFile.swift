import Foundation

/// A fault in a file the program reads or writes, named by path.
///
/// Every file error the user sees has this shape: one line, the path first, then what is wrong,
/// e.g. `data/a.bin: truncated: 1000 bytes, expected 169,790,096`.
public struct FileError: Error, CustomStringConvertible, Equatable {
    public let path: String
    public let reason: String

    public init(path: String, reason: String) {
        self.path = path
        self.reason = reason
    }

    public var description: String { "\(path): \(reason)" }
}

/// Writes files so that readers see either the old file or the whole new one, never a part.
///
/// The content goes to a temporary file beside the target (same directory, so the rename cannot
/// cross file systems), which is renamed over the target only when the writer finished without
/// error. On error or interruption the temporary file is removed and the target is untouched.
public enum AtomicFile {
    /// Creates the target's directory if needed, lets `body` write the temporary path, then
    /// renames it to `path`.
    public static func write<Result>(
        to path: String, _ body: (_ temporaryPath: String) throws -> Result
    ) throws -> Result {
        let target = URL(fileURLWithPath: path)
        let directory = target.deletingLastPathComponent()
        do {
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        } catch {
            throw FileError(path: path, reason: "cannot create directory \(directory.path): \(describe(error))")
        }
        let temporary = directory.appendingPathComponent(
            ".\(target.lastPathComponent).\(ProcessInfo.processInfo.processIdentifier).tmp"
        ).path
        guard FileManager.default.createFile(atPath: temporary, contents: nil) else {
            throw FileError(path: path, reason: "cannot write: \(String(cString: strerror(errno)))")
        }
        do {
            let result = try body(temporary)
            if rename(temporary, path) != 0 {
                throw FileError(path: path, reason: "cannot replace: \(String(cString: strerror(errno)))")
            }
            return result
        } catch {
            unlink(temporary)
            throw error
        }
    }

    /// Writes `data` to `path` atomically.
    public static func write(_ data: Data, to path: String) throws {
        try write(to: path) { temporary in
            do {
                try data.write(to: URL(fileURLWithPath: temporary))
            } catch {
                throw FileError(path: path, reason: "cannot write: \(describe(error))")
            }
        }
    }

    /// Streams content to `path` atomically: `body` gets a handle open on the temporary file.
    public static func stream<Result>(
        to path: String, _ body: (FileHandle) throws -> Result
    ) throws -> Result {
        try write(to: path) { temporary in
            guard let handle = FileHandle(forWritingAtPath: temporary) else {
                throw FileError(path: path, reason: "cannot open for writing")
            }
            defer { try? handle.close() }
            let result = try body(handle)
            do {
                try handle.synchronize()
            } catch {
                throw FileError(path: path, reason: "cannot write: \(describe(error))")
            }
            return result
        }
    }

    /// Reads the whole file, with a `FileError` naming the path when it cannot.
    public static func read(_ path: String) throws -> Data {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
            throw FileError(path: path, reason: "no such file")
        }
        guard !isDirectory.boolValue else {
            throw FileError(path: path, reason: "is a directory, not a file")
        }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw FileError(path: path, reason: "cannot read: \(describe(error))")
        }
    }

    /// The reason of a Foundation error, without the path it usually repeats.
    static func describe(_ error: Error) -> String {
        let nsError = error as NSError
        if let underlying = nsError.userInfo[NSUnderlyingErrorKey] as? NSError,
            underlying.domain == NSPOSIXErrorDomain,
            let code = POSIXErrorCode(rawValue: Int32(underlying.code))
        {
            return String(cString: strerror(code.rawValue))
        }
        if nsError.domain == NSPOSIXErrorDomain {
            return String(cString: strerror(Int32(nsError.code)))
        }
        return nsError.localizedDescription
    }
}
