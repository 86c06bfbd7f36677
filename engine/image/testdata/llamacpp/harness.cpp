// harness runs llama.cpp's own image preprocessing (tools/mtmd/mtmd-image.cpp,
// compiled in from the llama.cpp source tree) on raw RGB files, to produce
// the reference outputs llamacpp_test.go compares engine/image with. It is
// not part of the Go module; gen.sh builds and runs it.
//
// Input file: int32 width, int32 height, then RGB bytes. Usage:
//   harness resize   IN OUT W H ALGO PAD        (ALGO 0 bilinear, 1 bicubic, 2 lanczos; PAD 0 none, 1 ceil, 2 nearest; pad colour 122,116,104)
//   harness mlp      IN OUT SIZE                (fixed-size preprocessor with the mlp hparams)
//   harness idefics3 IN OUT SIZE LONGEST MINPX MAXPX
// Outputs: resize writes w, h, RGB bytes; mlp writes a count then w, h and
// float32 HWC values per entry; idefics3 writes rows, cols, tile count,
// then the overview and each tile as w, h, float32 HWC.
#include "mtmd-image.cpp"
#include <cstdio>
#include <cstdlib>
#include <cstring>

static clip_hparams g_hp;
const clip_hparams * clip_get_hparams(const struct clip_ctx *) { return &g_hp; }
projector_type clip_get_projector_type(const struct clip_ctx *) { return PROJECTOR_TYPE_IDEFICS3; }

static clip_image_u8 read_img(const char * path) {
    FILE * f = fopen(path, "rb");
    int w, h;
    if (fread(&w, 4, 1, f) != 1 || fread(&h, 4, 1, f) != 1) exit(3);
    std::vector<uint8_t> buf((size_t) w * h * 3);
    if (fread(buf.data(), 1, buf.size(), f) != buf.size()) exit(3);
    fclose(f);
    clip_image_u8 img;
    img.set_size({w, h}, false);
    img.cpy_buf(buf);
    return img;
}

static void write_u8(FILE * f, const clip_image_u8 & img) {
    int w = img.get_size().width, h = img.get_size().height;
    fwrite(&w, 4, 1, f); fwrite(&h, 4, 1, f);
    fwrite(img.get_ro_buf().data(), 1, img.get_ro_buf().size(), f);
}

static void write_f32(FILE * f, const clip_image_f32 & img) {
    int w = img.nx(), h = img.ny();
    fwrite(&w, 4, 1, f); fwrite(&h, 4, 1, f);
    fwrite(img.get_ro_buf().data(), 4, img.get_ro_buf().size(), f);
}

int main(int argc, char ** argv) {
    // harness MODE IN OUT args...
    std::string mode = argv[1];
    clip_image_u8 img = read_img(argv[2]);
    FILE * out = fopen(argv[3], "wb");
    float mean[3] = {0.48145466f, 0.4578275f, 0.40821073f};
    float stdv[3] = {0.26862954f, 0.26130258f, 0.27577711f};
    for (int i = 0; i < 3; i++) { g_hp.image_mean[i] = mean[i]; g_hp.image_std[i] = stdv[i]; }
    if (mode == "resize") {
        int w = atoi(argv[4]), h = atoi(argv[5]), algo = atoi(argv[6]), pad = atoi(argv[7]);
        clip_image_u8 dst;
        img_tool::resize(img, dst, {w, h}, (resize_algo) algo, (pad_style) pad, {122, 116, 104});
        write_u8(out, dst);
    } else if (mode == "mlp") {
        g_hp.image_size = atoi(argv[4]);
        g_hp.image_resize_algo = RESIZE_ALGO_BICUBIC;
        g_hp.image_resize_pad = PAD_CEIL;
        g_hp.image_pad_color = {122, 116, 104};
        mtmd_image_preprocessor_fixed_size p(nullptr);
        auto res = p.preprocess(img);
        int n = res.entries.size();
        fwrite(&n, 4, 1, out);
        write_f32(out, res.entries[0]);
    } else if (mode == "idefics3") {
        g_hp.image_size = atoi(argv[4]);
        g_hp.image_longest_edge = atoi(argv[5]);
        g_hp.image_min_pixels = atoi(argv[6]);
        g_hp.image_max_pixels = atoi(argv[7]);
        g_hp.image_resize_algo = RESIZE_ALGO_LANCZOS;
        mtmd_image_preprocessor_idefics3 p(nullptr);
        auto res = p.preprocess(img);
        int n = res.entries.size();
        fwrite(&res.grid_y, 4, 1, out);
        fwrite(&res.grid_x, 4, 1, out);
        fwrite(&n, 4, 1, out);
        write_f32(out, res.overview);
        for (auto & e : res.entries) write_f32(out, e);
    }
    fclose(out);
    return 0;
}
static void quiet_log(enum ggml_log_level, const char *, void *) {}
struct clip_logger_state g_logger_state = {quiet_log, nullptr};
extern "C" void ggml_abort(const char * file, int line, const char * fmt, ...) { fprintf(stderr, "abort %s:%d %s\n", file, line, fmt); exit(4); }
