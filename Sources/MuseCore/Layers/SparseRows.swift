/// The rows of a [rows, columns] matrix that has at most one non-zero entry per row (one-hot
/// rows, scaled or not, and rows of zeros), as (column, value) per row, column −1 for a row of
/// zeros; `nil` as soon as a row has two. Worth it only when a row is wide enough that a GEMM
/// would spend most of its multiply-adds on the zeros, and there are rows enough to pay for
/// transposing W_ih once (sampling one step at a time keeps its GEMV: with the transpose on every
/// step, the melody RNN sampled 30% slower).
struct SparseRows {
    /// Columns from which one-hot rows are looked up rather than multiplied.
    static let minimumColumns = 16
    /// Rows (batch × steps) from which they are.
    static let minimumRows = 64
    let entries: [(column: Int, value: Float)]

    init?(_ x: UnsafePointer<Float>, rows: Int, columns: Int) {
        guard columns >= Self.minimumColumns, rows >= Self.minimumRows else { return nil }
        var entries = [(column: Int, value: Float)](repeating: (-1, 0), count: rows)
        for row in 0..<rows {
            let p = x + row * columns
            var found = -1
            for c in 0..<columns where p[c] != 0 {
                if found >= 0 { return nil }
                found = c
            }
            if found >= 0 { entries[row] = (found, p[found]) }
        }
        self.entries = entries
    }
}
