import Foundation

/// What a fuzz target's executable does when built without libFuzzer: runs its check on each
/// file named on the command line (a crash's input, or every file of a corpus directory), so a
/// crash found by `make fuzz` can be replayed and debugged in an ordinary build.
public func replay(_ check: (Data) -> Void) {
    var files: [String] = []
    for argument in CommandLine.arguments.dropFirst() {
        var directory: ObjCBool = false
        if FileManager.default.fileExists(atPath: argument, isDirectory: &directory), directory.boolValue {
            let names = (try? FileManager.default.contentsOfDirectory(atPath: argument)) ?? []
            files += names.sorted().map { argument + "/" + $0 }
        } else {
            files.append(argument)
        }
    }
    for file in files {
        guard let data = FileManager.default.contents(atPath: file) else {
            FileHandle.standardError.write(Data("cannot read \(file)\n".utf8))
            exit(1)
        }
        check(data)
    }
    print("\(files.count) inputs, no crash")
}
