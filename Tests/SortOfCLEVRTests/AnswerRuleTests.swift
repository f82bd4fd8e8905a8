import Testing

@testable import SortOfCLEVR

/// docs/spec.md section 2's answer rules on scenes built by hand, where the right answer can be
/// worked out on paper.
@Suite struct AnswerRuleTests {
    /// Builds a scene from (x, y, shape) per colour, in colour order.
    static func scene(_ placements: [(Int, Int, ObjectShape)]) -> [SceneObject] {
        zip(ObjectColor.allCases, placements).map { color, placement in
            SceneObject(color: color, shape: placement.2, x: placement.0, y: placement.1)
        }
    }

    static let quirk = AnswerRules(exactClosest: false)
    static let exact = AnswerRules(exactClosest: true)

    func answer(_ type: QuestionType, _ subtype: Int, _ color: ObjectColor, _ objects: [SceneObject],
                _ rules: AnswerRules = quirk) -> Int {
        Question.answer(type: type, subtype: subtype, color: color, objects: objects, rules: rules)
    }

    // A compact scene: red square at (10, 10), green circle (30, 10), blue square (50, 50),
    // orange circle (60, 20), gray circle (37, 38), yellow square (38, 37).
    let compact = scene([
        (10, 10, .square), (30, 10, .circle), (50, 50, .square),
        (60, 20, .circle), (37, 38, .circle), (38, 37, .square),
    ])

    @Test func shapeLeftTop() {
        #expect(answer(.nonRelational, 0, .red, compact) == Answer.square)
        #expect(answer(.nonRelational, 0, .green, compact) == Answer.circle)
        // x < 37.5 is left: 37 is left, 38 is not.
        #expect(answer(.nonRelational, 1, .gray, compact) == Answer.yes)
        #expect(answer(.nonRelational, 1, .yellow, compact) == Answer.no)
        // y < 37.5 is top (row 0 is the top): 37 is top, 38 is not.
        #expect(answer(.nonRelational, 2, .yellow, compact) == Answer.yes)
        #expect(answer(.nonRelational, 2, .gray, compact) == Answer.no)
        #expect(answer(.nonRelational, 2, .blue, compact) == Answer.no)
    }

    @Test func closestAndFurthest() {
        // From red (10,10): green 400, gray 27^2+28^2 = 1513, yellow 28^2+27^2 = 1513, blue 3200,
        // orange 2600. Closest: green (circle). Furthest: blue (square).
        #expect(answer(.relational, 0, .red, compact) == Answer.circle)
        #expect(answer(.relational, 1, .red, compact) == Answer.square)
        // From gray (37,38): yellow at distance 2 is closest (square).
        #expect(answer(.relational, 0, .gray, compact) == Answer.square)
        // From orange (60,20): blue 100+900 = 1000, green 900+100 = 1000, red 2500+100 = 2600.
        // Furthest: red (square).
        #expect(answer(.relational, 1, .orange, compact) == Answer.square)
    }

    @Test func tiesGoToTheLowerColourIndex() {
        // Green (circle) and blue (square) are both at squared distance 400 from red: green wins.
        let tie = Self.scene([
            (30, 30, .square), (50, 30, .circle), (30, 50, .square),
            (69, 69, .square), (5, 69, .square), (69, 5, .square),
        ])
        #expect(Question.closestIndex(to: 0, in: tie, rules: Self.quirk) == 1)
        #expect(answer(.relational, 0, .red, tie) == Answer.circle)
        // Swap their shapes: the answer follows green.
        var swapped = tie
        swapped[1].shape = .square
        swapped[2].shape = .circle
        #expect(answer(.relational, 0, .red, swapped) == Answer.square)
        // A furthest tie: orange and gray are both 32^2 + 32^2 = 2048 from red.
        let furthestTie = Self.scene([
            (37, 37, .square), (47, 37, .square), (37, 47, .square),
            (5, 69, .circle), (69, 5, .square), (60, 60, .square),
        ])
        // Orange has the lower colour index.
        #expect(Question.furthestIndex(from: 0, in: furthestTie) == 3)
        #expect(answer(.relational, 1, .red, furthestTie) == Answer.circle)
    }

    @Test func closestQuirkOnAndOff() {
        // Red square alone in a corner: every other object is farther than sqrt(999) ~ 31.6.
        let lonely = Self.scene([
            (5, 5, .square), (40, 20, .circle), (60, 60, .circle),
            (45, 45, .circle), (20, 50, .circle), (69, 30, .circle),
        ])
        // Nearest other: green at 35^2 + 15^2 = 1450 > 999.
        #expect(Question.quirkDecidesClosest(to: 0, in: lonely))
        #expect(answer(.relational, 0, .red, lonely, Self.quirk) == Answer.square)  // its own shape
        #expect(answer(.relational, 0, .red, lonely, Self.exact) == Answer.circle)  // green's
        // Move green to distance^2 = 30^2 + 10^2 = 1000 (> 999): still the quirk.
        var edge = lonely
        edge[1].x = 35
        edge[1].y = 15
        #expect(answer(.relational, 0, .red, edge, Self.quirk) == Answer.square)
        // Distance^2 = 30^2 + 9^2 = 981 (< 999): green is nearer than the quirk's 999.
        edge[1].y = 14
        #expect(!Question.quirkDecidesClosest(to: 0, in: edge))
        #expect(answer(.relational, 0, .red, edge, Self.quirk) == Answer.circle)
        #expect(answer(.relational, 0, .red, edge, Self.exact) == Answer.circle)
        // The quirk never touches "furthest".
        #expect(answer(.relational, 1, .red, lonely, Self.quirk) == answer(.relational, 1, .red, lonely, Self.exact))
    }

    @Test(arguments: 1...6)
    func countIncludesTheQueriedObject(squares: Int) {
        let placements: [(Int, Int)] = [(10, 10), (30, 10), (50, 10), (10, 40), (30, 40), (50, 40)]
        let objects = Self.scene(placements.enumerated().map { index, place in
            (place.0, place.1, index < squares ? ObjectShape.square : .circle)
        })
        // Red is a square: the count is the number of squares, answer class 3 + count.
        #expect(answer(.relational, 2, .red, objects) == 3 + squares)
        #expect(answer(.relational, 2, .red, objects) == Answer.count(squares))
        // Yellow is a circle unless all six are squares.
        let circles = 6 - squares
        #expect(answer(.relational, 2, .yellow, objects) == Answer.count(squares == 6 ? 6 : circles))
    }

    @Test func questionVectorLayout() {
        let question = Question(type: .relational, subtype: 2, color: .orange, answer: 5)
        #expect(question.vector == [0, 0, 0, 1, 0, 0, 0, 1, 0, 0, 1])
        let other = Question(type: .nonRelational, subtype: 0, color: .red, answer: 2)
        #expect(other.vector == [1, 0, 0, 0, 0, 0, 1, 0, 1, 0, 0])
        #expect(Answer.word(0) == "yes" && Answer.word(3) == "circle" && Answer.word(9) == "6")
    }
}
