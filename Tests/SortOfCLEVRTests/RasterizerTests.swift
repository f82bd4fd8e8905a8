import Testing

@testable import SortOfCLEVR

@Suite struct RasterizerTests {
    static func pixel(_ image: [UInt8], _ x: Int, _ y: Int) -> [UInt8] {
        let offset = (y * SceneGeometry.side + x) * 3
        return Array(image[offset..<(offset + 3)])
    }

    /// Pixels of `image` that are not white.
    static func paintedPixels(_ image: [UInt8]) -> [(Int, Int)] {
        var painted: [(Int, Int)] = []
        for y in 0..<SceneGeometry.side {
            for x in 0..<SceneGeometry.side where pixel(image, x, y) != [255, 255, 255] {
                painted.append((x, y))
            }
        }
        return painted
    }

    @Test func squareIsExactly121Pixels() {
        let square = SceneObject(color: .blue, shape: .square, x: 20, y: 40)
        let image = Rasterizer.image(of: [square])
        let painted = Self.paintedPixels(image)
        #expect(painted.count == 121)
        #expect(painted.allSatisfy { abs($0.0 - 20) <= 5 && abs($0.1 - 40) <= 5 })
        #expect(Self.pixel(image, 15, 35) == [0, 0, 255])
        #expect(Self.pixel(image, 25, 45) == [0, 0, 255])
        #expect(Self.pixel(image, 26, 45) == [255, 255, 255])
    }

    @Test func circleFollowsTheDistanceRule() {
        let circle = SceneObject(color: .orange, shape: .circle, x: 37, y: 37)
        let image = Rasterizer.image(of: [circle])
        for y in 0..<SceneGeometry.side {
            for x in 0..<SceneGeometry.side {
                let inside = (x - 37) * (x - 37) + (y - 37) * (y - 37) <= 25
                #expect(Self.pixel(image, x, y) == (inside ? [255, 156, 0] : [255, 255, 255]))
            }
        }
        #expect(Self.paintedPixels(image).count == 81)
        // (3, 4) from the centre is on the rule's boundary (9 + 16 = 25), (4, 4) is outside.
        #expect(Self.pixel(image, 40, 41) == [255, 156, 0])
        #expect(Self.pixel(image, 41, 41) == [255, 255, 255])
    }

    @Test func laterObjectsPaintOverEarlierOnes() {
        let red = SceneObject(color: .red, shape: .square, x: 30, y: 30)
        let yellow = SceneObject(color: .yellow, shape: .circle, x: 33, y: 30)
        let image = Rasterizer.image(of: [red, yellow])
        #expect(Self.pixel(image, 33, 30) == [255, 255, 0])  // yellow's centre
        #expect(Self.pixel(image, 29, 30) == [255, 255, 0])  // inside both: yellow was drawn last
        #expect(Self.pixel(image, 26, 30) == [255, 0, 0])  // red only
        let reversed = Rasterizer.image(of: [yellow, red])
        #expect(Self.pixel(reversed, 29, 30) == [255, 0, 0])
    }

    @Test func extremeCentresStayInside() {
        let corners = [(5, 5), (69, 5), (5, 69), (69, 69)].map {
            SceneObject(color: .gray, shape: .square, x: $0.0, y: $0.1)
        }
        let image = Rasterizer.image(of: corners)
        #expect(Self.paintedPixels(image).count == 4 * 121)
        #expect(Self.pixel(image, 0, 0) == [128, 128, 128])
        #expect(Self.pixel(image, 74, 74) == [128, 128, 128])
    }
}
