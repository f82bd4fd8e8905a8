import Foundation
import _RNReproTestSupport

/// Runs the built `rnrepro` binary as a user would, capturing its output.
enum CLI {
    struct Result {
        let status: Int32
        let stdout: String
        let stderr: String
    }

    /// The package's root directory.
    static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// `rnrepro` beside the test bundle (the same build configuration).
    static let executable: URL = {
        let testBinary = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        var directory = testBinary.deletingLastPathComponent()
        // On Linux the tests run from <bin>/RNReproPackageTests.xctest; on macOS from inside a bundle.
        while !FileManager.default.isExecutableFile(atPath: directory.appendingPathComponent("rnrepro").path),
            directory.path != "/"
        {
            directory.deleteLastPathComponent()
        }
        return directory.appendingPathComponent("rnrepro")
    }()

    /// Runs `rnrepro arguments`.
    static func run(_ arguments: [String], environment: [String: String] = [:]) throws -> Result {
        try run(executable: executable.path, arguments, environment: environment)
    }

    static func run(executable: String, _ arguments: [String], environment: [String: String] = [:],
                    currentDirectory: URL? = nil) throws -> Result {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { $1 }
        if let currentDirectory { process.currentDirectoryURL = currentDirectory }
        // stderr goes to a file and stdout to a pipe read to its end before waiting, so neither
        // a large output nor a chatty error stream can block the child.
        let errorPath = FileManager.default.temporaryDirectory.appendingPathComponent("rnrepro-stderr-\(UUID().uuidString)")
        guard FileManager.default.createFile(atPath: errorPath.path, contents: nil) else {
            throw CocoaError(.fileWriteUnknown, userInfo: [NSFilePathErrorKey: errorPath.path])
        }
        defer { try? FileManager.default.removeItem(at: errorPath) }
        let errorHandle = try FileHandle(forWritingTo: errorPath)
        let output = Pipe()
        process.standardOutput = output
        process.standardError = errorHandle
        try process.run()
        let outputData = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        try errorHandle.close()
        let errorData = try Data(contentsOf: errorPath)
        return Result(
            status: process.terminationStatus,
            stdout: String(decoding: outputData, as: UTF8.self),
            stderr: String(decoding: errorData, as: UTF8.self))
    }

    /// A fresh directory for one test's files.
    static func scratchDirectory() throws -> URL { try Scratch.directory("cli") }

    /// A fresh directory holding copies of the package's `files` at the same relative paths:
    /// a minimal checkout for commands that read them from the current directory.
    static func scratchCheckout(_ files: [String]) throws -> URL {
        let directory = try scratchDirectory()
        for file in files {
            let target = directory.appendingPathComponent(file)
            try FileManager.default.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try FileManager.default.copyItem(at: packageRoot.appendingPathComponent(file), to: target)
        }
        return directory
    }
}
