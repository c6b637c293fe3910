/// One scale of a random filter bank: `filters` random kernels of `kernelHeight × kernelWidth`
/// applied every `stride` positions (no padding: only windows that fit inside the input).
public struct FilterScale: Codable, Equatable, Sendable {
    /// Kernel rows, in pixels (1 for spectrograms, whose channels are the frequency bins).
    public var kernelHeight: Int
    /// Kernel columns, in pixels or frames.
    public var kernelWidth: Int
    /// Step between windows, in pixels or frames, along both axes.
    public var stride: Int
    /// Number of filters (output channels) at this scale.
    public var filters: Int

    /// A scale; see the properties.
    public init(kernelHeight: Int, kernelWidth: Int, stride: Int = 1, filters: Int) {
        self.kernelHeight = kernelHeight
        self.kernelWidth = kernelWidth
        self.stride = stride
        self.filters = filters
    }

    /// Ustyuzhaninov et al.'s multi-scale picture network: square kernels of each size in
    /// `sizes` (pixels), `filters` each. A kernel of side k is applied every max(1, (k + 2) / 4)
    /// pixels (3, 5 → 1; 7 → 2; 11 → 3; 15 → 4; 23 → 6), which keeps the cost of every scale near
    /// that of the 5-pixel one while its Gram statistics stay those of the dense map sampled on a grid.
    public static func pictureScales(sizes: [Int] = [3, 5, 7, 11, 15, 23], filters: Int = 128, strided: Bool = true) -> [FilterScale] {
        sizes.map { FilterScale(kernelHeight: $0, kernelWidth: $0, stride: strided ? Swift.max(1, ($0 + 2) / 4) : 1, filters: filters) }
    }

    /// Ulyanov and Lebedev's audio network: one layer of `filters` kernels `width` frames wide
    /// over a spectrogram held as a 1 × frames picture with one channel per frequency bin.
    public static func audioScales(filters: Int = 4096, width: Int = 11) -> [FilterScale] {
        [FilterScale(kernelHeight: 1, kernelWidth: width, stride: 1, filters: filters)]
    }
}
