import Foundation

/// gnuplot driven through a pipe: a script on stdin, an SVG on stdout.
struct Gnuplot {
    let executable: String

    /// Finds gnuplot: `explicitPath` when given, else the first `gnuplot` on `searchPath`
    /// (a PATH-style list; the process's PATH when nil).
    static func locate(explicitPath: String? = nil, searchPath: String? = nil) throws -> Gnuplot {
        if let explicitPath {
            guard FileManager.default.isExecutableFile(atPath: explicitPath) else {
                throw ReportError.missingGnuplot(searched: explicitPath)
            }
            return Gnuplot(executable: explicitPath)
        }
        let path = searchPath ?? ProcessInfo.processInfo.environment["PATH"] ?? ""
        for directory in path.split(separator: ":") where !directory.isEmpty {
            let candidate = (String(directory) as NSString).appendingPathComponent("gnuplot")
            if FileManager.default.isExecutableFile(atPath: candidate) { return Gnuplot(executable: candidate) }
        }
        throw ReportError.missingGnuplot(searched: "PATH=\(path)")
    }

    /// Runs `script` and returns what gnuplot wrote on stdout.
    func run(_ script: String) throws -> Data {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = []
        // A fixed locale and no user start-up file, so the output depends only on the script.
        var environment = ProcessInfo.processInfo.environment
        environment["LC_ALL"] = "C.UTF-8"
        environment["GNUPLOT_LIB"] = nil
        environment["HOME"] = FileManager.default.temporaryDirectory.path
        process.environment = environment
        let input = Pipe()
        let output = Pipe()
        let errors = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        do {
            try process.run()
        } catch {
            throw ReportError.missingGnuplot(searched: executable)
        }
        // Read stderr on another thread so neither pipe can fill up and block gnuplot.
        let errorBox = DataBox()
        let errorReader = Thread {
            errorBox.data = errors.fileHandleForReading.readDataToEndOfFile()
        }
        errorReader.start()
        input.fileHandleForWriting.write(Data(script.utf8))
        try? input.fileHandleForWriting.close()
        let svg = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        while !errorBox.done { usleep(1000) }
        let message = String(decoding: errorBox.data ?? Data(), as: UTF8.self)
            .split(whereSeparator: \.isNewline).map { $0.trimmingCharacters(in: .whitespaces) }
            .filter { !$0.isEmpty && !$0.hasPrefix("^") }.joined(separator: " ")
        guard process.terminationStatus == 0, !svg.isEmpty else {
            throw ReportError.gnuplotFailed(status: process.terminationStatus, message: message.isEmpty ? "no output" : message)
        }
        return svg
    }
}

private final class DataBox: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Data?
    private var finished = false

    var data: Data? {
        get { lock.withLock { value } }
        set { lock.withLock { value = newValue; finished = true } }
    }

    var done: Bool { lock.withLock { finished } }
}
