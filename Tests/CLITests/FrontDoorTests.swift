import Foundation
import Testing

/// The make targets, CI script and Dockerfile share one way of installing prerequisites.
@Suite struct FrontDoorTests {
    static func read(_ path: String) throws -> String {
        try String(contentsOf: CLI.packageRoot.appendingPathComponent(path), encoding: .utf8)
    }

    @Test func dockerfileInstallsThroughTheDepsScript() throws {
        let dockerfile = try Self.read("Dockerfile")
        let runLines = dockerfile.split(separator: "\n").filter { $0.hasPrefix("RUN ") }
        #expect(runLines.contains { $0.contains("scripts/install-deps.sh") })
        #expect(dockerfile.contains("FROM swift:") && dockerfile.contains("bookworm"))
        #expect(dockerfile.contains("CMD [\"make\", \"reproduce\"]"))
        #expect(runLines.contains { $0.contains("swift build -c release") })
    }

    @Test func makeAndCIUseTheSameScript() throws {
        let makefile = try Self.read("Makefile")
        #expect(makefile.contains("deps:\n\t@scripts/install-deps.sh"))
        #expect(makefile.contains("test: test-deps") && makefile.contains("test-deps: deps"))
        #expect(makefile.contains("reproduce: build") && makefile.contains("build: deps"))
        #expect(try Self.read(".ci/run").contains("make test"))
        let readme = try Self.read("README.md")
        #expect(readme.contains("make reproduce") && readme.contains("make test"))
    }

    /// Without root, a missing package gets one clear line naming it and a non-zero exit.
    @Test func depsScriptExplainsWhatIsMissingWithoutRoot() throws {
        let directory = try CLI.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        // Stand-ins: dpkg-query reports every package but gnuplot-nox installed; id says uid 1000.
        let fakes = [
            "dpkg-query": "#!/bin/sh\nfor a; do p=$a; done\n[ \"$p\" = gnuplot-nox ] && exit 1\nprintf 'install ok installed'\n",
            "id": "#!/bin/sh\necho 1000\n",
        ]
        for (name, script) in fakes {
            let url = directory.appendingPathComponent(name)
            try script.write(to: url, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: url.path)
        }
        let path = directory.path + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")
        let result = try CLI.run(executable: "/bin/bash", [CLI.packageRoot.appendingPathComponent("scripts/install-deps.sh").path],
                                 environment: ["PATH": path])
        #expect(result.status == 1)
        #expect(result.stderr.split(separator: "\n").count == 1)
        #expect(result.stderr.contains("missing Debian packages: gnuplot-nox;"), "\(result.stderr)")
    }
}
