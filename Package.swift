// swift-tools-version: 6.0
import PackageDescription

let package = Package(
    name: "Descent",
    platforms: [.macOS(.v15)],
    products: [
        .library(name: "Descent", targets: ["Descent"]),
        .executable(name: "xor", targets: ["XORExample"]),
        .executable(name: "descent-bench", targets: ["DescentBench"]),
        .executable(name: "descent", targets: ["descent"]),
        .executable(name: "descent-crosscheck", targets: ["DescentCrossCheck"]),
        .executable(name: "descent-cuda-bench", targets: ["DescentCUDABench"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.8.2"),
        // `swift package generate-documentation` and `preview-documentation`: the DocC catalogs
        // and tutorials (Scripts/build-docs.sh). A command plugin: ordinary builds never build it.
        .package(url: "https://github.com/swiftlang/swift-docc-plugin", from: "1.5.0"),
    ],
    targets: [
        // The innermost CPU kernels (matrix products, optimizer steps, random streams), in C so
        // that they can carry per-function target attributes (AVX2/FMA) chosen at run time.
        .target(name: "CDescentKernels"),
        // The CUDA driver, cuBLAS and NVRTC, declared by hand and opened with dlopen at run time, so
        // that nothing needs CUDA to build and a machine without a GPU runs everything else.
        .target(name: "CDescentCUDA", linkerSettings: [.linkedLibrary("dl", .when(platforms: [.linux]))]),
        // PNG and JPEG decoding: catches libpng's and libjpeg's longjmp errors, and loads the
        // libraries with dlopen, so nothing links them (see README's "Image folders").
        .target(name: "CDescentImages", cSettings: [
            .unsafeFlags(["-I/opt/homebrew/include", "-I/opt/homebrew/opt/jpeg-turbo/include", "-I/usr/local/include"],
                         .when(platforms: [.macOS])),
        ]),
        // Tensor, devices and backends (the CPU's kernels, the textbook reference loops, the
        // cross-check between them), autodiff (the chain rule), safetensors files.
        .target(name: "DescentCore", dependencies: ["CDescentKernels", "CDescentCUDA"]),
        // Layers, cost functions, initializers, optimizers, schedules, model files.
        .target(name: "DescentNN", dependencies: ["DescentCore"]),
        // Datasets, batching, loaders (IDX, CSV, NPY, image folders), built-in and synthetic sets.
        .target(name: "DescentData", dependencies: ["DescentCore", "CDescentImages"], resources: [.copy("Resources/digits.csv")]),
        // The training loop: fit, metrics, callbacks, history.
        .target(name: "DescentTrain", dependencies: ["DescentNN", "DescentData"]),
        // The umbrella: `import Descent` is all a user writes.
        .target(name: "Descent", dependencies: ["DescentCore", "DescentNN", "DescentData", "DescentTrain"]),
        // The speed workloads of BENCHMARKS.md.
        .executableTarget(name: "DescentBench", dependencies: ["Descent"], path: "Benchmarks/DescentBench"),
        // W1, W2 and W4 on a GPU: DescentNN and DescentCore only, so that it links statically
        // (see DescentCrossCheck) and runs on a GPU machine without Swift.
        .executableTarget(name: "DescentCUDABench", dependencies: ["DescentNN"], path: "Benchmarks/DescentCUDABench"),
        .executableTarget(name: "XORExample", dependencies: ["Descent"]),
        // The `descent` command: parses options and presents results; the work is in the library.
        .executableTarget(name: "descent", dependencies: [
            "Descent", .product(name: "ArgumentParser", package: "swift-argument-parser"),
        ]),
        // Holds a device's backend against the reference backend and prints the report. It needs
        // DescentCore only: DescentData's downloads link FoundationNetworking (libcurl) and its
        // digits a resource bundle, and without them a `--static-swift-stdlib` build is one file
        // that runs on machines without Swift.
        .executableTarget(name: "DescentCrossCheck", dependencies: ["DescentCore"], path: "Sources/DescentCrossCheck"),
        .target(name: "_DescentTestSupport", dependencies: ["Descent"]),
        .testTarget(name: "DescentCoreTests", dependencies: ["Descent", "_DescentTestSupport"]),
        .testTarget(name: "DescentNNTests", dependencies: ["Descent", "_DescentTestSupport"],
                    resources: [.copy("Fixtures")]),
        .testTarget(name: "DescentTrainTests", dependencies: ["Descent", "_DescentTestSupport"]),
        .testTarget(name: "DescentDataTests", dependencies: ["Descent", "_DescentTestSupport"],
                    resources: [.copy("Fixtures")]),
        // The DocC tutorials' code (Sources/Descent/Descent.docc/Resources), run and checked.
        .testTarget(name: "DescentTutorialTests", dependencies: ["Descent"]),
        // End-to-end tests that run the built `descent` binary.
        .testTarget(name: "DescentCLITests", dependencies: ["Descent", "_DescentTestSupport"],
                    resources: [.copy("Fixtures")]),
    ],
    swiftLanguageModes: [.v6]
)
