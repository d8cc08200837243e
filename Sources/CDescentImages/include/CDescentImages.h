#ifndef CDESCENT_IMAGES_H
#define CDESCENT_IMAGES_H

#include <stddef.h>

/* Decoding PNG and JPEG with libpng and libjpeg(-turbo), loaded with dlopen on first use so
   that nothing links them: a program that never decodes an image runs where they are absent.
   Both libraries report errors by longjmp, which Swift cannot catch; these functions do the
   setjmp themselves and return a status and a message instead. */

enum {
    DESCENT_IMAGE_OK = 0,
    /* The library could not be loaded; the message says what to install. */
    DESCENT_IMAGE_LIBRARY_MISSING = 1,
    /* The bytes are not a valid image of the format (or are truncated); the message is the library's. */
    DESCENT_IMAGE_INVALID = 2,
    /* The header claims more pixels than the file can hold or than the caller allows. */
    DESCENT_IMAGE_TOO_LARGE = 3,
    DESCENT_IMAGE_OUT_OF_MEMORY = 4
};

typedef struct {
    int width;
    int height;
    /* 1 (gray) or 3 (RGB); alpha is dropped. */
    int channels;
    /* width × height × channels bytes, rows top to bottom, channels interleaved; free with
       descent_image_free. NULL unless the status is DESCENT_IMAGE_OK. */
    unsigned char *pixels;
    char message[256];
} descent_image;

int descent_decode_png(const unsigned char *data, size_t size, size_t max_bytes, descent_image *result);
int descent_decode_jpeg(const unsigned char *data, size_t size, size_t max_bytes, descent_image *result);
void descent_image_free(unsigned char *pixels);

#endif
