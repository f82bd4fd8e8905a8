import Engine

/// Names one question of a split: image `image`, question `slot` (0...9) of type `type`.
public struct QuestionRef: Equatable, Sendable {
    public var image: Int32
    public var slot: Int8
    public var type: QuestionType

    public init(image: Int, slot: Int, type: QuestionType) {
        self.image = Int32(image)
        self.slot = Int8(slot)
        self.type = type
    }

    /// The question's position within its image's 20 questions.
    @inlinable public var questionIndex: Int { type.rawValue * SceneGeometry.questionsPerType + Int(slot) }
}

extension SplitData {
    /// Every question of `type`, image by image, in file order.
    public func questions(of type: QuestionType) -> [QuestionRef] {
        var refs: [QuestionRef] = []
        refs.reserveCapacity(count * SceneGeometry.questionsPerType)
        for image in 0..<count {
            for slot in 0..<SceneGeometry.questionsPerType {
                refs.append(QuestionRef(image: image, slot: slot, type: type))
            }
        }
        return refs
    }

    public func question(_ ref: QuestionRef) -> Question {
        scenes[Int(ref.image)].questions[ref.questionIndex]
    }

    /// Writes the network's inputs for `refs` (B questions):
    /// - `images` (B, 3, 75, 75): channel first, rows are y, pixel value / 255;
    /// - `questions` (B, 11): `Question.vector`;
    /// - `answers` (B): the answer classes.
    public func assemble(
        _ refs: ArraySlice<QuestionRef>, images: UnsafeMutablePointer<Float>,
        questions: UnsafeMutablePointer<Float>, answers: UnsafeMutablePointer<Int32>
    ) {
        let side = SceneGeometry.side
        let plane = side * side
        let scale: Float = 1 / 255
        pixels.withUnsafeBufferPointer { source in
            for (row, ref) in refs.enumerated() {
                let image = images + row * 3 * plane
                let start = Int(ref.image) * SceneGeometry.bytesPerImage
                for p in 0..<plane {
                    // Interleaved RGB in the file, channel planes for the network.
                    image[p] = Float(source[start + 3 * p]) * scale
                    image[plane + p] = Float(source[start + 3 * p + 1]) * scale
                    image[2 * plane + p] = Float(source[start + 3 * p + 2]) * scale
                }
                let question = self.question(ref)
                let vector = questions + row * Question.vectorLength
                vector.update(repeating: 0, count: Question.vectorLength)
                vector[question.color.rawValue] = 1
                vector[question.type == .nonRelational ? 6 : 7] = 1
                vector[8 + question.subtype] = 1
                answers[row] = Int32(question.answer)
            }
        }
    }
}

/// Seeded shuffles, identical on every platform and Swift version (the standard library's
/// `shuffle` may change its algorithm between versions, so it is not used).
public enum Shuffle {
    /// Fisher-Yates from the last element down, each swap index drawn from `random`.
    public static func shuffle<Element>(_ elements: inout [Element], using random: inout RandomStream) {
        guard elements.count > 1 else { return }
        for i in stride(from: elements.count - 1, to: 0, by: -1) {
            let j = random.nextInt(below: i + 1)
            if i != j { elements.swapAt(i, j) }
        }
    }

    /// The order of the questions of `type` in epoch `epoch` (0-based) of a run with `seed`.
    public static func epochOrder(
        of split: SplitData, type: QuestionType, epoch: Int, seed: UInt64
    ) -> [QuestionRef] {
        var refs = split.questions(of: type)
        var random = RandomStream(seed: seed, domain: .shuffle, UInt32(epoch), UInt32(type.rawValue))
        shuffle(&refs, using: &random)
        return refs
    }
}
