import Foundation

extension Provenance {
    /// The program's version, as `rnrepro --version` prints it.
    public static let programVersion = "0.1.0"

    /// This machine, this build and this moment. The commit is the work tree's when the process
    /// first asked (see `launchCommit`).
    public static func current(date: Date = Date()) -> Provenance {
        Provenance(programVersion: programVersion, commit: launchCommit, compiler: compilerVersion,
                   cpu: cpuModel(), cores: ProcessInfo.processInfo.activeProcessorCount,
                   date: ISO8601DateFormatter().string(from: date))
    }

    static var compilerVersion: String {
        #if compiler(>=6.3)
        "Swift 6.3 or later"
        #elseif compiler(>=6.2)
        "Swift 6.2"
        #elseif compiler(>=6.1)
        "Swift 6.1"
        #else
        "Swift 6.0"
        #endif
    }

    static func cpuModel() -> String {
        guard let info = try? String(contentsOfFile: "/proc/cpuinfo", encoding: .utf8) else { return "unknown" }
        for line in info.split(separator: "\n") where line.hasPrefix("model name") {
            if let colon = line.firstIndex(of: ":") {
                return line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            }
        }
        return "unknown"
    }

    /// The commit of the code this process runs: `git rev-parse HEAD` in the working directory
    /// the first time it is asked ("unknown" outside a checkout), then fixed for the process's
    /// life, since a commit made while a long campaign trains does not change the binary that
    /// trains. "-dirty" marks uncommitted changes outside results/, which holds the program's
    /// own output (the paper campaign's runs), not its code.
    public static let launchCommit = gitCommit()

    /// The checkout's commit in `directory` (the working directory when nil), "-dirty" when
    /// anything tracked outside results/ has uncommitted changes.
    static func gitCommit(in directory: String? = nil) -> String {
        func git(_ arguments: [String]) -> String? {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["git"] + arguments
            if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            guard (try? process.run()) != nil else { return nil }
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            guard process.terminationStatus == 0 else { return nil }
            return String(decoding: data, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
        }
        guard let commit = git(["rev-parse", "HEAD"]) else { return "unknown" }
        let dirty = git(["status", "--porcelain", "--untracked-files=no", "--", ":/", ":(top,exclude)results"])
            .map { !$0.isEmpty } ?? false
        return dirty ? commit + "-dirty" : commit
    }
}
