import Descent
import Testing

@Suite("SHA-256")
struct SHA256Tests {
    /// FIPS 180-4's examples.
    @Test func standardVectors() {
        #expect(SHA256.hexDigest(of: []) == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        #expect(SHA256.hexDigest(of: Array("abc".utf8))
                == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(SHA256.hexDigest(of: Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8))
                == "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
    }

    /// Lengths around the padding boundaries (55 bytes is the longest message with one padded
    /// block), against Python's `hashlib.sha256(bytes(range(n)))`.
    @Test(arguments: [
        (55, "463eb28e72f82e0a96c0a4cc53690c571281131f672aa229e0d45ae59b598b59"),
        (56, "da2ae4d6b36748f2a318f23e7ab1dfdf45acdc9d049bd80e59de82a60895f562"),
        (63, "29af2686fd53374a36b0846694cc342177e428d1647515f078784d69cdb9e488"),
        (64, "fdeab9acf3710362bd2658cdc9a29e8f9c757fcf9811603a8c447cd1d9151108"),
        (65, "4bfd2c8b6f1eec7a2afeb48b934ee4b2694182027e6d0fc075074f2fabb31781"),
        (119, "da18797ed7c3a777f0847f429724a2d8cd5138e6ed2895c3fa1a6d39d18f7ec6"),
        (120, "f52b23db1fbb6ded89ef42a23ce0c8922c45f25c50b568a93bf1c075420bbb7c"),
    ])
    func paddingBoundaries(length: Int, expected: String) {
        #expect(SHA256.hexDigest(of: (0..<length).map { UInt8($0) }) == expected)
    }

    /// About a megabyte, against `hashlib.sha256(bytes((i*31+7)%251 for i in range(1_000_003)))`,
    /// hashed whole and fed in uneven pieces.
    @Test func aMegabyteWholeAndInPieces() {
        let message = (0..<1_000_003).map { UInt8(($0 * 31 + 7) % 251) }
        let expected = "a79aaccf39831e39ad9382f03c515510dcde695830c65a91620160cbe434b410"
        #expect(SHA256.hexDigest(of: message) == expected)

        var hasher = SHA256()
        let pieceSizes = [1, 63, 64, 65, 1000, 7, 4096]
        var start = 0, piece = 0
        while start < message.count {
            let end = min(start + pieceSizes[piece % pieceSizes.count], message.count)
            hasher.update(Array(message[start..<end]))
            start = end
            piece += 1
        }
        #expect(SHA256.hexString(hasher.finalize()) == expected)
        // Finalizing leaves the hasher as it was.
        #expect(SHA256.hexString(hasher.finalize()) == expected)
    }
}
