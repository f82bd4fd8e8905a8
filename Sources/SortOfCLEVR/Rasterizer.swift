/// Draws scenes as 75x75 8-bit RGB images.
///
/// Pixel rules (x is the column, y the row, row 0 at the top):
/// - background white (255, 255, 255);
/// - square: every pixel with |x - cx| <= 5 and |y - cy| <= 5 (11 x 11 = 121 pixels);
/// - circle: every pixel with (x - cx)^2 + (y - cy)^2 <= 25 (81 pixels);
/// - objects are painted in colour order, later ones over earlier ones.
///
/// The layout is row-major, interleaved: byte (y * 75 + x) * 3 + c for channel c in r, g, b.
public enum Rasterizer {
    /// Paints `objects` onto `pixels`, which must hold `SceneGeometry.bytesPerImage` bytes.
    public static func draw(_ objects: [SceneObject], into pixels: UnsafeMutableBufferPointer<UInt8>) {
        precondition(pixels.count == SceneGeometry.bytesPerImage)
        let side = SceneGeometry.side
        let radius = SceneGeometry.objectRadius
        pixels.update(repeating: 255)
        for object in objects {
            let (r, g, b) = object.color.rgb
            for y in (object.y - radius)...(object.y + radius) {
                for x in (object.x - radius)...(object.x + radius) {
                    guard covers(object, x: x, y: y), (0..<side).contains(x), (0..<side).contains(y)
                    else { continue }
                    let offset = (y * side + x) * 3
                    pixels[offset] = r
                    pixels[offset + 1] = g
                    pixels[offset + 2] = b
                }
            }
        }
    }

    /// The image of `objects` as a new array.
    public static func image(of objects: [SceneObject]) -> [UInt8] {
        [UInt8](unsafeUninitializedCapacity: SceneGeometry.bytesPerImage) { buffer, count in
            draw(objects, into: buffer)
            count = SceneGeometry.bytesPerImage
        }
    }

    /// Whether pixel (x, y) belongs to `object`'s shape.
    @inlinable
    public static func covers(_ object: SceneObject, x: Int, y: Int) -> Bool {
        let dx = x - object.x
        let dy = y - object.y
        let radius = SceneGeometry.objectRadius
        switch object.shape {
        case .square: return abs(dx) <= radius && abs(dy) <= radius
        case .circle: return dx * dx + dy * dy <= radius * radius
        }
    }
}
