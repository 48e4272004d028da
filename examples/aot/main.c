/* Runs a model compiled ahead of time by xlac and prints a checksum of every output.
 *
 *   xlac examples/mlp.ir -O2 -o mlp           # writes mlp.o and mlp.h
 *   cc -O2 -I. examples/aot/main.c mlp.o -Ltarget/release -lxlac_runtime -lpthread -lm -ldl -o mlp_demo
 *   ./mlp_demo [THREADS [OUT_PREFIX [WEIGHTS]]]
 *
 * Another model: -DMODEL=conv -DMODEL_UP=CONV -DMODEL_HEADER='"conv.h"'.
 * Inputs are filled deterministically: input i from a 64-bit LCG seeded with i + 1,
 * floats uniform in [-1, 1), integers in [0, 8), booleans 0/1 (xlac's test does the
 * same to compare with the JIT). THREADS (default 0: the runtime's default) is passed
 * to the entry function; with OUT_PREFIX, output i is also written raw to
 * OUT_PREFIX<i>.bin (OUT_PREFIX "-": not written). A model compiled with
 * --weights-file reads its constants from the file WEIGHTS. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#ifndef MODEL
#define MODEL mlp
#define MODEL_UP MLP
#define MODEL_HEADER "mlp.h"
#endif
#include MODEL_HEADER

#define CAT_(a, b) a##b
#define CAT(a, b) CAT_(a, b)
#define M(suffix) CAT(MODEL_UP, suffix)

static const int in_dtype[] = M(_INPUTS_DTYPE);
static const size_t in_bytes[] = M(_INPUTS_BYTES);
static const int out_dtype[] = M(_OUTPUTS_DTYPE);
static const size_t out_bytes[] = M(_OUTPUTS_BYTES);

static size_t elem_size(int dtype) {
    switch (dtype) {
    case XLAC_DTYPE_F64: case XLAC_DTYPE_I64: return 8;
    case XLAC_DTYPE_BOOL: return 1;
    default: return 4;
    }
}

/* Fills input `i` (see the top of the file). */
static void fill(void *p, int dtype, size_t bytes, uint64_t seed) {
    uint64_t s = seed;
    size_t n = bytes / elem_size(dtype);
    for (size_t j = 0; j < n; j++) {
        s = s * 6364136223846793005ULL + 1442695040888963407ULL;
        uint64_t r = s >> 40; /* 24 random bits */
        double u = (double)r / 16777216.0 * 2.0 - 1.0;
        switch (dtype) {
        case XLAC_DTYPE_F32: ((float *)p)[j] = (float)u; break;
        case XLAC_DTYPE_F64: ((double *)p)[j] = u; break;
        case XLAC_DTYPE_I32: ((int32_t *)p)[j] = (int32_t)(r & 7); break;
        case XLAC_DTYPE_I64: ((int64_t *)p)[j] = (int64_t)(r & 7); break;
        default: ((uint8_t *)p)[j] = (uint8_t)(r & 1); break;
        }
    }
}

static double value(const void *p, int dtype, size_t j) {
    switch (dtype) {
    case XLAC_DTYPE_F32: return ((const float *)p)[j];
    case XLAC_DTYPE_F64: return ((const double *)p)[j];
    case XLAC_DTYPE_I32: return ((const int32_t *)p)[j];
    case XLAC_DTYPE_I64: return (double)((const int64_t *)p)[j];
    default: return ((const uint8_t *)p)[j];
    }
}

int main(int argc, char **argv) {
    int threads = argc > 1 ? atoi(argv[1]) : 0;
    const char *prefix = argc > 2 && strcmp(argv[2], "-") != 0 ? argv[2] : NULL;
    void *inputs[M(_NUM_INPUTS) + 1], *outputs[M(_NUM_OUTPUTS) + 1];
    for (int i = 0; i < M(_NUM_INPUTS); i++) {
        inputs[i] = malloc(in_bytes[i] ? in_bytes[i] : 1);
        fill(inputs[i], in_dtype[i], in_bytes[i], (uint64_t)i + 1);
    }
    for (int i = 0; i < M(_NUM_OUTPUTS); i++) outputs[i] = calloc(1, out_bytes[i] ? out_bytes[i] : 1);
    size_t scratch_bytes = (M(_SCRATCH_BYTES) + M(_SCRATCH_ALIGN) - 1) / M(_SCRATCH_ALIGN) * M(_SCRATCH_ALIGN);
    void *scratch = scratch_bytes ? aligned_alloc(M(_SCRATCH_ALIGN), scratch_bytes) : NULL;

#if M(_EXTERNAL_WEIGHTS)
    size_t weights_bytes = (M(_WEIGHTS_BYTES) + M(_WEIGHTS_ALIGN) - 1) / M(_WEIGHTS_ALIGN) * M(_WEIGHTS_ALIGN);
    void *weights = aligned_alloc(M(_WEIGHTS_ALIGN), weights_bytes ? weights_bytes : M(_WEIGHTS_ALIGN));
    FILE *wf = argc > 3 ? fopen(argv[3], "rb") : NULL;
    if (!wf || fread(weights, 1, M(_WEIGHTS_BYTES), wf) != M(_WEIGHTS_BYTES)) {
        fprintf(stderr, "cannot read %zu bytes of weights from %s\n", (size_t)M(_WEIGHTS_BYTES), argc > 3 ? argv[3] : "(no WEIGHTS argument)");
        return 1;
    }
    fclose(wf);
    int status = CAT(MODEL, _run)((const void *const *)inputs, outputs, scratch, threads, weights);
    free(weights);
#else
    int status = CAT(MODEL, _run)((const void *const *)inputs, outputs, scratch, threads);
#endif
    if (status != XLAC_OK) {
        fprintf(stderr, "%s_run failed with status %d\n", MODEL_HEADER, status);
        return 1;
    }
    for (int i = 0; i < M(_NUM_OUTPUTS); i++) {
        size_t n = out_bytes[i] / elem_size(out_dtype[i]);
        double sum = 0, abs_sum = 0;
        for (size_t j = 0; j < n; j++) {
            double v = value(outputs[i], out_dtype[i], j);
            sum += v;
            abs_sum += v < 0 ? -v : v;
        }
        printf("output %d: %zu elements, checksum %.6e (abs %.6e), first:", i, n, sum, abs_sum);
        for (size_t j = 0; j < n && j < 4; j++) printf(" %.6f", value(outputs[i], out_dtype[i], j));
        printf("\n");
        if (prefix) {
            char path[4096];
            snprintf(path, sizeof path, "%s%d.bin", prefix, i);
            FILE *f = fopen(path, "wb");
            if (!f || fwrite(outputs[i], 1, out_bytes[i], f) != out_bytes[i] || fclose(f) != 0) {
                fprintf(stderr, "cannot write %s\n", path);
                return 1;
            }
        }
    }
    for (int i = 0; i < M(_NUM_INPUTS); i++) free(inputs[i]);
    for (int i = 0; i < M(_NUM_OUTPUTS); i++) free(outputs[i]);
    free(scratch);
    return 0;
}
