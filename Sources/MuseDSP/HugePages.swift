import Glibc

/// Asks the kernel to back a large, freshly allocated buffer with transparent huge pages
/// (`madvise(MADV_HUGEPAGE)`), as NumPy does for arrays of 4 MiB and more: a 10 MB spectrogram
/// then faults in ~5 two-megabyte pages instead of ~2,600 four-kilobyte ones, which on virtual
/// machines costs more than the FFTs. Only the page-aligned interior is advised; smaller buffers
/// and kernels without THP are left alone (the call is a hint, its failure is ignored).
/// - Parameters: `pointer` to the first byte, `bytes` the buffer's length; call before writing.
@inline(__always)
func adviseHugePages(_ pointer: UnsafeMutableRawPointer, bytes: Int) {
    guard bytes >= 4 << 20 else { return }
    let page = 4096
    let start = (Int(bitPattern: pointer) + page - 1) / page * page
    let end = (Int(bitPattern: pointer) + bytes) / page * page
    guard end > start, let aligned = UnsafeMutableRawPointer(bitPattern: start) else { return }
    _ = madvise(aligned, end - start, MADV_HUGEPAGE)
}
