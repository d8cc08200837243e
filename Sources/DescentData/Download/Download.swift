import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking  // URLSession lives here on Linux.
#endif

/// Reading the bytes a URL points at: a local file (`file://`) or a web address (`http://`,
/// `https://`).
enum Download {
    /// A problem getting one URL, said in a few words for a list of mirrors tried.
    struct Failure: Error, CustomStringConvertible {
        var description: String
    }

    /// The whole contents of `url`.
    ///
    /// - Throws: ``Failure`` saying what went wrong: no such file, an HTTP status other than
    ///   2xx, a network error, or a scheme that is neither file nor http(s).
    static func bytes(at url: URL) async throws -> [UInt8] {
        switch url.scheme?.lowercased() {
        case "file":
            do {
                return try Files.read(url)
            } catch let error as DataError {
                throw Failure(description: error.message)
            }
        case "http", "https":
            let data: Data, response: URLResponse
            do {
                (data, response) = try await URLSession.shared.data(from: url)
            } catch {
                throw Failure(description: FileError.reason(for: error))
            }
            // A server answers a missing file with a page of HTML: only a 2xx status is the file.
            if let status = (response as? HTTPURLResponse)?.statusCode, !(200..<300).contains(status) {
                throw Failure(description: "HTTP status \(status) (\(HTTPURLResponse.localizedString(forStatusCode: status)))")
            }
            return [UInt8](data)
        default:
            throw Failure(description: "cannot download from a \(url.scheme ?? "scheme-less") URL; expected file, http or https")
        }
    }
}
