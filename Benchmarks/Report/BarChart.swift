// The picture of `make bench`: one horizontal bar per row, its length the speed ratio ours/peer on a
// log axis measured from the 1.0 line (right and green: Muse faster; left and red: slower).
import BenchSupport
import Foundation
import MuseDSP

/// Draws the rows' ratios as a bar chart.
struct BarChart {
    typealias Color = (UInt8, UInt8, UInt8)
    static let white: Color = (255, 255, 255), black: Color = (0, 0, 0), grid: Color = (215, 215, 215)
    static let faster: Color = (46, 139, 87), slower: Color = (205, 55, 55), text: Color = (30, 30, 30)

    /// Font pixel size in image pixels.
    let scale = 2
    /// Pixels between rows and of each bar.
    let rowHeight = 24, barHeight = 16
    /// Width of the plotting area in pixels.
    let plotWidth = 760
    let margin = 20
    /// Longest label drawn, in characters.
    let maximumLabel = 60

    /// The picture of `rows` (unmeasured rows are listed with no bar).
    func draw(_ rows: [BenchRow], title: String) -> RGBImage {
        let labels = rows.map { row -> String in
            let key = row.key
            return key.count > maximumLabel ? String(key.prefix(maximumLabel - 1)) + "." : key
        }
        let charWidth = (PixelFont.width + 1) * scale, textHeight = PixelFont.height * scale
        let labelWidth = (labels.map(\.count).max() ?? 10) * charWidth
        let ratioColumn = 8 * charWidth
        let plotLeft = margin + labelWidth + 12
        let top = margin + textHeight + 16
        let width = plotLeft + plotWidth + 12 + ratioColumn + margin
        let height = top + rows.count * rowHeight + 8 + textHeight + margin
        var image = RGBImage(width: width, height: height, color: Self.white)

        // The axis: decades around every ratio, at least 0.25…4.
        let measured = rows.filter(\.isMeasured).map(\.ratio)
        let low = min(0.25, (measured.min() ?? 1) / 1.25), high = max(4, (measured.max() ?? 1) * 1.25)
        let logLow = log10(low), logHigh = log10(high)
        func x(_ ratio: Double) -> Int {
            let clamped = min(max(ratio, low), high)
            return plotLeft + Int(((log10(clamped) - logLow) / (logHigh - logLow) * Double(plotWidth - 1)).rounded())
        }
        let plotBottom = top + rows.count * rowHeight
        var ticks: [Double] = []
        for decade in Int(floor(logLow))...Int(ceil(logHigh)) {
            for step in [1.0, 2, 5] {
                let tick = step * pow(10, Double(decade))
                if tick >= low && tick <= high { ticks.append(tick) }
            }
        }
        for tick in ticks {
            fill(&image, x0: x(tick), y0: top - 4, x1: x(tick) + 1, y1: plotBottom + 4, Self.grid)
            let label = tick >= 1 ? String(format: "%g", tick) : String(format: "%g", tick)
            drawText(&image, label, x: x(tick) - PixelFont.textWidth(label, scale: scale) / 2, y: plotBottom + 8, Self.text)
        }
        drawText(&image, title, x: margin, y: margin, Self.black)

        for (index, row) in rows.enumerated() {
            let y = top + index * rowHeight
            drawText(&image, labels[index], x: margin + labelWidth - PixelFont.textWidth(labels[index], scale: scale),
                     y: y + (rowHeight - textHeight) / 2, Self.text)
            guard row.isMeasured else {
                drawText(&image, "n/a", x: plotLeft + plotWidth + 12, y: y + (rowHeight - textHeight) / 2, Self.text)
                continue
            }
            let one = x(1), end = x(row.ratio)
            let color = row.ratio >= 1 ? Self.faster : Self.slower
            fill(&image, x0: min(one, end), y0: y + (rowHeight - barHeight) / 2, x1: max(one, end) + 1,
                 y1: y + (rowHeight + barHeight) / 2, color)
            drawText(&image, String(format: "%.2f×", row.ratio), x: plotLeft + plotWidth + 12,
                     y: y + (rowHeight - textHeight) / 2, color)
        }
        // The 1.0 line over the bars.
        fill(&image, x0: x(1) - 1, y0: top - 6, x1: x(1) + 2, y1: plotBottom + 6, Self.black)
        return image
    }

    /// Fills the rectangle [x0, x1) × [y0, y1).
    func fill(_ image: inout RGBImage, x0: Int, y0: Int, x1: Int, y1: Int, _ color: Color) {
        for y in max(0, y0)..<min(image.height, max(y0, y1)) {
            for x in max(0, x0)..<min(image.width, max(x0, x1)) { image.set(x: x, y: y, color) }
        }
    }

    /// Draws `text` with its top-left corner at (`x`, `y`).
    func drawText(_ image: inout RGBImage, _ text: String, x: Int, y: Int, _ color: Color) {
        for (index, character) in text.enumerated() {
            let left = x + index * (PixelFont.width + 1) * scale
            for (row, bits) in PixelFont.glyph(character).enumerated() {
                for (column, bit) in bits.enumerated() where bit == "#" {
                    fill(&image, x0: left + column * scale, y0: y + row * scale,
                         x1: left + (column + 1) * scale, y1: y + (row + 1) * scale, color)
                }
            }
        }
    }
}
