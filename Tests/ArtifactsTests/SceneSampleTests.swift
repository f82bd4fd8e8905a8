import Foundation
import Testing

@testable import Artifacts

@Suite struct SceneSampleTests {
    @Test func codableRoundTrip() throws {
        let sample = SceneSample(
            split: "test", index: 3, side: 2, pixels: [255, 0, 0, 0, 255, 0, 0, 0, 255, 9, 9, 9],
            questions: [.init(type: "rel", text: "How many?", answer: "4")])
        let decoded = try JSONDecoder().decode(SceneSample.self, from: JSONEncoder().encode(sample))
        #expect(decoded == sample)
    }
}
