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
            temporaryName(of: target.lastPathComponent, process: ProcessInfo.processInfo.processIdentifier)
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

    /// ".NAME.PID.tmp": the temporary file of NAME written by process PID.
    static func temporaryName(of name: String, process: Int32) -> String { ".\(name).\(process).tmp" }

    /// Removes the temporary files a killed writer left in `directory` (none of them is ever
    /// read: a file is complete only once renamed). Returns their names.
    @discardableResult
    public static func removeLeftovers(in directory: String) -> [String] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        let leftovers = names.filter { name in
            let parts = name.split(separator: ".", omittingEmptySubsequences: false)
            return name.hasPrefix(".") && parts.count >= 4 && parts.last == "tmp" && Int32(parts[parts.count - 2]) != nil
        }
        for name in leftovers { unlink(directory + "/" + name) }
        return leftovers.sorted()
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
        guard (try? FileManager.default.attributesOfItem(atPath: path)[.type] as? FileAttributeType) == .typeRegular else {
            throw FileError(path: path, reason: "is not a regular file (a device, FIFO or socket)")
        }
        do {
            return try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw FileError(path: path, reason: "cannot read: \(describe(error))")
        }
    }

    /// The reason of a Foundation error, without the path it usually repeats.
    public static func describe(_ error: Error) -> String {
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

/// Checks of a path given on the command line, made before any work, so that a bad path costs
/// one line and nothing else: no training thrown away, no node or link replaced, nothing written
/// outside the path given.
public enum OutputPath {
    /// What is at `path` itself, without following a final symbolic link.
    enum Kind { case none, regular, directory, symlink(target: Bool), other }

    static func kind(_ path: String) -> Kind {
        var info = stat()
        guard lstat(path, &info) == 0 else { return .none }
        switch info.st_mode & S_IFMT {
        case S_IFREG: return .regular
        case S_IFDIR: return .directory
        case S_IFLNK: return .symlink(target: FileManager.default.fileExists(atPath: path))
        default: return .other
        }
    }

    /// `path` must name a regular file to create or replace, in a directory that exists.
    public static func checkFile(_ path: String, option: String) throws {
        try checkCommon(path, option: option)
        switch kind(path) {
        case .none, .regular: break
        case .directory: throw FileError(path: path, reason: "is a directory; \(option) names the file to write")
        case .symlink: throw FileError(path: path, reason: "is a symbolic link; give \(option) the path of the file itself")
        case .other: throw FileError(path: path, reason: "is not a regular file (a device, FIFO or socket); rnrepro writes regular files only")
        }
    }

    /// `path` must name a directory to create or to use, whose parent exists.
    public static func checkDirectory(_ path: String, option: String) throws {
        try checkCommon(path, option: option)
        switch kind(path) {
        case .none, .directory: break
        case .symlink(target: true) where isDirectory(path): break
        case .symlink: throw FileError(path: path, reason: "is a symbolic link that does not lead to a directory")
        case .regular, .other: throw FileError(path: path, reason: "exists and is not a directory; \(option) names a directory")
        }
    }

    private static func checkCommon(_ path: String, option: String) throws {
        guard !path.isEmpty else { throw FileError(path: option, reason: "is empty; give it a path") }
        let parent = (path as NSString).deletingLastPathComponent
        if !parent.isEmpty, !isDirectory(parent) {
            throw FileError(path: path, reason: "its directory \(parent) does not exist")
        }
    }

    static func isDirectory(_ path: String) -> Bool {
        var directory: ObjCBool = false
        return FileManager.default.fileExists(atPath: path, isDirectory: &directory) && directory.boolValue
    }
}
