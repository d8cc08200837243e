// PNG and JPEG decoding through libpng and libjpeg, loaded at run time (see CDescentImages.h).
#include "CDescentImages.h"

#include <dlfcn.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <png.h>
#include <jpeglib.h>

// ---------------------------------------------------------------------------------------------
// Loading. The function pointers take their types from the headers (__typeof__ does not
// reference the symbols), so the compiler checks every call while nothing is linked.

#define DECLARE(name) static __typeof__(&name) p_##name
DECLARE(png_create_read_struct);
DECLARE(png_create_info_struct);
DECLARE(png_destroy_read_struct);
DECLARE(png_set_read_fn);
DECLARE(png_get_io_ptr);
DECLARE(png_get_error_ptr);
DECLARE(png_error);
DECLARE(png_read_info);
DECLARE(png_get_IHDR);
DECLARE(png_set_expand);
DECLARE(png_set_strip_16);
DECLARE(png_set_strip_alpha);
DECLARE(png_set_interlace_handling);
DECLARE(png_read_update_info);
DECLARE(png_get_rowbytes);
DECLARE(png_get_channels);
DECLARE(png_read_image);
DECLARE(png_read_end);
DECLARE(png_set_user_limits);
DECLARE(jpeg_std_error);
DECLARE(jpeg_CreateDecompress);
DECLARE(jpeg_destroy_decompress);
DECLARE(jpeg_mem_src);
DECLARE(jpeg_read_header);
DECLARE(jpeg_start_decompress);
DECLARE(jpeg_read_scanlines);
DECLARE(jpeg_finish_decompress);
#undef DECLARE

static pthread_once_t png_once = PTHREAD_ONCE_INIT, jpeg_once = PTHREAD_ONCE_INIT;
static int png_loaded, jpeg_loaded;

static void *open_first(const char *const *names) {
    for (; *names; names++) {
        void *handle = dlopen(*names, RTLD_NOW | RTLD_LOCAL);
        if (handle) return handle;
    }
    return NULL;
}

