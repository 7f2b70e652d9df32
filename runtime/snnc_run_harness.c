/* snnc_run_harness.c: runs a generated model over sequences of inputs.
 *
 * Used by `snnc run --backend c` and the tests; not part of generated code.
 * Compile with -DSNNC_MODEL_HEADER='"NAME.h"' -DSNNC_MODEL=NAME
 * -DSNNC_NUM_INPUTS=NAME_NUM_INPUTS -DSNNC_NUM_OUTPUTS=NAME_NUM_OUTPUTS (upper case).
 *
 * usage: harness IN OUT SEQUENCES STEPS [STATES]
 *   IN      native float64 inputs, SEQUENCES x STEPS x NUM_INPUTS
 *   OUT     native float64 outputs written, SEQUENCES x STEPS x NUM_OUTPUTS
 *   STATES  optional: the state struct's bytes after every step
 * Each sequence starts from NAME_reset. Exit status 0 on success, 2 on bad
 * usage, 3 on I/O errors. */
#include <stdio.h>
#include <stdlib.h>

#include SNNC_MODEL_HEADER

#define SNNC_CAT_(a, b) a##b
#define SNNC_CAT(a, b) SNNC_CAT_(a, b)
#define MODEL_STATE SNNC_CAT(SNNC_MODEL, _state)
#define MODEL_INPUT SNNC_CAT(SNNC_MODEL, _input_t)
#define MODEL_OUTPUT SNNC_CAT(SNNC_MODEL, _output_t)
#define MODEL_RESET SNNC_CAT(SNNC_MODEL, _reset)
#define MODEL_STEP SNNC_CAT(SNNC_MODEL, _step)

static int parse_count(const char *text, unsigned long *value) {
  char *end = NULL;
  *value = strtoul(text, &end, 10);
  return end != text && *end == '\0';
}

int main(int argc, char **argv) {
  unsigned long sequences, steps;
  if ((argc != 5 && argc != 6) || !parse_count(argv[3], &sequences) ||
      !parse_count(argv[4], &steps)) {
    fprintf(stderr, "usage: %s IN OUT SEQUENCES STEPS [STATES]\n", argv[0]);
    return 2;
  }
  FILE *in = fopen(argv[1], "rb");
  FILE *out = fopen(argv[2], "wb");
  FILE *states = argc == 6 ? fopen(argv[5], "wb") : NULL;
  if (!in || !out || (argc == 6 && !states)) {
    fprintf(stderr, "cannot open the input or output files\n");
    return 3;
  }
  static MODEL_STATE state;
  double in_row[SNNC_NUM_INPUTS];
  MODEL_INPUT x[SNNC_NUM_INPUTS];
  MODEL_OUTPUT y[SNNC_NUM_OUTPUTS];
  double out_row[SNNC_NUM_OUTPUTS];
  for (unsigned long s = 0; s < sequences; ++s) {
    MODEL_RESET(&state);
    for (unsigned long t = 0; t < steps; ++t) {
      if (fread(in_row, sizeof in_row, 1, in) != 1) {
        fprintf(stderr, "input file too short\n");
        return 3;
      }
      for (size_t i = 0; i < SNNC_NUM_INPUTS; ++i)
        x[i] = (MODEL_INPUT)in_row[i];
      MODEL_STEP(&state, x, y);
      for (size_t i = 0; i < SNNC_NUM_OUTPUTS; ++i)
        out_row[i] = (double)y[i];
      if (fwrite(out_row, sizeof out_row, 1, out) != 1 ||
          (states && fwrite(&state, sizeof state, 1, states) != 1)) {
        fprintf(stderr, "cannot write the output\n");
        return 3;
      }
    }
  }
  if (fclose(out) != 0 || (states && fclose(states) != 0)) {
    fprintf(stderr, "cannot write the output\n");
    return 3;
  }
  fclose(in);
  return 0;
}
