import Foundation

/// The shape images are stored and fed in: channels, then height and width (NCHW, as PyTorch).
public struct ImageShape: Sendable, Hashable, CustomStringConvertible {
    /// 1 (gray) or 3 (RGB).
    public var channels: Int
    /// Rows.
    public var height: Int
    /// Columns.
    public var width: Int

    /// The shape of images with `channels` channels and `height` rows of `width` pixels.
    public init(channels: Int, height: Int, width: Int) {
        self.channels = channels
        self.height = height
        self.width = width
    }

    /// `[channels, height, width]`.
    public var dimensions: [Int] { [channels, height, width] }

    /// Values per image.
    public var count: Int { channels * height * width }

    /// "C×H×W".
    public var description: String { "\(channels)×\(height)×\(width)" }

    /// Reads "HxW" (or "H×W", or one number for a square), as `--image-size` takes it.
    ///
    /// - Throws: ``DataError`` (`.invalidArgument`) for anything else, or a side below 1.
    public static func parseSize(_ text: String) throws -> (height: Int, width: Int) {
        let parts = text.lowercased().replacingOccurrences(of: "×", with: "x").split(separator: "x", omittingEmptySubsequences: false)
        let numbers = parts.map { Int($0.trimmingCharacters(in: .whitespaces)) }
        guard (1...2).contains(numbers.count), let height = numbers[0], let width = numbers.last ?? nil,
              height >= 1, width >= 1, height <= 65_536, width <= 65_536 else {
            throw DataError(.invalidArgument, "expected an image size HxW such as 32x32, found \"\(text)\"")
        }
        return (height, width)
    }
}

extension Dataset {
    /// The images in a folder with one subfolder per class (the layout of torchvision's
    /// `ImageFolder` and Keras' `image_dataset_from_directory`).
    ///
    /// Classes are the subfolders' names in sorted order (label 0 is the first); within a class
    /// the files are taken in sorted name order. Files at the top level (a README, checksums),
    /// hidden entries, and files without a `.png`, `.jpg` or `.jpeg` extension are ignored.
    /// Every image is stored as uint8 `[count, C, H, W]`: if any image has colour, all have 3
    /// channels (gray repeated); the float values a network takes are made per batch (see
    /// ``ImageInputs``), so memory stays one byte per pixel.
    ///
    /// - Parameters:
    ///   - url: the folder, with one subfolder per class.
    ///   - size: resizes every image whose size differs to `height × width` (bilinear, see
    ///     ``Image/resized(height:width:)``); nil requires all images to share one size.
    ///   - channels: forces 1 or 3 channels (a model's); nil chooses as described above.
    ///   - classNames: a trained model's classes, so that labels match them.
    /// - Throws: ``DataError`` naming the folder or the file: no class folders or no images,
    ///   an image that cannot be decoded (see ``Image/read(contentsOf:)``), sizes that differ
    ///   with no `size` (naming the first file that differs), a class not in `classNames`.
    public static func imageFolder(at url: URL, size: (height: Int, width: Int)? = nil, channels: Int? = nil,
                                   classNames: [String]? = nil) throws -> Dataset {
        let manager = FileManager.default
        func visibleEntries(_ folder: URL) throws -> [URL] {
            do {
                return try manager.contentsOfDirectory(at: folder, includingPropertiesForKeys: [.isDirectoryKey])
                    .filter { !$0.lastPathComponent.hasPrefix(".") }
                    .sorted { $0.lastPathComponent < $1.lastPathComponent }
            } catch {
                throw DataError(.fileNotFound, file: folder.path, "cannot list the folder: \(FileError.reason(for: error))")
            }
        }
        func isFolder(_ url: URL) -> Bool { (try? url.resourceValues(forKeys: [.isDirectoryKey]).isDirectory) == true }

        let classFolders = try visibleEntries(url).filter(isFolder)
        guard !classFolders.isEmpty else {
            throw DataError(.emptyFile, file: url.path, "an image folder needs one subfolder per class, and there are none")
        }
        let names = classFolders.map(\.lastPathComponent)
        var files: [(url: URL, label: Int32)] = []
        for (folderIndex, folder) in classFolders.enumerated() {
            var label = Int32(folderIndex)
            if let classNames {
                guard let index = classNames.firstIndex(of: names[folderIndex]) else {
                    throw DataError(.invalidArgument, file: folder.path,
                                    "the class \"\(names[folderIndex])\" is not one of the model's: \(classNames.joined(separator: ", "))")
                }
                label = Int32(index)
            }
            for file in try visibleEntries(folder)
            where Image.fileExtensions.contains(file.pathExtension.lowercased()) && !isFolder(file) {
                files.append((file, label))
            }
        }
        guard !files.isEmpty else {
            throw DataError(.emptyFile, file: url.path, "no .png, .jpg or .jpeg files in the class folders \(names.joined(separator: ", "))")
        }
        let (features, _) = try imageTensor(files.map(\.url), size: size, channels: channels)
        let labels = Tensor(shape: [files.count], scalars: files.map(\.label))
        let allNames = classNames ?? names
        return Dataset(features: features, labels: labels, task: allNames.count == 2 ? .binary : .classifying(classCount: allNames.count),
                       classCount: allNames.count, classNames: allNames)
    }

    /// The images in `files` as one uint8 `[count, C, H, W]` tensor, with their shape (see
    /// ``imageFolder(at:size:channels:classNames:)`` for `size` and `channels`).
    ///
    /// Whether the set is gray or colour is known only once every file is decoded, so the
    /// decoded images are held until then: the peak is about twice the result's bytes.
    ///
    /// - Throws: ``DataError`` naming the file that cannot be decoded, or the first whose size
    ///   differs from the first file's when there is no `size`.
    public static func imageTensor(_ files: [URL], size: (height: Int, width: Int)?,
                                   channels: Int?) throws -> (Tensor, ImageShape) {
        // Colour is only known once every file is read; gray images are widened at the end.
        var images: [Image] = []
        images.reserveCapacity(files.count)
        var first: (url: URL, height: Int, width: Int)?
        for file in files {
            var image = try Image.read(contentsOf: file)
            if let size {
                image = image.resized(height: size.height, width: size.width)
            } else if let first, image.height != first.height || image.width != first.width {
                throw DataError(.invalidArgument, file: file.path,
                                "this image is \(image.height)×\(image.width) but '\(first.url.path)' is \(first.height)×\(first.width); "
                                    + "give an image size (--image-size HxW) to resize them all")
            }
            if first == nil { first = (file, image.height, image.width) }
            if let channels { image = image.converted(toChannels: channels) }
            images.append(image)
        }
        let channelCount = channels ?? (images.contains { $0.channels == 3 } ? 3 : 1)
        let shape = ImageShape(channels: channelCount, height: first?.height ?? size?.height ?? 0,
                               width: first?.width ?? size?.width ?? 0)
        var pixels: [UInt8] = []
        pixels.reserveCapacity(files.count * shape.count)
        for index in images.indices {
            pixels += images[index].converted(toChannels: channelCount).planarPixels
            images[index].pixels = []  // let go of each image's copy as soon as it is used
        }
        return (Tensor(shape: [files.count] + shape.dimensions, scalars: pixels), shape)
    }
}
