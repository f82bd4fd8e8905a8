import Foundation

/// Scratch space for tests: one fresh directory per call, under the system's temporary
/// directory, named so that a leftover says which suite made it. Every test target makes its
/// temporary files here, so there is one way of doing it.
public enum Scratch {
    /// A new, empty directory "rnrepro-<label>-<UUID>".
    public static func directory(_ label: String) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("rnrepro-\(label)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }

    /// The path of a new, empty directory (see `directory(_:)`).
    public static func path(_ label: String) throws -> String {
        try directory(label).path
    }
}
