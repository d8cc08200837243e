import Foundation

extension DownloadableDataset {
    /// MNIST's four gzip-compressed IDX files (see ``MNISTPart``), from the mirrors torchvision
    /// uses and Google's CVDF copy, with the SHA-256 of each file's uncompressed contents.
    ///
    /// `descent datasets fetch mnist` puts them in ``MNISTLocator/cacheDirectory``, where
    /// ``MNISTLocator`` looks for them.
    public static let mnist = DownloadableDataset(
        name: "mnist",
        files: [
            File(name: "train-images-idx3-ubyte.gz",
                 sha256: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
            File(name: "train-labels-idx1-ubyte.gz",
                 sha256: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
            File(name: "t10k-images-idx3-ubyte.gz",
                 sha256: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
            File(name: "t10k-labels-idx1-ubyte.gz",
                 sha256: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"),
        ],
        mirrors: [
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
            "http://yann.lecun.com/exdb/mnist/",
        ].compactMap { URL(string: $0) })

    /// The datasets `descent datasets fetch` can download, by ``name``.
    public static let all: [DownloadableDataset] = [.mnist, .cifar10]
}
