import CCairo
import CPangoCairo
import CRsvg
import Foundation

/// A4 pages with a running header and a page number, filled column by column.
///
/// Content flows like a paper's: a full-width title block on the first page, then two columns;
/// a paragraph may continue from the foot of one column to the head of the next, while tables
/// and figures are never split (they move to the next column when they do not fit).
final class PageComposer {
    static let pageWidth = 595.276
    static let pageHeight = 841.89
    static let marginLeft = 52.0
    static let marginRight = 52.0
    static let marginTop = 60.0
    static let marginBottom = 58.0
    static let columnGap = 18.0

    let cr: OpaquePointer
    let surface: OpaquePointer
    let header: String
    private(set) var pageCount = 0
    private(set) var columns = 2
    private(set) var column = 0
    /// Top of the columns on the current page (below a full-width block).
    private var columnTop = PageComposer.marginTop
    /// The next free y in the current column.
    private(set) var y = PageComposer.marginTop
    private var pageStarted = false

    init(surface: OpaquePointer, header: String) {
        self.surface = surface
        self.cr = cairo_create(surface)
        self.header = header
    }

    deinit { cairo_destroy(cr) }

    static var textWidth: Double { pageWidth - marginLeft - marginRight }
    var columnWidth: Double { (Self.textWidth - Self.columnGap * Double(columns - 1)) / Double(columns) }
    var columnX: Double { Self.marginLeft + Double(column) * (columnWidth + Self.columnGap) }
    var bottom: Double { Self.pageHeight - Self.marginBottom }
    var remaining: Double { bottom - y }
    /// True at the head of a column, where vertical space before a block is dropped.
    var atColumnTop: Bool { y <= columnTop + 0.01 }

    // MARK: Pages and columns

    /// Starts a page with `columns` columns (the previous page, if any, is finished).
    func newPage(columns: Int? = nil) {
        if pageStarted { cairo_show_page(cr) }
        if let columns { self.columns = columns }
        pageCount += 1
        pageStarted = true
        column = 0
        columnTop = Self.marginTop
        y = columnTop
        drawFurniture()
    }

    func nextColumn() {
        if column + 1 < columns {
            column += 1
            y = columnTop
        } else {
            newPage()
        }
    }

    /// Finishes the last page.
    func finish() {
        if pageStarted { cairo_show_page(cr) }
        pageStarted = false
    }

    /// Places a full-width block at the top of the current page, before any column content;
    /// the columns then start below it.
    func fullWidth(height: Double, spaceAfter: Double, draw: (_ x: Double, _ y: Double, _ width: Double) -> Void) {
        precondition(column == 0 && atColumnTop, "full-width blocks go at the head of a page")
        draw(Self.marginLeft, y, Self.textWidth)
        columnTop = y + height + spaceAfter
        y = columnTop
    }

    // MARK: Content

    func space(_ points: Double) {
        guard !atColumnTop else { return }
        y = min(y + points, bottom)
    }

    /// Ensures `height` points are free in this column, moving on when they are not.
    func need(_ height: Double) {
        if height > remaining && !atColumnTop { nextColumn() }
    }

    /// A block that is never split: drawn in the current column, or the next when it does not fit.
    func block(height: Double, draw: (_ x: Double, _ y: Double, _ width: Double) -> Void) {
        need(height)
        draw(columnX, y, columnWidth)
        y += height
    }

    /// Sets `markup` in the column width, continuing in the next column as needed. `keepLines`
    /// lines of the paragraph (or all, if fewer) must fit before it starts, so a heading never
    /// stands alone at a column's foot.
    func paragraph(_ markup: String, style: TextStyle, indent: Double = 0, keepLines: Int = 2, spaceAfter: Double = 0) {
        let paragraph = Paragraph(markup, style: style, width: columnWidth - indent, cr: cr)
        let first = paragraph.lines.prefix(keepLines).reduce(0) { $0 + $1.height }
        need(first)
        var index = 0
        while index < paragraph.lines.count {
            var end = index
            var height = 0.0
            while end < paragraph.lines.count, height + paragraph.lines[end].height <= remaining + 0.01 {
                height += paragraph.lines[end].height
                end += 1
            }
            if end == index {
                if atColumnTop { end = index + 1; height = paragraph.lines[index].height } else { nextColumn(); continue }
            }
            paragraph.draw(lines: index..<end, x: columnX + indent, y: y, cr: cr)
            y += height
            index = end
            if index < paragraph.lines.count { nextColumn() }
        }
        y += spaceAfter
    }

