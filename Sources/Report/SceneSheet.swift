import Artifacts
import CCairo
import CPangoCairo
import Foundation
import _RNReproSupport

/// Draws a Sort-of-CLEVR image enlarged (nearest neighbour, so every pixel stays a sharp square)
/// beside its questions and answers in English, as a PNG a person can read.
public enum SceneSheet {
    /// Each image pixel becomes `scale` x `scale` pixels.
    public static let scale = 5
    static let margin = 24.0
    static let textWidth = 640.0
    static let fontDescription = "NanumGothic 11"

    /// Renders `sample` and writes the PNG to `path` atomically.
    public static func writePNG(_ sample: SceneSample, to path: String) throws {
        let imageSide = Double(sample.side * scale)
        let lineHeight = 19.0
        let titleHeight = 30.0
        let textHeight = titleHeight + lineHeight * Double(sample.questions.count + 2)
        let width = Int(margin * 3 + imageSide + textWidth)
        let height = Int(margin * 2 + max(imageSide, textHeight))

        guard let surface = cairo_image_surface_create(CAIRO_FORMAT_RGB24, Int32(width), Int32(height)),
            cairo_surface_status(surface) == CAIRO_STATUS_SUCCESS
        else {
            throw FileError(path: path, reason: "cannot create a \(width)x\(height) image surface")
        }
        defer { cairo_surface_destroy(surface) }
        let cr = cairo_create(surface)!
        defer { cairo_destroy(cr) }

        cairo_set_source_rgb(cr, 1, 1, 1)
        cairo_paint(cr)
        drawImage(sample, cr: cr, x: margin, y: margin)

        let text = Text(cr: cr, font: fontDescription)
        defer { text.release() }
        var y = margin
        let x = margin * 2 + imageSide
        text.draw("<b>\(sample.split) image \(sample.index)</b>", x: x, y: y, width: textWidth)
        y += titleHeight
        for (number, line) in sample.questions.enumerated() {
            if number > 0, line.type != sample.questions[number - 1].type { y += lineHeight }
            let tag = line.type == "rel" ? "relational" : "non-relational"
            text.draw(
                "<span foreground=\"#666666\">\(number + 1). \(tag)</span>  \(escape(line.text))  →  <b>\(escape(line.answer))</b>",
                x: x, y: y, width: textWidth)
            y += lineHeight
        }
        cairo_surface_flush(surface)

        try AtomicFile.write(to: path) { temporary in
            let status = cairo_surface_write_to_png(surface, temporary)
            guard status == CAIRO_STATUS_SUCCESS else {
                throw FileError(path: path, reason: "cannot write PNG: \(String(cString: cairo_status_to_string(status)))")
            }
        }
    }

    /// Paints the image's pixels as filled squares with a thin frame around it.
    static func drawImage(_ sample: SceneSample, cr: OpaquePointer, x: Double, y: Double) {
        let s = Double(scale)
        for row in 0..<sample.side {
            for column in 0..<sample.side {
                let offset = (row * sample.side + column) * 3
                cairo_set_source_rgb(
                    cr, Double(sample.pixels[offset]) / 255, Double(sample.pixels[offset + 1]) / 255,
                    Double(sample.pixels[offset + 2]) / 255)
                cairo_rectangle(cr, x + Double(column) * s, y + Double(row) * s, s, s)
                cairo_fill(cr)
            }
        }
        cairo_set_source_rgb(cr, 0.5, 0.5, 0.5)
        cairo_set_line_width(cr, 1)
        let side = Double(sample.side) * s
        cairo_rectangle(cr, x - 0.5, y - 0.5, side + 1, side + 1)
        cairo_stroke(cr)
    }
}
