/* stbdump decodes an image with stb_image into 3-channel RGB, as llama.cpp's
   mtmd_helper_bitmap_init_from_buf does, and writes the raw bytes. SIMD is
   off, as in a wasm build. Usage: stbdump IN OUT */
#define STB_IMAGE_IMPLEMENTATION
#define STBI_NO_SIMD
#include "stb_image.h"
#include <stdio.h>

int main(int argc, char **argv) {
    int w, h, n;
    unsigned char *px;
    FILE *f;
    if (argc != 3) return 2;
    px = stbi_load(argv[1], &w, &h, &n, 3);
    if (!px) { fprintf(stderr, "stb_image: %s\n", stbi_failure_reason()); return 1; }
    f = fopen(argv[2], "wb");
    if (!f) return 1;
    fwrite(px, 1, (size_t)w * h * 3, f);
    fclose(f);
    printf("%s: %dx%d\n", argv[1], w, h);
    return 0;
}
