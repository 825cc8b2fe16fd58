/*
 * sgemm_openblas.c -- OpenBLAS's own single-precision GEMM throughput.
 *
 * Usage: sgemm_openblas [--min-seconds S] [--reps R] M,K,N[,TA,TB] ...
 *   TA/TB are N (no transpose, default) or T (transpose).
 *   Computes row-major C(MxN) = op(A) * op(B), with op(A) MxK and op(B) KxN:
 *     A is stored MxK (TA=N) or KxM (TA=T); B is stored KxN (TB=N) or NxK (TB=T).
 * For each shape, one repetition runs a fixed number of calls, calibrated so a
 * repetition lasts at least S seconds (default 0.5); the best of R (default 5)
 * repetitions is reported as one JSON line on stdout.
 *
 * No headers from OpenBLAS are needed: the few CBLAS entry points used are
 * declared below. Thread count comes from OPENBLAS_NUM_THREADS (the wrapper
 * script sets 1).
 */
#define _POSIX_C_SOURCE 200809L
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* CBLAS enum values as fixed by the CBLAS standard. */
enum { ROW_MAJOR = 101, NO_TRANS = 111, TRANS = 112 };

extern void cblas_sgemm(int order, int transa, int transb, int m, int n, int k,
                        float alpha, const float *a, int lda, const float *b, int ldb,
                        float beta, float *c, int ldc);
extern char *openblas_get_config(void);
extern char *openblas_get_corename(void);
extern int openblas_get_num_threads(void);

static double now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static float *random_matrix(size_t count, unsigned *state) {
    size_t bytes = (count * sizeof(float) + 63) / 64 * 64;
    float *p = aligned_alloc(64, bytes);
    if (!p) {
        fprintf(stderr, "sgemm_openblas: out of memory (%zu bytes)\n", bytes);
        exit(1);
    }
    for (size_t i = 0; i < count; i++) {
        *state = *state * 1664525u + 1013904223u;          /* LCG, values in [-1, 1) */
        p[i] = (float)((*state >> 8) * (1.0 / 8388608.0) - 1.0);
    }
    return p;
}

static int parse_trans(const char *s, const char *arg) {
    if (strcmp(s, "N") == 0 || strcmp(s, "n") == 0) return 0;
    if (strcmp(s, "T") == 0 || strcmp(s, "t") == 0) return 1;
    fprintf(stderr, "sgemm_openblas: bad transpose flag '%s' in '%s' (use N or T)\n", s, arg);
    exit(2);
}

static void bench(const char *arg, double min_seconds, int reps, unsigned *seed,
                  const char *config) {
    int m, k, n, consumed = 0;
    char ta[2] = "N", tb[2] = "N";
    if (sscanf(arg, "%d,%d,%d%n", &m, &k, &n, &consumed) != 3 || m <= 0 || k <= 0 || n <= 0) {
        fprintf(stderr, "sgemm_openblas: bad shape '%s' (want M,K,N[,TA,TB])\n", arg);
        exit(2);
    }
    if (arg[consumed] != '\0' &&
        sscanf(arg + consumed, ",%1[NnTt],%1[NnTt]", ta, tb) != 2) {
        fprintf(stderr, "sgemm_openblas: bad shape '%s' (want M,K,N[,TA,TB])\n", arg);
        exit(2);
    }
    int transa = parse_trans(ta, arg), transb = parse_trans(tb, arg);
    int lda = transa ? m : k;
    int ldb = transb ? k : n;
    float *a = random_matrix((size_t)m * k, seed);
    float *b = random_matrix((size_t)k * n, seed);
    float *c = random_matrix((size_t)m * n, seed);
    int ota = transa ? TRANS : NO_TRANS, otb = transb ? TRANS : NO_TRANS;

#define CALL() cblas_sgemm(ROW_MAJOR, ota, otb, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc)
    int ldc = n;
    CALL();                                              /* warm caches, thread pool */

    /* Calibrate: grow the call count until one batch lasts >= min_seconds
     * (extrapolating from the last batch, at most x10 per round). */
    long calls = 1;
    for (;;) {
        double t0 = now();
        for (long i = 0; i < calls; i++) CALL();
        double dt = now() - t0;
        if (dt >= min_seconds) break;
        double factor = dt > 0 ? min_seconds * 1.05 / dt : 10.0;
        if (factor > 10.0) factor = 10.0;
        long next = (long)(calls * factor) + 1;
        calls = next > calls ? next : calls + 1;
    }

    double flops = 2.0 * m * k * n * (double)calls;
    double best = 0.0;
    for (int r = 0; r < reps; r++) {
        double t0 = now();
        for (long i = 0; i < calls; i++) CALL();
        double g = flops / (now() - t0) / 1e9;
        if (g > best) best = g;
    }
#undef CALL
    volatile float sink = c[(size_t)m * n - 1];            /* keep the result alive */
    (void)sink;
    printf("{\"impl\":\"openblas-c\",\"m\":%d,\"k\":%d,\"n\":%d,\"transa\":\"%s\",\"transb\":\"%s\","
           "\"gflops\":%.2f,\"calls_per_rep\":%ld,\"threads\":%d,\"openblas\":\"%s\"}\n",
           m, k, n, transa ? "T" : "N", transb ? "T" : "N", best, calls,
           openblas_get_num_threads(), config);
    fflush(stdout);
    free(a);
    free(b);
    free(c);
}

int main(int argc, char **argv) {
    double min_seconds = 0.5;
    int reps = 5;
    int first = 1;
    while (first < argc && strncmp(argv[first], "--", 2) == 0) {
        if (strcmp(argv[first], "--min-seconds") == 0 && first + 1 < argc) {
            min_seconds = atof(argv[first + 1]);
            first += 2;
        } else if (strcmp(argv[first], "--reps") == 0 && first + 1 < argc) {
            reps = atoi(argv[first + 1]);
            first += 2;
        } else {
            fprintf(stderr, "sgemm_openblas: unknown option %s\n", argv[first]);
            return 2;
        }
    }
    if (first >= argc || reps < 1 || min_seconds <= 0) {
        fprintf(stderr, "usage: %s [--min-seconds S] [--reps R] M,K,N[,TA,TB] ...\n", argv[0]);
        return 2;
    }
    fprintf(stderr, "sgemm_openblas: OpenBLAS config: %s; core: %s; threads: %d\n",
            openblas_get_config(), openblas_get_corename(), openblas_get_num_threads());
    /* Short, JSON-safe library description: config string up to the first quote/backslash. */
    char config[160];
    snprintf(config, sizeof config, "%s", openblas_get_config());
    config[strcspn(config, "\"\\\n")] = '\0';
    unsigned seed = 12345u;
    for (int i = first; i < argc; i++) bench(argv[i], min_seconds, reps, &seed, config);
    return 0;
}
