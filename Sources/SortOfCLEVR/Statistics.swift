/// Counts over the questions of a data set, for `rnrepro generate`'s summary and for the tests
/// that check generated data against docs/spec.md section 2's expected shares.
public struct DatasetStatistics: Equatable, Sendable {
    /// answerCounts[type][subtype][answer]
    public private(set) var answerCounts: [[[Int]]] = Array(
        repeating: Array(repeating: Array(repeating: 0, count: Answer.classCount), count: 3), count: 2)
    public private(set) var imageCount = 0
    /// Closest questions whose answer is the queried object's own shape because of the
    /// reference quirk (every other object farther than sqrt(999)), whether or not it is on.
    public private(set) var closestDecidedByQuirk = 0
    /// Closest questions whose answer differs between the quirk and the exact rule.
    public private(set) var closestChangedByQuirk = 0

    public init() {}

    public mutating func add(_ scene: Scene) {
        imageCount += 1
        for question in scene.questions {
            answerCounts[question.type.rawValue][question.subtype][question.answer] += 1
            guard question.type == .relational, question.subtype == 0 else { continue }
            let queried = question.color.rawValue
            if Question.quirkDecidesClosest(to: queried, in: scene.objects) {
                closestDecidedByQuirk += 1
                let exact = Question.closestIndex(to: queried, in: scene.objects, rules: AnswerRules(exactClosest: true))
                if scene.objects[exact].shape != scene.objects[queried].shape {
                    closestChangedByQuirk += 1
                }
            }
        }
    }

    public func questionCount(_ type: QuestionType, subtype: Int) -> Int {
        answerCounts[type.rawValue][subtype].reduce(0, +)
    }

    /// The share of `answer` among the questions of (type, subtype), in 0...1.
    public func share(_ type: QuestionType, subtype: Int, answer: Int) -> Double {
        let total = questionCount(type, subtype: subtype)
        return total == 0 ? 0 : Double(answerCounts[type.rawValue][subtype][answer]) / Double(total)
    }

    /// Accuracy of always giving the most frequent answer of each type (a learner that ignores
    /// the image but reads the question type), in 0...1.
    public func majorityBaseline(_ type: QuestionType) -> Double {
        accuracy(answering: mostFrequentAnswers, type)
    }

    /// The most frequent answer of each (type, subtype): what a learner that reads only the
    /// question type and subtype would answer. mostFrequentAnswers[type][subtype].
    public var mostFrequentAnswers: [[Int]] {
        answerCounts.map { subtypes in subtypes.map { counts in counts.indices.max { counts[$0] < counts[$1] }! } }
    }

    /// Accuracy on these questions of answering `answers[type][subtype]` (e.g. the training
    /// split's most frequent answers, scored on the test split), in 0...1.
    public func accuracy(answering answers: [[Int]], _ type: QuestionType) -> Double {
        var correct = 0
        for subtype in 0..<3 { correct += answerCounts[type.rawValue][subtype][answers[type.rawValue][subtype]] }
        let total = (0..<3).reduce(0) { $0 + questionCount(type, subtype: $1) }
        return total == 0 ? 0 : Double(correct) / Double(total)
    }

    /// A human-readable summary, one line per question subtype, answers in percent.
    public func summaryLines(rules: AnswerRules) -> [String] {
        var lines: [String] = []
        for type in QuestionType.allCases {
            for subtype in 0..<3 {
                let total = questionCount(type, subtype: subtype)
                let shares = (0..<Answer.classCount)
                    .filter { answerCounts[type.rawValue][subtype][$0] > 0 }
                    .map { "\(Answer.word($0)) \(percent(share(type, subtype: subtype, answer: $0)))" }
                let name = "\(type.name) \(type.subtypeNames[subtype])"
                lines.append("  \(name.padding(toLength: 16, withPad: " ", startingAt: 0)) \(total) questions: \(shares.joined(separator: ", "))")
            }
        }
        let closest = questionCount(.relational, subtype: 0)
        let decided = closest == 0 ? 0 : Double(closestDecidedByQuirk) / Double(closest)
        let changed = closest == 0 ? 0 : Double(closestChangedByQuirk) / Double(closest)
        if rules.exactClosest {
            lines.append("  closest rule exact (--exact-closest): the reference quirk would have decided \(percent(decided)) of closest questions and changed \(percent(changed))")
        } else {
            lines.append("  closest quirk decided \(percent(decided)) of closest questions (own object nearest); \(percent(changed)) differ from the exact rule")
        }
        lines.append("  majority baseline: rel \(percent(majorityBaseline(.relational))), nonrel \(percent(majorityBaseline(.nonRelational)))")
        return lines
    }

    private func percent(_ fraction: Double) -> String {
        let tenths = Int((fraction * 1000).rounded())
        return "\(tenths / 10).\(tenths % 10)%"
    }
}
