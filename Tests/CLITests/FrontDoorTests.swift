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
        #expect(runLines.contains { $0.contains("swift build -c release") })
        // The default command is the same script as `make reproduce`, writing into out/.
        let command = try #require(dockerfile.split(separator: "\n").first { $0.hasPrefix("CMD ") })
        #expect(command.contains("exec scripts/reproduce.sh .build/release/rnrepro quick"))
        for output in ["data", "runs", "reports"] {
            #expect(dockerfile.contains("ln -s out/\(output) \(output)") && command.contains("out/\(output)"))
        }
        let ignored = try Self.read(".dockerignore").split(separator: "\n")
        #expect([".build*", "data", "runs", "reports"].allSatisfy { ignored.contains(Substring($0)) })
        let readme = try Self.read("README.md")
        #expect(readme.contains("docker run --rm -v \"$PWD/rnrepro-out:/rnrepro/out\" rnrepro"))
    }

    /// The report is written even when the drift check fails, and the check's status is the
    /// command's: make fails, and the script itself exits 1 on drift and 2 when it cannot compare.
    @Test(arguments: [0, 1, 2])
    func reproduceEndsWithTheChecksStatus(checkStatus: Int32) throws {
        let directory = try CLI.scratchDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let calls = directory.appendingPathComponent("calls").path
        let fake = directory.appendingPathComponent("rnrepro")
        try """
            #!/bin/sh
            echo "$1" >> \(calls)
            [ "$1" = check ] && exit \(checkStatus)
            exit 0

            """.write(to: fake, atomically: true, encoding: .utf8)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: fake.path)
        let script = try CLI.run(executable: CLI.packageRoot.appendingPathComponent("scripts/reproduce.sh").path,
                                 [fake.path, "smoke", "1"])
        #expect(script.status == checkStatus)
        #expect(try String(contentsOfFile: calls, encoding: .utf8) == "reproduce\ncheck\nreport\n")
        #expect(script.stderr.contains("the drift check did not hold (exit \(checkStatus))") == (checkStatus != 0))

        // make itself: `-o build` takes the build as done, so only the recipe runs.
        try FileManager.default.removeItem(atPath: calls)
        let make = try CLI.run(executable: "/usr/bin/make", ["-s", "-C", CLI.packageRoot.path, "-o", "build", "reproduce",
                                                            "RELEASE=\(fake.path)", "PROFILE=smoke"])
        #expect((make.status == 0) == (checkStatus == 0))
        #expect(try String(contentsOfFile: calls, encoding: .utf8) == "reproduce\ncheck\nreport\n")
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
