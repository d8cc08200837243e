#!/usr/bin/env python3
"""Writes the seed corpus of each fuzz target into Fuzz/Corpus/<target>/.

Seeds are small, valid (or nearly valid) examples of each format, so that libFuzzer starts from
inputs that reach deep into the parsers. Run once; the output is committed. Needs numpy.
"""
import gzip, io, json, os, struct, tarfile, zlib
import numpy as np

root = os.path.join(os.path.dirname(os.path.abspath(__file__)), "Corpus")
tests = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "Tests")


def put(target, name, data):
    folder = os.path.join(root, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def gz(data):
    return gzip.compress(data, mtime=0)


# CSV: numbers, class names, quoted cells, CRLF, a byte-order mark.
put("CSV", "numbers.csv", b"a,b,y\n1,2,0\n3.5,-4e2,1\n5,6,0\n")
put("CSV", "classes.csv", b"sepal,petal,species\n5.1,1.4,setosa\n6.2,4.5,versicolor\n7.7,6.7,virginica\n")
put("CSV", "quoted.csv", b'"x, one","y ""two"""\r\n1,"2"\r\n"3",4\r\n')
put("CSV", "bom.csv", b"\xef\xbb\xbfx,target\n1,0.5\n2,1.5\n\n3,nan\n")

# IDX: each element type, plain and gzip-compressed.
def idx(code, shape, payload):
    return bytes([0, 0, code, len(shape)]) + b"".join(struct.pack(">I", n) for n in shape) + payload

images = idx(0x08, [2, 3, 3], bytes(range(18)))
put("IDX", "images.idx", images)
put("IDX", "images.idx.gz", gz(images))
put("IDX", "labels.idx.gz", gz(idx(0x08, [4], bytes([0, 1, 9, 3]))))
put("IDX", "float32.idx", idx(0x0D, [2], struct.pack(">2f", 1.5, -2)))
put("IDX", "int16.idx.gz", gz(idx(0x0B, [2, 2], struct.pack(">4h", 1, -1, 300, -300))))
put("IDX", "float64.idx", idx(0x0E, [1], struct.pack(">d", 3.25)))

# gzip and raw DEFLATE: stored, fixed and dynamic blocks; header fields; two members.
text = b"the quick brown fox jumps over the lazy dog " * 8 + bytes(range(64))
for level in (0, 1, 9):
    put("Gzip", f"level{level}.gz", gzip.compress(text, compresslevel=level, mtime=0))
    put("Gzip", f"raw-level{level}.deflate", zlib.compress(text, level)[2:-4])
fixed = zlib.compressobj(9, zlib.DEFLATED, -15, 9, zlib.Z_FIXED)
put("Gzip", "raw-fixed.deflate", fixed.compress(text) + fixed.flush())
buffer = io.BytesIO()
with gzip.GzipFile(filename="named.txt", mode="wb", fileobj=buffer, mtime=0) as f:
    f.write(text)
put("Gzip", "named.gz", buffer.getvalue())
put("Gzip", "two-members.gz", gz(b"first ") + gz(b"second"))
put("Gzip", "runs.gz", gz(b"\0" * 3000 + b"ab" * 500))

# NPY: the dtypes Descent reads, versions 1.0 and 2.0.
def npy(array, version=None):
    buffer = io.BytesIO()
    if version is None:
        np.save(buffer, array)
    else:
        np.lib.format.write_array(buffer, array, version=version)
    return buffer.getvalue()

put("NPY", "f4.npy", npy(np.arange(6, dtype="<f4").reshape(2, 3)))
put("NPY", "f8.npy", npy(np.array([1.5, -2.0], dtype="<f8")))
put("NPY", "i8.npy", npy(np.array([[1], [2]], dtype="<i8")))
put("NPY", "u1.npy", npy(np.array([0, 255], dtype="|u1")))
put("NPY", "b1-v2.npy", npy(np.array([True, False]), version=(2, 0)))
put("NPY", "scalar.npy", npy(np.array(7, dtype="<i4")))

# safetensors: several dtypes, metadata, an empty tensor.
def safetensors(tensors, metadata=None):
    header, data = {}, b""
    for name, (dtype, shape, payload) in tensors.items():
        header[name] = {"dtype": dtype, "shape": shape, "data_offsets": [len(data), len(data) + len(payload)]}
        data += payload
    if metadata:
        header["__metadata__"] = metadata
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    return struct.pack("<Q", len(text)) + text + data

put("SafeTensors", "mlp.safetensors", safetensors({
    "0.weight": ("F32", [2, 2], struct.pack("<4f", 1, 2, 3, 4)),
    "0.bias": ("F32", [2], struct.pack("<2f", 0.5, -0.5)),
}, {"format": "pt"}))
put("SafeTensors", "dtypes.safetensors", safetensors({
    "a": ("F16", [2], struct.pack("<2e", 1.0, -2.0)),
    "b": ("BF16", [1], b"\x80\x3f"),
    "c": ("I64", [2], struct.pack("<2q", 5, -5)),
    "d": ("U8", [3], b"\x00\x01\xff"),
    "e": ("F64", [0], b""),
}))

# Images: the test fixtures (PNG: gray, RGB, RGBA, palette; JPEG: gray, RGB, progressive).
fixtures = os.path.join(tests, "DescentDataTests", "Fixtures", "images")
for name in ("gray.png", "rgb.png", "rgba.png", "palette.png", "gray.jpg", "rgb.jpg", "progressive.jpg"):
    with open(os.path.join(fixtures, name), "rb") as f:
        put("Image", name, f.read())

# Tar: ustar, a GNU long name, a pax path, a folder, a link.
def tar(format, members):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w", format=format) as archive:
        for name, data in members:
            info = tarfile.TarInfo(name)
            info.mtime = 0
            if data is None:
                info.type = tarfile.DIRTYPE
                archive.addfile(info)
            elif isinstance(data, str):
                info.type = tarfile.SYMTYPE
                info.linkname = data
                archive.addfile(info)
            else:
                info.size = len(data)
                archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue().rstrip(b"\0") + b"\0" * 1024

put("Tar", "ustar.tar", tar(tarfile.USTAR_FORMAT, [("batches", None), ("batches/a.bin", b"abc" * 10), ("link", "batches/a.bin")]))
put("Tar", "gnu-long.tar", tar(tarfile.GNU_FORMAT, [("d/" + "n" * 120, b"long name")]))
put("Tar", "pax.tar", tar(tarfile.PAX_FORMAT, [("p/" + "x" * 150, b"pax path"), ("short", b"")]))

# model.json: the format-1 fixture and format-2 files with each kind of layer.
with open(os.path.join(tests, "DescentCLITests", "Fixtures", "format1", "iris-model", "model.json"), "rb") as f:
    put("ModelJSON", "format1.json", f.read())
# ... and the examples of Documentation/ModelFormat.md, every layer type among them.
with open(os.path.join(tests, "..", "Documentation", "ModelFormat.md")) as f:
    examples = f.read().split("```json\n")[1:]
for index, example in enumerate(examples):
    put("ModelJSON", f"format2-{index}.json", example.split("```")[0].encode())
