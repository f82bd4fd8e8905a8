import Artifacts
import SortOfCLEVR

extension SceneSample {
    /// Image `index` of `split` with its questions and answers in English.
    public init(_ data: SplitData, index: Int) {
        self.init(
            split: data.split.name, index: index, side: SceneGeometry.side, pixels: Array(data.image(index)),
            questions: data.scenes[index].questions.map {
                SceneSample.QuestionLine(type: $0.type.name, text: $0.text, answer: Answer.word($0.answer))
            })
    }
}
