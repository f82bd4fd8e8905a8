import Engine

/// The six object colours, in the order objects are placed and drawn (docs/spec.md section 2).
/// The raw value is the colour's index in the question vector's one-hot part.
public enum ObjectColor: Int, CaseIterable, Sendable, Codable {
    case red, green, blue, orange, gray, yellow

    public var rgb: (r: UInt8, g: UInt8, b: UInt8) {
        switch self {
        case .red: (255, 0, 0)
        case .green: (0, 255, 0)
        case .blue: (0, 0, 255)
        case .orange: (255, 156, 0)
        case .gray: (128, 128, 128)
        case .yellow: (255, 255, 0)
        }
    }

    public var name: String {
        switch self {
        case .red: "red"
        case .green: "green"
        case .blue: "blue"
        case .orange: "orange"
        case .gray: "gray"
        case .yellow: "yellow"
        }
    }
}

public enum ObjectShape: Int, Sendable, Codable {
    case square = 0
    case circle = 1

    public var name: String { self == .square ? "square" : "circle" }
}

/// One object of a scene: its colour, shape and integer centre (x is the column, y the row;
/// row 0 is the top).
public struct SceneObject: Equatable, Sendable {
    public var color: ObjectColor
    public var shape: ObjectShape
    public var x: Int
    public var y: Int

    public init(color: ObjectColor, shape: ObjectShape, x: Int, y: Int) {
        self.color = color
        self.shape = shape
        self.x = x
        self.y = y
    }

    /// Squared distance between two centres, in pixels squared (an exact integer).
    @inlinable
    public func squaredDistance(to other: SceneObject) -> Int {
        let dx = x - other.x
        let dy = y - other.y
        return dx * dx + dy * dy
    }
}

/// The fixed geometry of Sort-of-CLEVR.
public enum SceneGeometry {
    /// Images are `side` x `side` pixels, RGB.
    public static let side = 75
    public static let bytesPerImage = side * side * 3
    /// Every scene has one object of each colour.
    public static let objectCount = ObjectColor.allCases.count
    /// Half the side of a square and the radius of a circle.
    public static let objectRadius = 5
    /// Centres are uniform in this range on both axes, so no object leaves the image.
    public static let centreRange = 5...69
    /// A centre is redrawn while its squared distance to an earlier centre is below this.
    public static let minimumSquaredSeparation = 100
    /// Questions of each type per image.
    public static let questionsPerType = 10
    public static let questionsPerImage = 2 * questionsPerType
}

/// Which part of the data set an image belongs to. The raw value is part of the random stream
/// identity and of the file format.
public enum Split: Int, CaseIterable, Sendable, Codable {
    case train = 0
    case test = 1

    public var name: String { self == .train ? "train" : "test" }

    public init?(name: String) {
        switch name {
        case "train": self = .train
        case "test": self = .test
        default: return nil
        }
    }
}

/// One generated image: its objects in drawing order and its 20 questions (10 non-relational,
/// then 10 relational) with their answers.
public struct Scene: Equatable, Sendable {
    public var objects: [SceneObject]
    public var questions: [Question]

    public init(objects: [SceneObject], questions: [Question]) {
        self.objects = objects
        self.questions = questions
    }

    /// The scene of image `index` of `split`: a pure function of its arguments.
    ///
    /// Draw order within the image's own random stream: for each colour in order, a centre
    /// (x then y, redrawn while too close to an earlier one) and then its shape (square with
    /// probability 1/2); then for each of the 10 non-relational and then 10 relational questions,
    /// its colour and then its subtype.
    public static func generate(
        seed: UInt64, split: Split, index: Int, rules: AnswerRules
    ) -> Scene {
        var random = RandomStream(
            seed: seed, domain: .sortOfCLEVRScene, UInt32(split.rawValue), UInt32(index))
        var objects: [SceneObject] = []
        objects.reserveCapacity(SceneGeometry.objectCount)
        for color in ObjectColor.allCases {
            var candidate: SceneObject
            repeat {
                let x = random.nextInt(in: SceneGeometry.centreRange)
                let y = random.nextInt(in: SceneGeometry.centreRange)
                candidate = SceneObject(color: color, shape: .square, x: x, y: y)
            } while objects.contains {
                $0.squaredDistance(to: candidate) < SceneGeometry.minimumSquaredSeparation
            }
            candidate.shape = random.nextInt(below: 2) == 0 ? .square : .circle
            objects.append(candidate)
        }
        var questions: [Question] = []
        questions.reserveCapacity(SceneGeometry.questionsPerImage)
        for type in [QuestionType.nonRelational, .relational] {
            for _ in 0..<SceneGeometry.questionsPerType {
                let color = ObjectColor(rawValue: random.nextInt(below: 6))!
                let subtype = random.nextInt(below: 3)
                questions.append(
                    Question(type: type, subtype: subtype, color: color, objects: objects, rules: rules))
            }
        }
        return Scene(objects: objects, questions: questions)
    }
}
