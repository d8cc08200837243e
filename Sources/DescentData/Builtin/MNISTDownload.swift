import Foundation

extension DownloadableDataset {
    /// MNIST's four gzip-compressed IDX files (see ``MNISTPart``), from the mirrors torchvision
    /// uses and Google's CVDF copy, with the SHA-256 of each file's uncompressed contents and of
    /// two compressed copies: the files these mirrors serve (all three the same bytes), and the
    /// same contents compressed by `gzip -9 -n` (no name or time stamp, so the same bytes
    /// wherever it is run), which is how a local mirror made with `gunzip` and `gzip -9 -n` serves them.
    ///
    /// `descent datasets fetch mnist` puts them in ``MNISTLocator/cacheDirectory``, where
    /// ``MNISTLocator`` looks for them.
    public static let mnist = DownloadableDataset(
        name: "mnist",
        files: [
            File(name: "train-images-idx3-ubyte.gz",
                 sha256: "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db",
                 servedSHA256: ["440fcabf73cc546fa21475e81ea370265605f56be210a4024d2ca8f203523609",
                                "0b367032e93c5d0cea0925647cfdb18614af8ee15f83e6f2fc2ad904a6835971"]),
            File(name: "train-labels-idx1-ubyte.gz",
                 sha256: "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5",
                 servedSHA256: ["3552534a0a558bbed6aed32b30c495cca23d567ec52cac8be1a0730e8010255c",
                                "1787548bbe0bff1ec2ecdc0ef292b02df999e2d1a6002d27500982c652b17203"]),
            File(name: "t10k-images-idx3-ubyte.gz",
                 sha256: "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7",
                 servedSHA256: ["8d422c7b0a1c1c79245a5bcf07fe86e33eeafee792b84584aec276f5a2dbc4e6",
                                "1a1a05eab793c14bb050b398624a11b0ffd1a2953baed553b1b9bd079e2a20be"]),
            File(name: "t10k-labels-idx1-ubyte.gz",
                 sha256: "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2",
                 servedSHA256: ["f7ae60f92e00ec6debd23a6088c31dbd2371eca3ffa0defaefb259924204aec6",
                                "b91679a0acfe4ba0e50a2437a903084cba1f5f92592b016a25a7dfd00455798b"]),
        ],
        mirrors: [
            "https://ossci-datasets.s3.amazonaws.com/mnist/",
            "https://storage.googleapis.com/cvdf-datasets/mnist/",
            "http://yann.lecun.com/exdb/mnist/",
        ].compactMap { URL(string: $0) })

    /// The datasets `descent datasets fetch` can download, by ``name``.
    public static let all: [DownloadableDataset] = [.mnist, .cifar10]
}
