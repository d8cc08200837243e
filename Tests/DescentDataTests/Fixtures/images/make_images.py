"""Makes the image fixtures of ImageTests.swift with Pillow (`/tmp/torchenv/bin/pip install pillow`,
then `/tmp/torchenv/bin/python make_images.py` in this folder). expected.json holds Pillow's own
decode of every image (gray "L" or "RGB"), which Descent's must match: exactly for PNG, within a
small tolerance for JPEG (the IDCT may differ between libjpeg builds)."""
import io, json, os, struct, zlib
from PIL import Image

os.chdir(os.path.dirname(os.path.abspath(__file__)))
W, H = 4, 3  # small and not square, so that a swapped width and height shows


def gray(w, h, seed):
    return Image.frombytes("L", (w, h), bytes((seed + 37 * i) % 256 for i in range(w * h)))


def rgb(w, h, seed):
    return Image.frombytes("RGB", (w, h), bytes((seed + 53 * i) % 256 for i in range(w * h * 3)))


def smooth(w, h, mode):
    # JPEG fixtures: smooth gradients, which JPEG keeps close.
    image = Image.new(mode, (w, h))
    for y in range(h):
        for x in range(w):
            v = (8 * x + 4 * y) % 256
            image.putpixel((x, y), v if mode == "L" else (v, 255 - v, (v + 64) % 256))
    return image


expected = {}


def save(image, path, **options):
    os.makedirs(os.path.dirname(path) or ".", exist_ok=True)
    image.save(path, **options)
    decoded = Image.open(path)
    decoded = decoded.convert("L" if decoded.mode in ("L", "LA", "I;16", "I") and image.mode != "P" else "RGB") \
        if decoded.mode not in ("L", "RGB") else decoded
    expected[path] = {"width": decoded.width, "height": decoded.height, "channels": len(decoded.getbands()),
                      "pixels": list(decoded.tobytes())}


save(gray(W, H, 1), "gray.png")
save(rgb(W, H, 2), "rgb.png")
save(gray(W, H, 3).convert("RGB").quantize(colors=8), "palette.png")
rgba = rgb(W, H, 4).convert("RGBA")
rgba.putalpha(gray(W, H, 5))
rgba.save("rgba.png")  # alpha is dropped: the expected pixels are the RGB ones
expected["rgba.png"] = {"width": W, "height": H, "channels": 3, "pixels": list(rgb(W, H, 4).tobytes())}
save(smooth(16, 16, "RGB"), "rgb.jpg", quality=95)
save(smooth(16, 8, "L"), "gray.jpg", quality=95)
save(smooth(16, 16, "RGB"), "progressive.jpg", quality=90, progressive=True)

# A class folder set: gray and colour, PNG and JPEG, all 4×3, with top-level and stray files
# that the loader ignores.
save(gray(W, H, 10), "folder/b-class/1.png")
save(gray(W, H, 11), "folder/b-class/0.png")
save(rgb(W, H, 12), "folder/a-class/x.png")
save(smooth(W, H, "RGB"), "folder/a-class/y.jpg", quality=95)
with open("folder/README.md", "w") as f:
    f.write("top-level files are ignored\n")
with open("folder/b-class/notes.txt", "w") as f:
    f.write("files without an image extension are ignored\n")

# Sizes that differ: an error without --image-size, resized with it.
save(gray(W, H, 20), "sizes/one/a.png")
save(gray(6, 5, 21), "sizes/one/b.png")

# Files that must be refused.
with open("text.png", "w") as f:
    f.write("this is not a PNG\n")
data = open("rgb.png", "rb").read()
open("truncated.png", "wb").write(data[: len(data) // 2])
data = open("rgb.jpg", "rb").read()
open("truncated.jpg", "wb").write(data[: len(data) * 2 // 3])


def chunk(kind, payload):
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


# A valid header claiming 100000×100000 RGB pixels, with a tiny image data chunk.
huge = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", 100000, 100000, 8, 2, 0, 0, 0)) \
    + chunk(b"IDAT", zlib.compress(b"\0" * 301)) + chunk(b"IEND", b"")
open("huge.png", "wb").write(huge)

with open("expected.json", "w") as f:
    json.dump(expected, f, indent=0, sort_keys=True)
