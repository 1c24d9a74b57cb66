// The one translation unit that compiles stb's implementations.
#define STB_IMAGE_IMPLEMENTATION
#define STB_IMAGE_WRITE_IMPLEMENTATION
#define STB_IMAGE_RESIZE_IMPLEMENTATION
// Images wider or taller than this are refused before any pixel memory is allocated (image.h).
#define STBI_MAX_DIMENSIONS 4096
// Only the formats pokegan reads. stb would otherwise also try TGA, PSD, PIC, PNM and HDR, which
// have no magic number worth the name: the imagefolder fuzz target found 33 bytes that stb took
// for a 3855x3855 TGA.
#define STBI_ONLY_PNG
#define STBI_ONLY_GIF
#define STBI_ONLY_JPEG
#define STBI_ONLY_BMP
#if defined(__GNUC__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#endif
#include <stb_image.h>
#include <stb_image_resize.h>
#include <stb_image_write.h>
#if defined(__GNUC__)
#pragma GCC diagnostic pop
#endif
