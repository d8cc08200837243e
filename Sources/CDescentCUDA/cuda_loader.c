// dlopen and dlsym behind two small functions, so that Swift gets dlerror's message without
// touching the C library's thread-local error state itself.
#include "descent_cuda.h"

#include <dlfcn.h>
#include <string.h>

void *descent_cuda_open(const char *path, char *error, size_t capacity) {
    void *library = dlopen(path, RTLD_NOW | RTLD_LOCAL);
    if (library == NULL && error != NULL && capacity > 0) {
        const char *message = dlerror();
        if (message == NULL) message = "unknown dlopen error";
        strncpy(error, message, capacity - 1);
        error[capacity - 1] = '\0';
    }
    return library;
}

void *descent_cuda_symbol(void *library, const char *name) {
    return dlsym(library, name);
}
