import Foundation

extension DownloadableDataset {
    /// CIFAR-10's binary version: the publisher's `cifar-10-binary.tar.gz` (162 MB), checked
    /// against the MD5 the publisher's page lists for it (the same sum torchvision-style loaders
    /// check), and its six batch files of 10,000 records each (see ``CIFAR10Part``).
    ///
    /// `descent datasets fetch cifar10` puts the batch files in
    /// ``CIFAR10Locator/cacheDirectory``, where ``CIFAR10Locator`` looks for them; the archive
    /// itself is not kept.
    public static let cifar10 = DownloadableDataset(
        name: "cifar10",
        files: [
            File(archive: "cifar-10-binary.tar.gz", md5: "c32a1d4ab5d03f1284b67883e8d87530",
                 members: CIFAR10Part.allCases.flatMap(\.fileNames).map {
                     File.Member(path: "cifar-10-batches-bin/\($0)", name: $0,
                                 byteCount: 10_000 * Dataset.cifar10RecordSize)
                 }),
        ],
        mirrors: [URL(string: "https://www.cs.toronto.edu/~kriz/")].compactMap { $0 })
}
