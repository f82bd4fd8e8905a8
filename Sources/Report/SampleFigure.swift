import Artifacts
import CCairo
import Foundation

/// Sort-of-CLEVR images drawn as vectors beside a few of their questions and answers.
///
/// Each row of pixels becomes one rectangle per run of equal colour (white runs are left to
/// the background), so the PDF holds no raster image and stays small.
struct SampleFigure {
    var samples: [SceneSample]
    /// Questions shown per type and image.
    var questionsPerType = 3
    var imageSide = 68.0
    var gap = 8.0
    var font = "\(Fonts.sans) 6.2"

    private func questionText(_ sample: SceneSample) -> String {
        var lines: [String] = []
        for type in ["nonrel", "rel"] {
            let label = type == "rel" ? "관계" : "비관계"
            for question in sample.questions.filter({ $0.type == type }).prefix(questionsPerType) {
                lines.append("<span foreground=\"#777777\">\(label)</span> \(escape(question.text)) → <b>\(escape(question.answer))</b>")
            }
        }
        return "<span foreground=\"#555555\">\(escape(sample.split)) #\(sample.index)</span>\n" + lines.joined(separator: "\n")
    }

    private func blockHeight(_ sample: SceneSample, width: Double, cr: OpaquePointer) -> Double {
        let text = Paragraph(questionText(sample), style: TextStyle(font: font, lineSpacing: 0.6), width: width - imageSide - gap, cr: cr)
        return max(imageSide, text.height)
    }

    func height(width: Double, cr: OpaquePointer) -> Double {
        samples.reduce(0) { $0 + blockHeight($1, width: width, cr: cr) + gap } - gap
    }

    func draw(cr: OpaquePointer, x: Double, y: Double, width: Double) {
        var top = y
        for sample in samples {
            let height = blockHeight(sample, width: width, cr: cr)
            drawPixels(sample, cr: cr, x: x, y: top, side: imageSide)
            let text = Paragraph(questionText(sample), style: TextStyle(font: font, lineSpacing: 0.6), width: width - imageSide - gap, cr: cr)
            text.draw(x: x + imageSide + gap, y: top, cr: cr)
            top += height + gap
        }
    }

    /// Paints `sample`'s pixels into a `side` x `side` square.
    func drawPixels(_ sample: SceneSample, cr: OpaquePointer, x: Double, y: Double, side: Double) {
        let n = sample.side
        let cell = side / Double(n)
        cairo_save(cr)
        cairo_set_source_rgb(cr, 1, 1, 1)
        cairo_rectangle(cr, x, y, side, side)
        cairo_fill(cr)
        for row in 0..<n {
            var start = 0
            while start < n {
                let offset = (row * n + start) * 3
                let color = (sample.pixels[offset], sample.pixels[offset + 1], sample.pixels[offset + 2])
                var end = start + 1
                while end < n {
                    let o = (row * n + end) * 3
                    if (sample.pixels[o], sample.pixels[o + 1], sample.pixels[o + 2]) != color { break }
                    end += 1
                }
                if color != (255, 255, 255) {
                    cairo_set_source_rgb(cr, Double(color.0) / 255, Double(color.1) / 255, Double(color.2) / 255)
                    // A hair of overlap hides seams between neighbouring rows in viewers.
                    cairo_rectangle(cr, x + Double(start) * cell, y + Double(row) * cell, Double(end - start) * cell, cell + 0.02)
                    cairo_fill(cr)
                }
                start = end
            }
        }
        cairo_set_source_rgb(cr, 0.55, 0.55, 0.55)
        cairo_set_line_width(cr, 0.5)
        cairo_rectangle(cr, x, y, side, side)
        cairo_stroke(cr)
        cairo_restore(cr)
    }
}
