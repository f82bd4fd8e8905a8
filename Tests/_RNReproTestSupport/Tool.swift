import Foundation

/// A command-line tool the tests call (git, the poppler tools), found on PATH.
public enum Tool {
    /// Runs `name` with `arguments` in `directory` (the working directory when nil) and returns
    /// its standard output; throws, naming the command, when it exits with a non-zero status.
    public static func output(_ name: String, _ arguments: [String], in directory: String? = nil) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [name] + arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            throw ToolFailure(description: "\(name) \(arguments.joined(separator: " ")) exited with \(process.terminationStatus)")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

public struct ToolFailure: Error, CustomStringConvertible {
    public let description: String
}