    // MARK: Drawing helpers

    /// Draws `svg` scaled to `width` points wide with its top-left at (x, y); returns its height.
    static func svgHeight(_ svg: Data, width: Double) throws -> Double {
        let handle = try rsvgHandle(svg)
        defer { g_object_unref(UnsafeMutableRawPointer(handle)) }
        let size = intrinsicSize(handle)
        return width * size.height / size.width
    }

    static func drawSVG(_ svg: Data, cr: OpaquePointer, x: Double, y: Double, width: Double) throws {
        let handle = try rsvgHandle(svg)
        defer { g_object_unref(UnsafeMutableRawPointer(handle)) }
        let size = intrinsicSize(handle)
        var viewport = RsvgRectangle(x: x, y: y, width: width, height: width * size.height / size.width)
        var error: UnsafeMutablePointer<GError>?
        if rsvg_handle_render_document(handle, cr, &viewport, &error) == 0 {
            let message = error.map { String(cString: $0.pointee.message) } ?? "unknown error"
            if let error { g_error_free(error) }
            throw ReportError.cannotRender("librsvg cannot draw a figure: \(message)")
        }
    }

    private static func rsvgHandle(_ svg: Data) throws -> UnsafeMutablePointer<RsvgHandle> {
        var error: UnsafeMutablePointer<GError>?
        let handle = svg.withUnsafeBytes { bytes in
            rsvg_handle_new_from_data(bytes.bindMemory(to: UInt8.self).baseAddress, gsize(bytes.count), &error)
        }
        guard let handle else {
            let message = error.map { String(cString: $0.pointee.message) } ?? "unknown error"
            if let error { g_error_free(error) }
            throw ReportError.cannotRender("gnuplot's SVG is not readable by librsvg: \(message)")
        }
        return handle
    }

    private static func intrinsicSize(_ handle: UnsafeMutablePointer<RsvgHandle>) -> (width: Double, height: Double) {
        var width = 0.0
        var height = 0.0
        if rsvg_handle_get_intrinsic_size_in_pixels(handle, &width, &height) == 0 || width <= 0 || height <= 0 {
            return (480, 480)
        }
        return (width, height)
    }

    func rule(x: Double, y: Double, width: Double, lineWidth: Double, gray: Double = 0) {
        cairo_set_source_rgb(cr, gray, gray, gray)
        cairo_set_line_width(cr, lineWidth)
        cairo_move_to(cr, x, y)
        cairo_line_to(cr, x + width, y)
        cairo_stroke(cr)
    }

    /// Running header and page number.
    private func drawFurniture() {
        let style = TextStyle(font: "\(Fonts.sans) 7", alignment: .left, color: (0.35, 0.35, 0.35))
        let head = Paragraph(header, style: style, width: Self.textWidth, cr: cr)
        head.draw(x: Self.marginLeft, y: Self.marginTop - 30, cr: cr)
        rule(x: Self.marginLeft, y: Self.marginTop - 18, width: Self.textWidth, lineWidth: 0.4, gray: 0.55)
        let number = Paragraph("- \(pageCount) -", style: TextStyle(font: "\(Fonts.serif) 8", alignment: .center),
                               width: Self.textWidth, cr: cr)
        number.draw(x: Self.marginLeft, y: Self.pageHeight - Self.marginBottom + 24, cr: cr)
    }
}

/// A table drawn with rules like a journal's: thick rules above and below, a thin one under the
/// header and between groups of rows.
struct TableBlock {
    enum Alignment { case left, center, right }

    var header: [String]
    var alignments: [Alignment]
    /// Groups of rows; a thin rule separates groups.
    var groups: [[[String]]]
    var font = "\(Fonts.sans) 6.8"
    var headerFont = "\(Fonts.sans) Bold 6.8"
    var padding = 3.0
    var rowSpacing = 2.2

