import CDescentImages
import Foundation

/// A decoded picture: 8-bit pixels, rows top to bottom, channels interleaved (`[H, W, C]`).
public struct Image: Sendable, Equatable {
    /// Pixels per row.
    public var width: Int
    /// Rows.
    public var height: Int
    /// 1 (gray) or 3 (red, green, blue).
    public var channels: Int
    /// `height × width × channels` values, row by row, each pixel's channels together.
    public var pixels: [UInt8]

    /// An image from its interleaved pixels.
    ///
    /// - Precondition: `pixels.count == height × width × channels`.
    public init(width: Int, height: Int, channels: Int, pixels: [UInt8]) {
        precondition(pixels.count == width * height * channels, "Image: \(pixels.count) values for \(height)×\(width)×\(channels)")
        self.width = width
        self.height = height
        self.channels = channels
        self.pixels = pixels
    }

    /// The largest decoded image accepted, in bytes (256 MiB: about 9,000 × 9,000 RGB), so that
    /// a file cannot make Descent allocate without bound.
    public static let maximumByteCount = 1 << 28

    /// The file extensions read as images (compared without regard to case).
    public static let fileExtensions: Set<String> = ["png", "jpg", "jpeg"]

    /// Decodes the PNG or JPEG file at `url` (the format is told by its first bytes).
    ///
    /// Palettes are expanded, 16-bit channels reduced to 8 bits and alpha dropped, so the
    /// result is gray or RGB. JPEG's warnings about corrupt or truncated data are errors.
    ///
    /// - Throws: ``DataError`` naming the file: `.fileNotFound`; `.corrupt` for a file that is
    ///   not a PNG or JPEG image or is damaged or truncated; `.unsupported` when the header claims
    ///   more pixels than the file can hold or than ``maximumByteCount`` (checked before anything
    ///   is allocated), or when libpng or libjpeg cannot be loaded (the message says what to
    ///   install).
    public static func read(contentsOf url: URL) throws -> Image {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw DataError(.fileNotFound, file: url.path, "cannot read the file: \(FileError.reason(for: error))")
        }
        return try decode(data, file: url.path)
    }

    /// Decodes PNG or JPEG bytes; `file` names them in errors. See ``read(contentsOf:)``.
    public static func decode(_ data: Data, file: String) throws -> Image {
        let bytes = [UInt8](data)
        let isPNG = bytes.starts(with: [137, 80, 78, 71])
        let isJPEG = bytes.starts(with: [0xFF, 0xD8, 0xFF])
        guard isPNG || isJPEG else {
            throw DataError(.corrupt, file: file, "not a PNG or JPEG image")
        }
        var result = descent_image()
        let status = bytes.withUnsafeBufferPointer { buffer in
            isPNG ? descent_decode_png(buffer.baseAddress, buffer.count, maximumByteCount, &result)
                : descent_decode_jpeg(buffer.baseAddress, buffer.count, maximumByteCount, &result)
        }
        defer { descent_image_free(result.pixels) }
        let message = withUnsafeBytes(of: result.message) { raw in
            String(decoding: raw.prefix(while: { $0 != 0 }), as: UTF8.self)
        }
        let format = isPNG ? "PNG" : "JPEG"
        switch Int(status) {
        case Int(DESCENT_IMAGE_OK):
            guard let pixels = result.pixels else { throw DataError(.corrupt, file: file, "\(format): no pixels") }
            let count = Int(result.width) * Int(result.height) * Int(result.channels)
            return Image(width: Int(result.width), height: Int(result.height), channels: Int(result.channels),
                         pixels: Array(UnsafeBufferPointer(start: pixels, count: count)))
        case Int(DESCENT_IMAGE_LIBRARY_MISSING):
            throw DataError(.unsupported, file: file, message)
        case Int(DESCENT_IMAGE_TOO_LARGE):
            throw DataError(.unsupported, file: file, "the \(format) header \(message)")
        default:
            throw DataError(.corrupt, file: file, "not a valid \(format) image (\(message))")
        }
    }

    /// The image with `count` channels: gray repeated into red, green and blue, or colour made
    /// gray by ITU-R 601 luma (0.299 R + 0.587 G + 0.114 B, as Pillow's "L" mode does).
    public func converted(toChannels count: Int) -> Image {
        guard count != channels else { return self }
        let pixelCount = width * height
        var result = [UInt8](repeating: 0, count: pixelCount * count)
        if channels == 1 {
            for index in 0..<pixelCount {
                for channel in 0..<count { result[index * count + channel] = pixels[index] }
            }
        } else {
            for index in 0..<pixelCount {
                let (r, g, b) = (Int(pixels[index * 3]), Int(pixels[index * 3 + 1]), Int(pixels[index * 3 + 2]))
                // Pillow's integer form of the same weights, rounded.
                result[index] = UInt8((r * 19595 + g * 38470 + b * 7471 + 0x8000) >> 16)
            }
        }
        return Image(width: width, height: height, channels: count, pixels: result)
    }

    /// The image resized to `height × width` by bilinear interpolation, without antialiasing:
    /// each output pixel blends the 2×2 input pixels around its centre, as PyTorch's
    /// `interpolate(mode="bilinear", align_corners=False, antialias=False)` does (so shrinking
    /// by much more than 2× skips input pixels). Values are rounded to the nearest integer.
    public func resized(height newHeight: Int, width newWidth: Int) -> Image {
        guard newHeight != height || newWidth != width else { return self }
        precondition(newHeight > 0 && newWidth > 0, "Image.resized: the size must be positive")
        // Source coordinate of an output pixel's centre, clamped at the edges.
        func taps(_ output: Int, _ input: Int) -> [(Int, Int, Float)] {
            let scale = Float(input) / Float(output)
            return (0..<output).map { index in
                let position = max(0, (Float(index) + 0.5) * scale - 0.5)
                let low = min(Int(position), input - 1)
                let high = min(low + 1, input - 1)
                return (low, high, position - Float(low))
            }
        }
        let rows = taps(newHeight, height), columns = taps(newWidth, width)
        var result = [UInt8](repeating: 0, count: newHeight * newWidth * channels)
        for (y, (top, bottom, dy)) in rows.enumerated() {
            for (x, (left, right, dx)) in columns.enumerated() {
                for c in 0..<channels {
                    func at(_ row: Int, _ column: Int) -> Float { Float(pixels[(row * width + column) * channels + c]) }
                    let upper = at(top, left) * (1 - dx) + at(top, right) * dx
                    let lower = at(bottom, left) * (1 - dx) + at(bottom, right) * dx
                    let value = upper * (1 - dy) + lower * dy
                    result[(y * newWidth + x) * channels + c] = UInt8(min(255, max(0, value.rounded())))
                }
            }
        }
        return Image(width: newWidth, height: newHeight, channels: channels, pixels: result)
    }

    /// The pixels planar, channel by channel (`[C, H, W]`), the layout of a network's input.
    public var planarPixels: [UInt8] {
        let pixelCount = width * height
        guard channels > 1 else { return pixels }
        var result = [UInt8](repeating: 0, count: pixels.count)
        for index in 0..<pixelCount {
            for channel in 0..<channels { result[channel * pixelCount + index] = pixels[index * channels + channel] }
        }
        return result
    }
}
