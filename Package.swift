// swift-tools-version:6.0
//
// RNRepro: reproduces Lee & Lim (2018), "Improving the performance for Relation Networks
// using parameters tuning", on a CPU with our own SIMD engine.
//
// Module map (arrows point the one way a module may import):
//
//   rnrepro (CLI) -> Experiments -> Training -> Models -> Engine
//                                   Training -> SortOfCLEVR -> Engine (RNG and threads only)
//   rnrepro (CLI) -> Report -> Artifacts <- Experiments, Training
//   Report -> CCairo / CPangoCairo / CRsvg (system-library shims)

import PackageDescription

// MARK: - Build settings

/// The engine's kernels are written with `SIMD8<Float>.addingProduct`. Without the FMA target
/// feature every lane becomes a call to `fmaf` (65x slower, same bits), and a debug build runs
/// them 300x slower, which would make `swift test` crawl. So the kernels' targets get FMA code
/// generation and optimisation in every configuration. `-O` after the debug `-Onone` wins.
let kernelSettings: [SwiftSetting] = {
    #if arch(x86_64)
    return [
        .unsafeFlags(["-target-cpu", "haswell"], .when(configuration: .release)),
        .unsafeFlags(["-O", "-target-cpu", "haswell"], .when(configuration: .debug)),
    ]
    #else
    return [.unsafeFlags(["-O"], .when(configuration: .debug))]
    #endif
}()

/// The AVX-512 kernels' module alone is built for `skylake-avx512` (AVX-512 F/CD/BW/DQ/VL); the
/// engine calls it only after `_CPUFeatures` has checked the CPU at run time.
let avx512KernelSettings: [SwiftSetting] = {
    #if arch(x86_64)
    return [
        .unsafeFlags(["-target-cpu", "skylake-avx512"], .when(configuration: .release)),
        .unsafeFlags(["-O", "-target-cpu", "skylake-avx512"], .when(configuration: .debug)),
    ]
    #else
    return [.unsafeFlags(["-O"], .when(configuration: .debug))]
    #endif
}()

let package = Package(
    name: "RNRepro",
    platforms: [.macOS(.v13)],
    products: [
        .executable(name: "rnrepro", targets: ["rnrepro"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        .package(url: "https://github.com/apple/swift-crypto", from: "3.12.3"),
    ],
    targets: [
        // MARK: - Command line

        .executableTarget(
            name: "rnrepro",
            dependencies: [
                "Engine", "SortOfCLEVR", "Models", "Training", "Experiments", "Artifacts", "Report", "_RNReproSupport", "_PeakProbe",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
            ]
        ),

        // MARK: - Fuzz targets (make fuzz builds them with libFuzzer; plain builds replay inputs)

        .executableTarget(name: "fuzz-dataset-reader", dependencies: ["SortOfCLEVR", "_FuzzSupport"]),
        .executableTarget(name: "fuzz-checkpoint-reader", dependencies: ["Training", "_FuzzSupport"]),
        .executableTarget(name: "fuzz-artifact-readers", dependencies: ["Artifacts", "_FuzzSupport"]),

        // MARK: - Public modules

        .target(name: "Engine", dependencies: ["_EngineAVX512", "_MemoryHints"], swiftSettings: kernelSettings),
        .target(
            name: "SortOfCLEVR",
            dependencies: ["Engine", "_RNReproSupport", .product(name: "Crypto", package: "swift-crypto")],
            swiftSettings: kernelSettings
        ),
        .target(name: "Models", dependencies: ["Engine"], swiftSettings: kernelSettings),
        .target(name: "Training", dependencies: ["Models", "SortOfCLEVR", "Artifacts"]),
        .target(name: "Experiments", dependencies: ["Training", "Models", "SortOfCLEVR", "Artifacts", "_RNReproSupport"]),
        .target(name: "Artifacts", dependencies: ["_RNReproSupport", .product(name: "Crypto", package: "swift-crypto")]),
        .target(name: "Report", dependencies: ["Artifacts", "_RNReproSupport", "CCairo", "CPangoCairo", "CRsvg"]),

        // MARK: - Internals

        /// Atomic file writes and file errors, shared by every module that writes files.
        .target(name: "_RNReproSupport"),

        /// The 16-lane matrix kernels, compiled for AVX-512 and chosen at run time.
        .target(name: "_EngineAVX512", dependencies: ["_CPUFeatures", "_MemoryHints"], swiftSettings: avx512KernelSettings),

        /// Run-time CPU feature checks (CPUID and XGETBV through the C compiler's runtime).
        .target(name: "_CPUFeatures"),

        /// Prefetch and streaming stores for the matrix kernels (inline C: Swift has no spelling).
        .target(name: "_MemoryHints"),

        /// The fuzz targets' replay of inputs in builds without libFuzzer.
        .target(name: "_FuzzSupport"),

        /// `rnrepro bench`'s FMA peak probe: chains of FMAs for AVX2 and AVX-512 (C, one function
        /// per instruction set); benchmark code only, out of the production modules.
        .target(name: "_PeakProbe", cSettings: [.unsafeFlags(["-O2"])]),

        // MARK: - System libraries (Debian: libcairo2-dev, libpango1.0-dev, librsvg2-dev)

        .systemLibrary(name: "CCairo", pkgConfig: "cairo", providers: [.apt(["libcairo2-dev"])]),
        .systemLibrary(name: "CPangoCairo", pkgConfig: "pangocairo", providers: [.apt(["libpango1.0-dev"])]),
        .systemLibrary(name: "CRsvg", pkgConfig: "librsvg-2.0", providers: [.apt(["librsvg2-dev"])]),

        // MARK: - Tests

        /// Scratch directories for every test target.
        .target(name: "_RNReproTestSupport", path: "Tests/_RNReproTestSupport"),

        .testTarget(name: "EngineTests", dependencies: ["Engine", "_RNReproTestSupport"], swiftSettings: kernelSettings),
        .testTarget(
            name: "SortOfCLEVRTests",
            dependencies: ["SortOfCLEVR", "Engine", .product(name: "Crypto", package: "swift-crypto"), "_RNReproTestSupport"]),
        .testTarget(name: "ModelsTests", dependencies: ["Models", "_RNReproTestSupport"]),
        .testTarget(name: "TrainingTests", dependencies: ["Training", "_RNReproTestSupport"]),
        .testTarget(name: "ExperimentsTests", dependencies: ["Experiments", "SortOfCLEVR", "Engine", "_RNReproTestSupport"]),
        .testTarget(name: "ArtifactsTests", dependencies: ["Artifacts", "_RNReproTestSupport"]),
        .testTarget(name: "ReportTests", dependencies: ["Report", "Artifacts", "_RNReproTestSupport"], exclude: ["Fixtures"]),
        .testTarget(name: "CLITests", dependencies: ["rnrepro", "Experiments", "Artifacts", "_RNReproSupport", "_RNReproTestSupport"]),
    ]
)