    /// The font size actually used: the given one, or smaller until the table fits `width`.
    private func fitted(cr: OpaquePointer, width: Double) -> TableBlock {
        var table = self
        while table.naturalWidth(cr: cr) > width, let size = table.fontSize, size > 5.0 {
            table.font = table.font.replacingOccurrences(of: " \(Self.text(size))", with: " \(Self.text(size - 0.2))")
            table.headerFont = table.headerFont.replacingOccurrences(of: " \(Self.text(size))", with: " \(Self.text(size - 0.2))")
            table.padding = max(1.5, table.padding - 0.2)
        }
        return table
    }

    private static func text(_ size: Double) -> String {
        let rounded = (size * 10).rounded() / 10
        return rounded == rounded.rounded() ? String(Int(rounded)) : String(rounded)
    }

    /// The point size at the end of `font`.
    private var fontSize: Double? { font.split(separator: " ").last.flatMap { Double($0) } }

    private func naturalWidth(cr: OpaquePointer) -> Double {
        cells(cr: cr, width: 0).columnWidths.reduce(0, +)
    }

    private func cells(cr: OpaquePointer, width: Double) -> (columnWidths: [Double], header: [Paragraph], rows: [[[Paragraph]]]) {
        func make(_ markup: String, _ font: String, _ alignment: Alignment) -> Paragraph {
            let align: TextStyle.Alignment = alignment == .left ? .left : alignment == .right ? .right : .center
            return Paragraph(markup, style: TextStyle(font: font, alignment: align), width: nil, cr: cr)
        }
        let header = self.header.enumerated().map { make($1, headerFont, alignments[$0]) }
        let rows = groups.map { $0.map { $0.enumerated().map { make($1, font, alignments[$0]) } } }
        var widths = header.map(\.width)
        for group in rows { for row in group { for (i, cell) in row.enumerated() { widths[i] = max(widths[i], cell.width) } } }
        widths = widths.map { $0 + 2 * padding }
        let total = widths.reduce(0, +)
        if total < width {
            let extra = (width - total) / Double(widths.count)
            widths = widths.map { $0 + extra }
        }
        return (widths, header, rows)
    }

    func height(cr: OpaquePointer, width: Double) -> Double {
        let (_, header, rows) = fitted(cr: cr, width: width).cells(cr: cr, width: width)
        func rowHeight(_ row: [Paragraph]) -> Double { (row.map(\.height).max() ?? 0) + 2 * rowSpacing }
        return rowHeight(header) + rows.flatMap { $0 }.reduce(0) { $0 + rowHeight($1) } + 4
    }

    func draw(composer: PageComposer, x: Double, y: Double, width: Double) {
        let cr = composer.cr
        let table = fitted(cr: cr, width: width)
        let (widths, header, rows) = table.cells(cr: cr, width: width)
        let padding = table.padding
        let tableWidth = min(width, widths.reduce(0, +))
        let left = x + (width - tableWidth) / 2
        var top = y + 1
        func drawRow(_ row: [Paragraph]) {
            let height = (row.map(\.height).max() ?? 0) + 2 * rowSpacing
            var cellX = left
            for (i, cell) in row.enumerated() {
                let inner = widths[i] - 2 * padding
                let offset: Double
                switch alignments[i] {
                case .left: offset = 0
                case .center: offset = (inner - cell.width) / 2
                case .right: offset = inner - cell.width
                }
                cell.draw(x: cellX + padding + offset, y: top + rowSpacing, cr: cr)
                cellX += widths[i]
            }
            top += height
        }
        composer.rule(x: left, y: top, width: tableWidth, lineWidth: 1.0)
        top += 1
        drawRow(header)
        composer.rule(x: left, y: top, width: tableWidth, lineWidth: 0.5)
        for (g, group) in rows.enumerated() {
            if g > 0 { composer.rule(x: left, y: top, width: tableWidth, lineWidth: 0.25, gray: 0.45) }
            for row in group { drawRow(row) }
        }
        composer.rule(x: left, y: top + 1, width: tableWidth, lineWidth: 1.0)
    }
}
