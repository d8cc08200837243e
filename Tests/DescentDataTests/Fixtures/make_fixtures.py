"""Makes the binary fixtures of the DescentData tests (run from this folder with numpy installed:
`/tmp/torchenv/bin/python make_fixtures.py`). The output is deterministic; the tests never run it."""
import gzip
import io
import random
import struct
import zlib

import numpy as np

# ---------------------------------------------------------------- gzip / DEFLATE
rng = random.Random(1951)
words = ["gradient", "descent", "tensor", "epoch", "batch", "learning", "rate", "cost", "layer", "weight"]
text = "\n".join(" ".join(rng.choice(words) for _ in range(rng.randint(3, 12))) for _ in range(600)).encode()
random_bytes = bytes(rng.getrandbits(8) for _ in range(6000))
open("gzip/text.txt", "wb").write(text)
open("gzip/random.bin", "wb").write(random_bytes)


def gzip_bytes(data, level, strategy=zlib.Z_DEFAULT_STRATEGY):
    # wbits 31: a gzip wrapper with no file name and MTIME 0 (deterministic).
    compressor = zlib.compressobj(level, zlib.DEFLATED, 31, 9, strategy)
    return compressor.compress(data) + compressor.flush()


for level in (0, 1, 6, 9):  # level 0 makes stored blocks only
    open(f"gzip/text-level{level}.gz", "wb").write(gzip_bytes(text, level))
open("gzip/text-fixed.gz", "wb").write(gzip_bytes(text, 9, zlib.Z_FIXED))        # fixed Huffman codes
open("gzip/text-huffman-only.gz", "wb").write(gzip_bytes(text, 9, zlib.Z_HUFFMAN_ONLY))  # no back-references
open("gzip/random.gz", "wb").write(gzip_bytes(random_bytes, 9))                  # incompressible: stored
open("gzip/empty.gz", "wb").write(gzip.compress(b"", mtime=0))
open("gzip/runs.gz", "wb").write(gzip_bytes(b"a" * 5000 + b"ab" * 3000 + b"abc" * 1000, 9))  # overlapping copies
# gzip/text-gzip-cli.gz was made once by the gzip tool itself (FNAME header, MTIME set): gzip -9 -c gzip/text.txt
open("gzip/multi-member.gz", "wb").write(gzip_bytes(text, 6) + gzip_bytes(random_bytes, 1))

# A header with every optional field: FEXTRA, FNAME, FCOMMENT and FHCRC (RFC 1952 §2.3).
extra = b"Ab" + struct.pack("<H", 3) + b"xyz"
header = (b"\x1f\x8b\x08" + bytes([0x02 | 0x04 | 0x08 | 0x10]) + struct.pack("<I", 1700000000) + b"\x02\x03"
          + struct.pack("<H", len(extra)) + extra + b"text.txt\x00" + b"a comment\x00")
header += struct.pack("<H", zlib.crc32(header) & 0xFFFF)
raw = zlib.compressobj(6, zlib.DEFLATED, -15)
body = raw.compress(text) + raw.flush()
open("gzip/header-fields.gz", "wb").write(header + body + struct.pack("<II", zlib.crc32(text), len(text)))

# ---------------------------------------------------------------- IDX
def write_idx(name, array, type_code, compress=False):
    big_endian = array.astype(array.dtype.newbyteorder(">"))
    data = bytes([0, 0, type_code, array.ndim]) + b"".join(struct.pack(">I", n) for n in array.shape) + big_endian.tobytes()
    if compress:
        data = gzip_bytes(data, 9)
    open(f"idx/{name}", "wb").write(data)


images = np.arange(24, dtype=np.uint8).reshape(2, 3, 4) * 10
write_idx("images-ubyte.idx", images, 0x08)
write_idx("images-ubyte.idx.gz", images, 0x08, compress=True)
write_idx("labels-ubyte.idx", np.array([7, 2, 1], dtype=np.uint8), 0x08)
write_idx("int8.idx", np.array([-128, -1, 0, 127], dtype=np.int8), 0x09)
write_idx("int16.idx", np.array([[-32768, -2], [300, 32767]], dtype=np.int16), 0x0B)
write_idx("int32.idx", np.array([-2147483648, 5, 2147483647], dtype=np.int32), 0x0C)
write_idx("float32.idx", np.array([[1.5, -2.25], [3.0e-3, 1e10]], dtype=np.float32), 0x0D)
write_idx("float64.idx", np.array([0.1, -1e300, 2.5], dtype=np.float64), 0x0E)
full = open("idx/images-ubyte.idx", "rb").read()
open("idx/truncated.idx", "wb").write(full[:-5])
open("idx/bad-type.idx", "wb").write(bytes([0, 0, 0x07, 1, 0, 0, 0, 1, 42]))

# ---------------------------------------------------------------- NPY
np.save("npy/float32-2x3.npy", np.array([[1.5, -2, 3], [0.25, 1e-7, -1e7]], dtype=np.float32))
np.save("npy/float64-4.npy", np.array([0.1, -0.2, 1e300, -4.5], dtype=np.float64))
np.save("npy/int32-2x2.npy", np.array([[1, -2], [2147483647, -2147483648]], dtype=np.int32))
np.save("npy/int64-3.npy", np.array([5, -6, 2**31 - 1], dtype=np.int64))
np.save("npy/int64-overflow.npy", np.array([1, 2**31], dtype=np.int64))
np.save("npy/uint8-2x2.npy", np.array([[0, 1], [128, 255]], dtype=np.uint8))
np.save("npy/float32-scalar.npy", np.array(2.5, dtype=np.float32))
np.save("npy/float32-0x3.npy", np.zeros((0, 3), dtype=np.float32))
np.save("npy/fortran.npy", np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3)))
np.save("npy/big-endian.npy", np.array([1, 2], dtype=">f4"))
np.save("npy/structured.npy", np.zeros(2, dtype=[("a", "<f4"), ("b", "<i4")]))
with open("npy/float32-v2.npy", "wb") as file:
    np.lib.format.write_array(file, np.array([[1, 2], [3, 4]], dtype=np.float32), version=(2, 0))

# ---------------------------------------------------------------- NPZ
npz_x = np.arange(6, dtype=np.float32).reshape(2, 3) / 4
npz_y = np.array([1, 0], dtype=np.int32)
np.savez("npz/plain.npz", x=npz_x, y=npz_y)
np.savez_compressed("npz/compressed.npz", x=npz_x, y=npz_y)
