import CCairo
import CPangoCairo
import Foundation

// Pango text on a cairo context: markup, measuring, and Korean line breaking.

/// Escapes text for Pango markup.
func escape(_ text: String) -> String {
    text.replacingOccurrences(of: "&", with: "&amp;")
        .replacingOccurrences(of: "<", with: "&lt;")
        .replacingOccurrences(of: ">", with: "&gt;")
}

/// Korean "keep-all" line breaking for titles and headings.
///
/// Pango (UAX #14) may break between any two Hangul syllables, which splits words in a title.
/// A U+2060 WORD JOINER between two non-space characters, one of them Hangul, forbids that
/// break; the joiner has no width and no glyph. Markup tags are left alone.
func keepAll(_ markup: String) -> String {
    func isHangul(_ c: Character) -> Bool {
        c.unicodeScalars.contains { (0xAC00...0xD7A3).contains($0.value) || (0x3130...0x318F).contains($0.value) }
    }
    var out = ""
    var previous: Character?
    var inTag = false
    for c in markup {
        if c == "<" { inTag = true }
        if !inTag {
            if let p = previous, !p.isWhitespace, !c.isWhitespace, isHangul(p) || isHangul(c) {
                out.append("\u{2060}")
            }
            previous = c
        }
        out.append(c)
        if c == ">" { inTag = false }
    }
    return out
}

/// A Pango layout bound to a cairo context, for drawing markup at a position.
struct Text {
    let cr: OpaquePointer
    let layout: OpaquePointer

    init(cr: OpaquePointer, font: String) {
        self.cr = cr
        layout = pango_cairo_create_layout(cr)
        let description = pango_font_description_from_string(font)
        pango_layout_set_font_description(layout, description)
        pango_font_description_free(description)
    }

    func draw(_ markup: String, x: Double, y: Double, width: Double) {
        pango_layout_set_width(layout, Int32(width * Double(PANGO_SCALE)))
        pango_layout_set_markup(layout, markup, -1)
        cairo_set_source_rgb(cr, 0, 0, 0)
        cairo_move_to(cr, x, y)
        pango_cairo_show_layout(cr, layout)
    }

    func release() { g_object_unref(UnsafeMutableRawPointer(layout)) }
}

/// How a block of text is set.
struct TextStyle {
    var font: String
    var alignment: Alignment = .left
    var justify = false
    /// Extra space between lines, in points.
    var lineSpacing = 0.0
    var color: (Double, Double, Double) = (0, 0, 0)

    enum Alignment { case left, center, right }
}

/// One laid-out paragraph: its lines with their heights, drawable line by line so a paragraph
/// can continue in the next column.
final class Paragraph {
    struct Line {
        let line: UnsafeMutablePointer<PangoLayoutLine>
        /// Offset of the line's left edge from the paragraph's left edge.
        let x: Double
        /// Distance from the line's top to its baseline.
        let ascent: Double
        let height: Double
    }

    let layout: OpaquePointer
    let lines: [Line]
    let style: TextStyle
    /// Natural width of the widest line.
    let width: Double

    /// Lays out `markup` in `width` points (nil: no wrapping).
    init(_ markup: String, style: TextStyle, width: Double?, cr: OpaquePointer) {
        self.style = style
        layout = pango_cairo_create_layout(cr)
        let description = pango_font_description_from_string(style.font)
        pango_layout_set_font_description(layout, description)
        pango_font_description_free(description)
        if let width {
            pango_layout_set_width(layout, Int32((width * Double(PANGO_SCALE)).rounded(.down)))
            pango_layout_set_wrap(layout, PANGO_WRAP_WORD_CHAR)
        }
        switch style.alignment {
        case .left: pango_layout_set_alignment(layout, PANGO_ALIGN_LEFT)
        case .center: pango_layout_set_alignment(layout, PANGO_ALIGN_CENTER)
        case .right: pango_layout_set_alignment(layout, PANGO_ALIGN_RIGHT)
        }
        pango_layout_set_justify(layout, style.justify ? 1 : 0)
        pango_layout_set_markup(layout, markup, -1)

        var lines: [Line] = []
        let scale = Double(PANGO_SCALE)
        let iter = pango_layout_get_iter(layout)
        repeat {
            var logical = PangoRectangle()
            pango_layout_iter_get_line_extents(iter, nil, &logical)
            let baseline = Double(pango_layout_iter_get_baseline(iter))
            lines.append(Line(
                line: pango_layout_iter_get_line_readonly(iter),
                x: Double(logical.x) / scale,
                ascent: (baseline - Double(logical.y)) / scale,
                height: Double(logical.height) / scale + style.lineSpacing))
        } while pango_layout_iter_next_line(iter) != 0
        pango_layout_iter_free(iter)
        self.lines = lines
        var ink = PangoRectangle()
        var logical = PangoRectangle()
        pango_layout_get_extents(layout, &ink, &logical)
        self.width = Double(logical.width) / scale
    }

    deinit { g_object_unref(UnsafeMutableRawPointer(layout)) }

    var height: Double { lines.reduce(0) { $0 + $1.height } }

    /// Draws lines `range` with the top of the first at `y`; returns the height used.
    @discardableResult
    func draw(lines range: Range<Int>, x: Double, y: Double, cr: OpaquePointer) -> Double {
        cairo_set_source_rgb(cr, style.color.0, style.color.1, style.color.2)
        var top = y
        for index in range {
            let line = lines[index]
            cairo_move_to(cr, x + line.x, top + line.ascent)
            pango_cairo_show_layout_line(cr, line.line)
            top += line.height
        }
        return top - y
    }

    /// Draws the whole paragraph with its top at `y`; returns the height used.
    @discardableResult
    func draw(x: Double, y: Double, cr: OpaquePointer) -> Double {
        draw(lines: 0..<lines.count, x: x, y: y, cr: cr)
    }
}

/// The fonts the report sets text in, and the check that they are installed.
enum Fonts {
    /// Body text (a serif with Hangul, like the paper's).
    static let serif = "NanumMyeongjo"
    /// Headings, captions, tables and plots.
    static let sans = "NanumGothic"

    /// Throws when a family the report needs is not known to fontconfig (Pango would silently
    /// substitute another font, and Korean might come out as boxes).
    static func check() throws {
        guard let fontMap = pango_cairo_font_map_get_default() else {
            throw ReportError.missingFont(serif)
        }
        var families: UnsafeMutablePointer<UnsafeMutablePointer<PangoFontFamily>?>?
        var count: Int32 = 0
        pango_font_map_list_families(fontMap, &families, &count)
        var names: [String] = []
        if let families {
            for index in 0..<Int(count) {
                if let family = families[index], let name = pango_font_family_get_name(family) {
                    names.append(String(cString: name))
                }
            }
            g_free(families)
        }
        if let missing = firstMissing(among: names) { throw ReportError.missingFont(missing) }
    }

    /// The first family the report needs that `installed` lacks (names compared without case).
    static func firstMissing(among installed: [String]) -> String? {
        [serif, sans].first { required in !installed.contains { $0.caseInsensitiveCompare(required) == .orderedSame } }
    }
}
