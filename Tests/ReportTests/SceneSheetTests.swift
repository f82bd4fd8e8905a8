import Foundation
import Testing
import _RNReproTestSupport

@testable import Artifacts
@testable import Report

@Suite struct SceneSheetTests {
    @Test func writesAPNGAtomically() throws {
        let directory = try Scratch.directory("scene-sheet")
        defer { try? FileManager.default.removeItem(at: directory) }
        var pixels = [UInt8](repeating: 255, count: 75 * 75 * 3)
        pixels[0] = 0
        let sample = SceneSample(split: "train", index: 0, side: 75, pixels: pixels,
                                 questions: [.init(type: "nonrel", text: "Is the red object on the left?", answer: "yes")])
        let path = directory.appendingPathComponent("sheet.png").path
        try SceneSheet.writePNG(sample, to: path)
        let data = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(data.starts(with: [0x89, 0x50, 0x4E, 0x47]))
        #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["sheet.png"])
    }
}
