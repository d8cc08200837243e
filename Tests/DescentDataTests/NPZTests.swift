import Descent
import Foundation
import Testing
import _DescentTestSupport

/// `.npz` archives as `numpy.savez` and `numpy.savez_compressed` write them.
@Suite struct NPZTests {
    @Test(arguments: ["plain.npz", "compressed.npz"])
    func readsEveryArrayByName(_ name: String) throws {
        let arrays = try NPZ.read(contentsOf: fixtureURL("npz/\(name)", in: .module))
        #expect(arrays.keys.sorted() == ["x", "y"])
        #expect(arrays["x"]?.shape == [2, 3] && arrays["x"]?.scalars(as: Float.self) == [0, 0.25, 0.5, 0.75, 1, 1.25])
        #expect(arrays["y"]?.dtype == .int32 && arrays["y"]?.scalars(as: Int32.self) == [1, 0])
    }

    @Test func damagedArchivesAreErrors() throws {
        var bytes = [UInt8](try Data(contentsOf: fixtureURL("npz/plain.npz", in: .module)))
        let notZip = try #require(throws: DataError.self) { try NPZ.decode(Array(bytes.prefix(100))) }
        #expect(notZip.kind == .corrupt && notZip.message.contains("not a zip archive"))
        bytes[100] ^= 0xFF  // inside the first member's data
        let damaged = try #require(throws: DataError.self) { try NPZ.decode(bytes) }
        #expect(damaged.message.contains("member") && (damaged.kind == .corrupt || damaged.kind == .unsupported))
    }
}
