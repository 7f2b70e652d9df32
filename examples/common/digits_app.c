/* digits_app.c: classifies the digits test set with the compiled network.
 *
 * usage: digits_app INPUTS.npy LABELS.npy [EXPECTED_SPIKES.npy]
 *                   [--min-accuracy A] [--require-identical]
 * It also prints a fingerprint: a 64-bit FNV-1a hash of the bit patterns of
 * every output and every state value after every step, in an order that does
 * not depend on the target's byte order, so that runs on different machines
 * can be compared for bit-identical results.
 * INPUTS [N, T, 64] spikes, LABELS [N], EXPECTED_SPIKES [N, T, 10] output
 * spikes of another implementation (the framework that trained the model)
 * to compare with. Exit status 1 if accuracy < A or, with
 * --require-identical, if any output spike differs. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "digits.h"
#include "npy.h"

static int is_little_endian(void) {
  const uint16_t one = 1;
  unsigned char first;
  memcpy(&first, &one, 1);
  return first == 1;
}

typedef struct fingerprint {
  uint64_t hash;
} fingerprint;

/* Hashes the bit patterns of `count` values of `size` bytes each, least
 * significant byte first. */
static void fingerprint_values(fingerprint *fp, const void *values, size_t count, size_t size) {
  const unsigned char *bytes = values;
  for (size_t i = 0; i < count; ++i, bytes += size) {
    uint64_t bits = 0;
    for (size_t b = 0; b < size; ++b) /* native order -> integer */
      bits |= (uint64_t)bytes[b] << (8u * (is_little_endian() ? b : size - 1 - b));
    for (size_t b = 0; b < size; ++b) {
      fp->hash ^= (bits >> (8u * b)) & 0xffu;
      fp->hash *= 0x100000001b3ull;
    }
  }
}

/* One array of the state struct (whose element types depend on the precision). */
#define FINGERPRINT_ARRAY(fp, array) \
  fingerprint_values((fp), (array), sizeof(array) / sizeof((array)[0]), sizeof((array)[0]))

int main(int argc, char **argv) {
  const char *paths[3] = {NULL, NULL, NULL};
  int n_paths = 0, require_identical = 0;
  double min_accuracy = 0.0;
  for (int i = 1; i < argc; ++i) {
    if (strcmp(argv[i], "--min-accuracy") == 0 && i + 1 < argc)
      min_accuracy = atof(argv[++i]);
    else if (strcmp(argv[i], "--require-identical") == 0)
      require_identical = 1;
    else if (n_paths < 3)
      paths[n_paths++] = argv[i];
  }
  if (n_paths < 2) {
    fprintf(stderr, "usage: %s INPUTS.npy LABELS.npy [EXPECTED_SPIKES.npy] "
                    "[--min-accuracy A] [--require-identical]\n", argv[0]);
    return 2;
  }
  npy_u8 inputs, labels, expected = {0};
  if (npy_read_u8(paths[0], &inputs) || npy_read_u8(paths[1], &labels) ||
      (paths[2] && npy_read_u8(paths[2], &expected)))
    return 2;
  if (inputs.ndim != 3 || inputs.shape[2] != DIGITS_NUM_INPUTS ||
      labels.count != inputs.shape[0] ||
      (paths[2] && expected.count != inputs.shape[0] * inputs.shape[1] * DIGITS_NUM_OUTPUTS)) {
    fprintf(stderr, "array shapes do not match the model\n");
    return 2;
  }
  size_t n = inputs.shape[0], steps = inputs.shape[1];
  size_t correct = 0, differing = 0;
  digits_state state;
  digits_input_t x[DIGITS_NUM_INPUTS];
  digits_output_t y[DIGITS_NUM_OUTPUTS];
  fingerprint fp = {0xcbf29ce484222325ull};
  for (size_t s = 0; s < n; ++s) {
    unsigned counts[DIGITS_NUM_OUTPUTS] = {0};
    digits_reset(&state);
    for (size_t t = 0; t < steps; ++t) {
      const unsigned char *row = inputs.data + (s * steps + t) * DIGITS_NUM_INPUTS;
      for (size_t i = 0; i < DIGITS_NUM_INPUTS; ++i)
        x[i] = (digits_input_t)row[i];
      digits_step(&state, x, y);
      FINGERPRINT_ARRAY(&fp, y);
      FINGERPRINT_ARRAY(&fp, state.lif1_v);
      FINGERPRINT_ARRAY(&fp, state.lif1_spike);
      FINGERPRINT_ARRAY(&fp, state.lif2_v);
      FINGERPRINT_ARRAY(&fp, state.lif2_spike);
      for (size_t k = 0; k < DIGITS_NUM_OUTPUTS; ++k) {
        counts[k] += y[k] != 0;
        if (paths[2] &&
            (y[k] != 0) != (expected.data[(s * steps + t) * DIGITS_NUM_OUTPUTS + k] != 0))
          ++differing;
      }
    }
    size_t best = 0;
    for (size_t k = 1; k < DIGITS_NUM_OUTPUTS; ++k)
      if (counts[k] > counts[best])
        best = k;
    correct += best == labels.data[s];
  }
  double accuracy = (double)correct / (double)n;
  printf("compiled C (snnc %s): accuracy %.4f (%zu/%zu test samples)\n", DIGITS_SNNC_VERSION,
         accuracy, correct, n);
  printf("fingerprint of all outputs and states: %016llx\n", (unsigned long long)fp.hash);
  if (paths[2])
    printf("output spikes differing from %s: %zu of %zu\n", paths[2], differing,
           n * steps * DIGITS_NUM_OUTPUTS);
  npy_free(&inputs);
  npy_free(&labels);
  npy_free(&expected);
  if (accuracy < min_accuracy) {
    fprintf(stderr, "accuracy %.4f is below the required %.4f\n", accuracy, min_accuracy);
    return 1;
  }
  if (require_identical && differing) {
    fprintf(stderr, "%zu output spikes differ\n", differing);
    return 1;
  }
  return 0;
}
