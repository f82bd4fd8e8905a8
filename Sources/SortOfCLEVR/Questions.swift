/// Non-relational questions ask about one object; relational ones about its relation to others.
public enum QuestionType: Int, CaseIterable, Sendable, Codable {
    case nonRelational = 0
    case relational = 1

    /// The name used in exports and metrics: "nonrel" or "rel".
    public var name: String { self == .nonRelational ? "nonrel" : "rel" }

    /// The subtypes' names, by subtype index.
    public var subtypeNames: [String] {
        switch self {
        case .nonRelational: ["shape", "left", "top"]
        case .relational: ["closest", "furthest", "count"]
        }
    }
}

/// The answer classes: 0 yes, 1 no, 2 square, 3 circle, 4...9 a count of 1...6.
public enum Answer {
    public static let classCount = 10
    public static let yes = 0
    public static let no = 1
    public static let square = 2
    public static let circle = 3
    /// The class of "count = n", n in 1...6.
    public static func count(_ n: Int) -> Int { 3 + n }

    public static func shape(_ shape: ObjectShape) -> Int { shape == .square ? square : circle }

    /// The answer in words: "yes", "no", "square", "circle" or a number.
    public static func word(_ answer: Int) -> String {
        switch answer {
        case yes: "yes"
        case no: "no"
        case square: "square"
        case circle: "circle"
        case 4...9: String(answer - 3)
        default: "?"
        }
    }
}

/// Switches of the answer rules that differ between the 2017 reference and the plain reading.
public struct AnswerRules: Equatable, Sendable, Codable {
    /// false (the default): the reference's quirk. For "closest", the queried object's own
    /// squared distance is 999 rather than infinity, so when every other object is farther than
    /// sqrt(999) the answer is the queried object's own shape. true: the nearest other object.
    public var exactClosest: Bool

    public init(exactClosest: Bool = false) {
        self.exactClosest = exactClosest
    }

    /// The squared distance the reference gives an object to itself in "closest".
    public static let referenceSelfDistance = 999
}

/// One question about a scene and its answer.
public struct Question: Equatable, Sendable {
    public var type: QuestionType
    /// 0...2; see `QuestionType.subtypeNames`.
    public var subtype: Int
    /// The colour of the object the question is about.
    public var color: ObjectColor
    /// The answer class, 0...9.
    public var answer: Int

    public init(type: QuestionType, subtype: Int, color: ObjectColor, answer: Int) {
        self.type = type
        self.subtype = subtype
        self.color = color
        self.answer = answer
    }

    /// The question with its answer computed from `objects` (indexed by colour) by docs/spec.md section 2's rules.
    public init(
        type: QuestionType, subtype: Int, color: ObjectColor, objects: [SceneObject],
        rules: AnswerRules
    ) {
        self.init(
            type: type, subtype: subtype, color: color,
            answer: Question.answer(
                type: type, subtype: subtype, color: color, objects: objects, rules: rules))
    }

    /// The length of `vector`.
    public static let vectorLength = 11

    /// The network's view of the question: [0...5] colour one-hot, [6] non-relational flag,
    /// [7] relational flag, [8...10] subtype one-hot.
    public var vector: [Float] {
        var v = [Float](repeating: 0, count: Question.vectorLength)
        v[color.rawValue] = 1
        v[type == .nonRelational ? 6 : 7] = 1
        v[8 + subtype] = 1
        return v
    }

    /// The question in English, e.g. "What shape is the object closest to the red object?".
    public var text: String {
        let object = "the \(color.name) object"
        switch (type, subtype) {
        case (.nonRelational, 0): return "What shape is \(object)?"
        case (.nonRelational, 1): return "Is \(object) on the left?"
        case (.nonRelational, 2): return "Is \(object) at the top?"
        case (.relational, 0): return "What shape is the object closest to \(object)?"
        case (.relational, 1): return "What shape is the object furthest from \(object)?"
        default: return "How many objects have the shape of \(object)?"
        }
    }

    /// docs/spec.md section 2's answer rules. `objects` must hold one object per colour, indexed by
    /// colour (the order they are generated in).
    public static func answer(
        type: QuestionType, subtype: Int, color: ObjectColor, objects: [SceneObject],
        rules: AnswerRules
    ) -> Int {
        precondition(objects.count == SceneGeometry.objectCount && (0...2).contains(subtype))
        let queried = objects[color.rawValue]
        let half = Double(SceneGeometry.side) / 2  // 37.5
        switch (type, subtype) {
        case (.nonRelational, 0):
            return Answer.shape(queried.shape)
        case (.nonRelational, 1):
            return Double(queried.x) < half ? Answer.yes : Answer.no
        case (.nonRelational, 2):
            return Double(queried.y) < half ? Answer.yes : Answer.no
        case (.relational, 0):
            return Answer.shape(objects[closestIndex(to: color.rawValue, in: objects, rules: rules)].shape)
        case (.relational, 1):
            return Answer.shape(objects[furthestIndex(from: color.rawValue, in: objects)].shape)
        default:
            let count = objects.count { $0.shape == queried.shape }
            return Answer.count(count)
        }
    }

    /// The index of the object nearest to object `queried`; ties go to the lower colour index.
    /// With the reference quirk, the queried object itself stands at squared distance 999.
    public static func closestIndex(to queried: Int, in objects: [SceneObject], rules: AnswerRules) -> Int {
        var best = -1
        var bestDistance = Int.max
        for (index, object) in objects.enumerated() {
            let distance: Int
            if index == queried {
                guard !rules.exactClosest else { continue }
                distance = AnswerRules.referenceSelfDistance
            } else {
                distance = object.squaredDistance(to: objects[queried])
            }
            if distance < bestDistance {
                best = index
                bestDistance = distance
            }
        }
        return best
    }

    /// The index of the object farthest from object `queried`; ties go to the lower colour index.
    public static func furthestIndex(from queried: Int, in objects: [SceneObject]) -> Int {
        var best = -1
        var bestDistance = -1
        for (index, object) in objects.enumerated() {
            let distance = object.squaredDistance(to: objects[queried])
            if distance > bestDistance {
                best = index
                bestDistance = distance
            }
        }
        return best
    }

    /// Whether the closest-question quirk decided this question's answer, that is, whether the
    /// queried object itself was chosen as its own nearest object.
    public static func quirkDecidesClosest(to queried: Int, in objects: [SceneObject]) -> Bool {
        closestIndex(to: queried, in: objects, rules: AnswerRules(exactClosest: false)) == queried
    }
}
