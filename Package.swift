// swift-tools-version:6.0
// Muse: music and audio generation toolkit. Targets and their one-way dependencies are those of
// docs/ARCHITECTURE.md; system libraries come from Debian's -dev packages (scripts/setup.sh installs them).
import PackageDescription

/// Release numeric code relies on the optimizer; exclusivity checks cost up to 2x in tight loops
/// over unsafe buffers, and all hot loops here run over buffers they own exclusively.
let fast: [SwiftSetting] = [.unsafeFlags(["-enforce-exclusivity=unchecked"])]

let package = Package(
    name: "Muse",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "muse", targets: ["muse"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.28.1"),
    ],
    targets: [
        // System libraries (Debian -dev packages).
        .systemLibrary(name: "CSndFile", pkgConfig: "sndfile", providers: [.apt(["libsndfile1-dev"])]),
        // libogg + libvorbis (libsndfile's own Ogg Vorbis libraries), to check Vorbis headers first.
        .systemLibrary(name: "COggVorbis", pkgConfig: "vorbis", providers: [.apt(["libvorbis-dev"])]),
        .systemLibrary(name: "CSampleRate", pkgConfig: "samplerate", providers: [.apt(["libsamplerate0-dev"])]),
        .systemLibrary(name: "CSoxr", pkgConfig: "soxr", providers: [.apt(["libsoxr-dev"])]),
        .systemLibrary(name: "CFFTW", pkgConfig: "fftw3f", providers: [.apt(["libfftw3-dev"])]),
        .systemLibrary(name: "CALSA", pkgConfig: "alsa", providers: [.apt(["libasound2-dev"])]),
        .systemLibrary(name: "CBLAS", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        .systemLibrary(name: "CPNG", pkgConfig: "libpng", providers: [.apt(["libpng-dev"])]),
        .systemLibrary(name: "CZlib", pkgConfig: "zlib", providers: [.apt(["zlib1g-dev"])]),
        .systemLibrary(name: "CTurboJPEG", pkgConfig: "libturbojpeg", providers: [.apt(["libturbojpeg0-dev"])]),
        .systemLibrary(name: "CLAPACK", pkgConfig: "openblas", providers: [.apt(["libopenblas-dev"])]),
        // Open MPI for data-parallel training; only MuseTraining may import it.
        .systemLibrary(name: "CMPI", pkgConfig: "ompi-c", providers: [.apt(["libopenmpi-dev"])]),

        // Libraries.
        // Dependency-free plumbing every target shares: seeded generator, .npy, atomic writes,
        // folder listings, the SIGINT watcher.
        .target(name: "MuseSupport", swiftSettings: fast),
        // MuseCore's hot elementwise loops in C, compiled for the baseline and for AVX2 + FMA and
        // picked at run time (Swift has no per-function target features).
        .target(name: "CMuseKernels"),
        .target(name: "MuseCore", dependencies: ["CBLAS", "CMuseKernels", "MuseSupport"], swiftSettings: fast),
        // The trainer for every model, checkpoints, schedules, the bundle format and registry.
        .target(name: "MuseTraining", dependencies: ["MuseCore", "CMPI"], swiftSettings: fast),
        // Test-only helpers shared by test targets (tolerance asserts, gradient checks, fixtures).
        .target(name: "_MuseTestSupport", dependencies: ["MuseCore"], swiftSettings: fast),
        .target(name: "MuseMIDI", dependencies: ["MuseSupport", "CZlib"], swiftSettings: fast),
        .target(name: "MuseAudio", dependencies: ["MuseSupport", "CSndFile", "COggVorbis", "CSoxr", "CSampleRate", "CALSA"], swiftSettings: fast),
        .target(name: "MuseDSP", dependencies: ["MuseSupport", "MuseAudio", "MuseMIDI", "CFFTW", "CPNG"], swiftSettings: fast),
        .target(name: "MuseSynth", dependencies: ["MuseMIDI", "MuseAudio"], swiftSettings: fast),
        .target(name: "MuseEncoding", dependencies: ["MuseMIDI", "MuseSupport"], swiftSettings: fast),
        // Music models (melody RNN, MusicVAE): symbolic only, no audio libraries.
        .target(name: "MuseModels", dependencies: ["MuseCore", "MuseTraining", "MuseEncoding", "MuseMIDI"], swiftSettings: fast),
        // Audio models (spectrogram VAE).
        .target(name: "MuseAudioModels", dependencies: ["MuseCore", "MuseTraining", "MuseAudio", "MuseDSP"], swiftSettings: fast),
        // Text models and tokenizers: no audio libraries.
        .target(name: "MuseText", dependencies: ["MuseCore", "MuseTraining"], swiftSettings: fast),
        // Image models and readers: no audio libraries.
        .target(name: "MuseImage", dependencies: ["MuseCore", "MuseTraining", "CBLAS", "CLAPACK", "CPNG", "CTurboJPEG", "CZlib"], swiftSettings: fast),
        // Style transfer without pretrained networks: random filter banks, Gram/content/TV losses,
        // L-BFGS (shared by pictures and sound; MuseCore only).
        .target(name: "MuseStyle", dependencies: ["MuseCore", "CBLAS"], swiftSettings: fast),
        // Picture style transfer, texture synthesis and DeepDream on a MuseImage classifier.
        .target(name: "MuseImageStyle", dependencies: ["MuseStyle", "MuseImage", "MuseCore"], swiftSettings: fast),
        // Audio style transfer and texture (Ulyanov and Lebedev) on log-magnitude spectrograms.
        .target(name: "MuseAudioStyle", dependencies: ["MuseStyle", "MuseCore", "MuseAudio", "MuseDSP"], swiftSettings: fast),
        // `muse studio`: the local web page and JSON API over the music and audio models (Hummingbird).
        .target(name: "MuseStudio", dependencies: [
            "MuseSupport", "MuseCore", "MuseTraining", "MuseMIDI", "MuseAudio", "MuseDSP", "MuseSynth", "MuseEncoding",
            "MuseModels", "MuseAudioModels",
            .product(name: "Hummingbird", package: "hummingbird"),
        ]),

        // The command-line tool: parses arguments, calls the libraries, prints.
        .executableTarget(
            name: "muse",
            dependencies: [
                "MuseSupport", "MuseCore", "MuseTraining", "MuseMIDI", "MuseAudio", "MuseDSP", "MuseSynth", "MuseEncoding",
                "MuseModels", "MuseAudioModels", "MuseText",
                "MuseImage",
                "MuseStyle", "MuseImageStyle", "MuseAudioStyle",
                "MuseStudio",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]),

        // Tests: one target per source target, mirroring its files.
        .testTarget(name: "MuseSupportTests", dependencies: ["MuseSupport"]),
        .testTarget(name: "MuseTrainingTests", dependencies: ["MuseTraining", "MuseCore", "MuseModels", "_MuseTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "MuseCoreTests", dependencies: ["MuseCore", "CMuseKernels", "MuseSupport", "_MuseTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "MuseMIDITests", dependencies: ["MuseMIDI"], resources: [.copy("Fixtures")]),
        .testTarget(name: "MuseAudioTests", dependencies: ["MuseAudio"], resources: [.copy("Fixtures")]),
        .testTarget(name: "MuseDSPTests", dependencies: ["MuseDSP", "MuseAudio", "MuseSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "MuseSynthTests", dependencies: ["MuseSynth", "MuseMIDI", "MuseAudio"], resources: [.copy("Fixtures")]),
        .testTarget(name: "MuseEncodingTests", dependencies: ["MuseEncoding", "MuseMIDI"], resources: [.copy("Fixtures")]),
        .testTarget(name: "MuseModelsTests", dependencies: ["MuseModels", "MuseTraining", "MuseCore", "MuseEncoding", "MuseMIDI", "_MuseTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "MuseAudioModelsTests", dependencies: ["MuseAudioModels", "MuseTraining", "MuseCore", "MuseSupport", "MuseAudio", "MuseDSP", "_MuseTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "museTests", dependencies: ["muse", "CMuseKernels", "MuseCore", "MuseSupport", "MuseModels", "MuseAudioModels", "MuseTraining", "MuseMIDI"], resources: [.copy("Fixtures")]),
        .testTarget(name: "MuseTextTests", dependencies: ["MuseText", "MuseCore", "MuseTraining", "_MuseTestSupport"], resources: [.copy("Fixtures")]),
        .testTarget(name: "MuseStudioTests", dependencies: ["MuseStudio", "MuseModels", "MuseAudioModels", "MuseTraining", "MuseCore", "MuseMIDI"]),
        .testTarget(name: "MuseImageTests", dependencies: ["MuseImage", "MuseCore", "MuseTraining"], resources: [.copy("Fixtures")]),
        .testTarget(name: "MuseStyleTests", dependencies: ["MuseStyle", "MuseImageStyle", "MuseAudioStyle", "MuseImage", "MuseCore", "MuseAudio"], resources: [.copy("Fixtures")]),

        // Benchmarks (release builds only; each prints ours / peer from one run).
        .target(name: "BenchSupport", path: "Benchmarks/Support"),
        .executableTarget(name: "bench-midi", dependencies: ["BenchSupport", "MuseMIDI"], path: "Benchmarks/MIDIBenchmark", swiftSettings: fast),
        .executableTarget(name: "bench-vae", dependencies: ["BenchSupport", "MuseModels", "MuseAudioModels", "MuseTraining", "MuseCore"], path: "Benchmarks/VAEBenchmark", swiftSettings: fast),
        .executableTarget(name: "bench-synth", dependencies: ["BenchSupport", "MuseSynth", "MuseMIDI", "MuseAudio"], path: "Benchmarks/SynthBenchmark", swiftSettings: fast),
        .executableTarget(name: "bench-core", dependencies: ["BenchSupport", "MuseCore", "CBLAS"], path: "Benchmarks/CoreBenchmark", swiftSettings: fast),
        .executableTarget(name: "bench-core-layers", dependencies: ["BenchSupport", "MuseCore"], path: "Benchmarks/CoreLayersBenchmark", swiftSettings: fast),
        .executableTarget(name: "bench-dsp", dependencies: ["BenchSupport", "MuseSupport", "MuseDSP", "MuseAudio", "CFFTW"], path: "Benchmarks/DSPBenchmark", swiftSettings: fast),
        .executableTarget(name: "bench-melody", dependencies: ["BenchSupport", "MuseModels", "MuseTraining", "MuseCore", "MuseEncoding"], path: "Benchmarks/MelodyBenchmark", swiftSettings: fast),
        .executableTarget(name: "bench-nanogpt", dependencies: ["BenchSupport", "MuseText", "MuseTraining", "MuseCore"], path: "Benchmarks/NanoGPTBenchmark", swiftSettings: fast),
        .executableTarget(name: "bench-relative-attention", dependencies: ["BenchSupport", "MuseCore"], path: "Benchmarks/RelativeAttentionBenchmark", swiftSettings: fast),
        .executableTarget(name: "ablation-music-transformer", dependencies: ["MuseModels", "MuseTraining", "MuseCore", "MuseEncoding"], path: "Benchmarks/MusicTransformerAblation", swiftSettings: fast),
        .executableTarget(name: "bench-style", dependencies: ["BenchSupport", "MuseStyle", "MuseCore"], path: "Benchmarks/StyleBenchmark", swiftSettings: fast),
        .executableTarget(name: "bench-music-transformer", dependencies: ["BenchSupport", "MuseModels", "MuseCore"], path: "Benchmarks/MusicTransformerBenchmark", swiftSettings: fast),
        .executableTarget(name: "bench-dcgan", dependencies: ["BenchSupport", "MuseImage", "MuseTraining", "MuseCore"], path: "Benchmarks/DCGANBenchmark", swiftSettings: fast),
        // The summary table and chart of make bench, and the baseline check of make bench-check.
        .executableTarget(name: "muse-bench-report", dependencies: ["BenchSupport", "MuseDSP"], path: "Benchmarks/Report"),
        .testTarget(name: "BenchSupportTests", dependencies: ["BenchSupport"]),
    ],
    swiftLanguageModes: [.v5]
)
