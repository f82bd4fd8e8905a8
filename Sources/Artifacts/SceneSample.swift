/// One data set image with its questions in words: what `rnrepro dataset show` draws and what
/// the report's sample figure shows. Written by the commands that read data sets, read by the
/// Report module, which never reads data set files itself.
public struct SceneSample: Codable, Equatable, Sendable {
    public struct QuestionLine: Codable, Equatable, Sendable {
        /// "nonrel" or "rel".
        public var type: String
        public var text: String
        public var answer: String

        public init(type: String, text: String, answer: String) {
            self.type = type
            self.text = text
            self.answer = answer
        }
    }

    /// "train" or "test".
    public var split: String
    public var index: Int
    /// Image side in pixels; `pixels` holds side * side * 3 bytes, rows top to bottom, RGB.
    public var side: Int
    public var pixels: [UInt8]
    public var questions: [QuestionLine]

    public init(split: String, index: Int, side: Int, pixels: [UInt8], questions: [QuestionLine]) {
        precondition(pixels.count == side * side * 3)
        self.split = split
        self.index = index
        self.side = side
        self.pixels = pixels
        self.questions = questions
    }
}