#define LOAD(handle, name) \
    if (!(p_##name = (__typeof__(p_##name))dlsym(handle, #name))) return 0

static int load_png_symbols(void *h) {
    LOAD(h, png_create_read_struct); LOAD(h, png_create_info_struct); LOAD(h, png_destroy_read_struct);
    LOAD(h, png_set_read_fn); LOAD(h, png_get_io_ptr); LOAD(h, png_get_error_ptr); LOAD(h, png_error);
    LOAD(h, png_read_info); LOAD(h, png_get_IHDR); LOAD(h, png_set_expand); LOAD(h, png_set_strip_16);
    LOAD(h, png_set_strip_alpha); LOAD(h, png_set_interlace_handling); LOAD(h, png_read_update_info);
    LOAD(h, png_get_rowbytes); LOAD(h, png_get_channels); LOAD(h, png_read_image); LOAD(h, png_read_end);
    LOAD(h, png_set_user_limits);
    return 1;
}

static int load_jpeg_symbols(void *h) {
    LOAD(h, jpeg_std_error); LOAD(h, jpeg_CreateDecompress); LOAD(h, jpeg_destroy_decompress);
    LOAD(h, jpeg_mem_src); LOAD(h, jpeg_read_header); LOAD(h, jpeg_start_decompress);
    LOAD(h, jpeg_read_scanlines); LOAD(h, jpeg_finish_decompress);
    return 1;
}
#undef LOAD

static void load_png(void) {
    // The headers compiled against are libpng 1.6; only that ABI is loaded.
    static const char *const names[] = {
#ifdef __APPLE__
        "libpng16.16.dylib", "/opt/homebrew/lib/libpng16.16.dylib", "/usr/local/lib/libpng16.16.dylib",
#else
        "libpng16.so.16",
#endif
        NULL};
    void *handle = open_first(names);
    png_loaded = handle && load_png_symbols(handle);
}

static void load_jpeg(void) {
    // The library's ABI must be the headers' (the struct layouts differ between 6b and 8).
    static const char *const names[] = {
#if JPEG_LIB_VERSION >= 80
#ifdef __APPLE__
        "libjpeg.8.dylib", "/opt/homebrew/opt/jpeg-turbo/lib/libjpeg.8.dylib", "/usr/local/opt/jpeg-turbo/lib/libjpeg.8.dylib",
#else
        "libjpeg.so.8",
#endif
#else
#ifdef __APPLE__
        "libjpeg.62.dylib", "/opt/homebrew/lib/libjpeg.62.dylib", "/usr/local/lib/libjpeg.62.dylib",
#else
        "libjpeg.so.62",
#endif
#endif
        NULL};
    void *handle = open_first(names);
    jpeg_loaded = handle && load_jpeg_symbols(handle);
}

static int fail(descent_image *result, int status, const char *message) {
    snprintf(result->message, sizeof result->message, "%s", message);
    return status;
}

// Checks the decoded size before anything is allocated for it: against the caller's cap and
// against what `size` bytes of the format can expand to, so that a header claiming absurd
// dimensions is refused instead of allocated.
static int check_size(descent_image *result, size_t width, size_t height, size_t channels, size_t size,
                      size_t max_expansion, size_t max_bytes) {
    if (width == 0 || height == 0) return fail(result, DESCENT_IMAGE_INVALID, "the image has no pixels");
    size_t bytes = width * channels;
    int too_large = bytes / channels != width || height > SIZE_MAX / bytes;
    if (!too_large) bytes *= height;
    if (too_large || bytes > max_bytes || bytes / max_expansion > size) {
        snprintf(result->message, sizeof result->message,
                 "claims %zu×%zu pixels (%zu channels), more than its %zu bytes can hold or than the limit of %zu bytes",
                 width, height, channels, size, max_bytes);
        return DESCENT_IMAGE_TOO_LARGE;
    }
    return DESCENT_IMAGE_OK;
}

void descent_image_free(unsigned char *pixels) { free(pixels); }

// ---------------------------------------------------------------------------------------------
// PNG

typedef struct {
    jmp_buf jump;
    descent_image *result;
} png_failure;

typedef struct {
    const unsigned char *data;
    size_t size, offset;
} png_source;

static void png_on_error(png_structp png, png_const_charp message) {
    png_failure *failure = p_png_get_error_ptr(png);
    snprintf(failure->result->message, sizeof failure->result->message, "%s", message);
    longjmp(failure->jump, 1);
}

static void png_on_warning(png_structp png, png_const_charp message) { (void)png; (void)message; }

static void png_read_memory(png_structp png, png_bytep out, size_t count) {
    png_source *source = p_png_get_io_ptr(png);
    if (count > source->size - source->offset) p_png_error(png, "the file is truncated");
    memcpy(out, source->data + source->offset, count);
    source->offset += count;
}

int descent_decode_png(const unsigned char *data, size_t size, size_t max_bytes, descent_image *result) {
    memset(result, 0, sizeof *result);
    pthread_once(&png_once, load_png);
    if (!png_loaded) {
        return fail(result, DESCENT_IMAGE_LIBRARY_MISSING,
                    "PNG support needs libpng (apt-get install libpng16-16 / brew install libpng)");
    }
    static const unsigned char signature[8] = {137, 80, 78, 71, 13, 10, 26, 10};
    if (size < 8 || memcmp(data, signature, 8) != 0) return fail(result, DESCENT_IMAGE_INVALID, "not a PNG file");

    // Everything the jump back may need lives here, not in locals the jump could clobber.
    png_failure failure = {.result = result};
    png_source source = {data, size, 0};
    png_structp png = NULL;
    png_infop info = NULL;
    // volatile: assigned between setjmp and longjmp and read after the jump.
    unsigned char *volatile pixels = NULL;
    png_bytep *volatile rows = NULL;
    png = p_png_create_read_struct(PNG_LIBPNG_VER_STRING, &failure, png_on_error, png_on_warning);
    if (!png) return fail(result, DESCENT_IMAGE_OUT_OF_MEMORY, "libpng could not start");
    info = p_png_create_info_struct(png);
    if (!info) {
        p_png_destroy_read_struct(&png, NULL, NULL);
        return fail(result, DESCENT_IMAGE_OUT_OF_MEMORY, "libpng could not start");
    }
    if (setjmp(failure.jump)) {
        p_png_destroy_read_struct(&png, &info, NULL);
        free(pixels);
        free(rows);
        result->pixels = NULL;
        return DESCENT_IMAGE_INVALID;
    }
    p_png_set_read_fn(png, &source, png_read_memory);
    p_png_set_user_limits(png, 0x7fffffff, 0x7fffffff);  // the size check below is the limit
    p_png_read_info(png, info);
    png_uint_32 width, height;
    int depth, color, interlace;
    p_png_get_IHDR(png, info, &width, &height, &depth, &color, &interlace, NULL, NULL);
    // 8 bits per channel, palettes expanded to RGB, alpha dropped: gray or RGB.
    p_png_set_expand(png);
    p_png_set_strip_16(png);
    p_png_set_strip_alpha(png);
    p_png_set_interlace_handling(png);
    p_png_read_update_info(png, info);
    int channels = p_png_get_channels(png, info);
    if (channels != 1 && channels != 3) p_png_error(png, "unexpected channel count after conversion");
    // Deflate expands at most 1032:1, and a 1-bit palette pixel becomes 3 bytes (24 per
    // compressed bit): no valid file decodes to more than this.
    int status = check_size(result, width, height, (size_t)channels, size, (size_t)1032 * 24, max_bytes);
    if (status != DESCENT_IMAGE_OK) {
        p_png_destroy_read_struct(&png, &info, NULL);
        return status;
    }
    size_t row_bytes = p_png_get_rowbytes(png, info);
    if (row_bytes != (size_t)width * (size_t)channels) p_png_error(png, "unexpected row size after conversion");
    pixels = malloc(row_bytes * height);
    rows = malloc(sizeof(png_bytep) * height);
    if (!pixels || !rows) p_png_error(png, "out of memory");
    for (png_uint_32 y = 0; y < height; y++) rows[y] = pixels + (size_t)y * row_bytes;
    p_png_read_image(png, rows);
    p_png_read_end(png, NULL);
    p_png_destroy_read_struct(&png, &info, NULL);
    free(rows);
    result->width = (int)width;
    result->height = (int)height;
    result->channels = channels;
    result->pixels = pixels;
    return DESCENT_IMAGE_OK;
}

// ---------------------------------------------------------------------------------------------
// JPEG

typedef struct {
    struct jpeg_error_mgr manager;  // first, so that the library's pointer to it is one to this
    jmp_buf jump;
    descent_image *result;
    int warned;
} jpeg_failure;

static void jpeg_on_error(j_common_ptr info) {
    jpeg_failure *failure = (jpeg_failure *)info->err;
    char text[JMSG_LENGTH_MAX];
    failure->manager.format_message(info, text);
    snprintf(failure->result->message, sizeof failure->result->message, "%s", text);
    longjmp(failure->jump, 1);
}

// libjpeg only warns about corrupt or truncated data (and fills the rest with gray); such a
// file is refused here like any other invalid one.
static void jpeg_on_message(j_common_ptr info, int level) {
    jpeg_failure *failure = (jpeg_failure *)info->err;
    if (level < 0 && !failure->warned) {
        failure->warned = 1;
        char text[JMSG_LENGTH_MAX];
        failure->manager.format_message(info, text);
        snprintf(failure->result->message, sizeof failure->result->message, "%s", text);
    }
}

int descent_decode_jpeg(const unsigned char *data, size_t size, size_t max_bytes, descent_image *result) {
    memset(result, 0, sizeof *result);
    pthread_once(&jpeg_once, load_jpeg);
    if (!jpeg_loaded) {
        return fail(result, DESCENT_IMAGE_LIBRARY_MISSING,
                    "JPEG support needs libjpeg-turbo (apt-get install libjpeg62-turbo / brew install jpeg-turbo)");
    }
    if (size < 3 || data[0] != 0xFF || data[1] != 0xD8 || data[2] != 0xFF) {
        return fail(result, DESCENT_IMAGE_INVALID, "not a JPEG file");
    }
    struct jpeg_decompress_struct info;
    jpeg_failure failure;
    memset(&info, 0, sizeof info);
    memset(&failure, 0, sizeof failure);
    failure.result = result;
    unsigned char *volatile pixels = NULL;
    info.err = p_jpeg_std_error(&failure.manager);
    failure.manager.error_exit = jpeg_on_error;
    failure.manager.emit_message = jpeg_on_message;
    if (setjmp(failure.jump)) {
        p_jpeg_destroy_decompress(&info);
        free(pixels);
        result->pixels = NULL;
        return DESCENT_IMAGE_INVALID;
    }
    p_jpeg_CreateDecompress(&info, JPEG_LIB_VERSION, sizeof info);
    p_jpeg_mem_src(&info, (unsigned char *)data, (unsigned long)size);
    p_jpeg_read_header(&info, TRUE);
    // Gray stays gray; everything else (YCbCr, RGB) becomes RGB. CMYK is refused by libjpeg's
    // own conversion check.
    info.out_color_space = info.num_components == 1 ? JCS_GRAYSCALE : JCS_RGB;
    // A baseline JPEG needs at least 2 bits per 8×8 block per component; progressive scans with
    // long runs of empty blocks can go further, so the bound is generous.
    int channels = info.num_components == 1 ? 1 : 3;
    int status = check_size(result, info.image_width, info.image_height, (size_t)channels, size, 4096, max_bytes);
    if (status != DESCENT_IMAGE_OK) {
        p_jpeg_destroy_decompress(&info);
        return status;
    }
    p_jpeg_start_decompress(&info);
    if (info.output_components != channels) {
        snprintf(result->message, sizeof result->message, "unexpected %d components after conversion", info.output_components);
        p_jpeg_destroy_decompress(&info);
        return DESCENT_IMAGE_INVALID;
    }
    size_t row_bytes = (size_t)info.output_width * (size_t)channels;
    pixels = malloc(row_bytes * info.output_height);
    if (!pixels) {
        p_jpeg_destroy_decompress(&info);
        return fail(result, DESCENT_IMAGE_OUT_OF_MEMORY, "out of memory");
    }
    while (info.output_scanline < info.output_height) {
        JSAMPROW row = pixels + (size_t)info.output_scanline * row_bytes;
        if (p_jpeg_read_scanlines(&info, &row, 1) != 1) break;
    }
    if (!failure.warned) p_jpeg_finish_decompress(&info);
    result->width = (int)info.output_width;
    result->height = (int)info.output_height;
    result->channels = channels;
    p_jpeg_destroy_decompress(&info);
    if (failure.warned) {
        free(pixels);
        return DESCENT_IMAGE_INVALID;
    }
    result->pixels = pixels;
    return DESCENT_IMAGE_OK;
}
