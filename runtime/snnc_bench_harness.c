/* snnc_bench_harness.c: times a generated model, for `snnc bench`.
 *
 * Not part of generated code. Compile with the same defines as
 * snnc_run_harness.c. usage: bench STEPS RATE RUNS SEED
 * Prints one line per run, "step_us <microseconds per step>", then
 * "bandwidth_gbs <GB/s>" for a streaming read of 64 MiB and
 * "cache_bandwidth_gbs <GB/s>" for reads of one 16 KiB buffer (in L1 cache on
 * the CPUs we know), both measured in the same process: the yardsticks for
 * the rate at which a step reads its weights, from memory or from cache.
 * Inputs are Bernoulli(RATE) spikes drawn before timing starts. With
 * -DSNNC_STEP_EVENTS the steps are NAME_step_events on the same spikes, each
 * step's list of active positions also made before timing starts. */
#define _POSIX_C_SOURCE 199309L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include SNNC_MODEL_HEADER

#define SNNC_CAT_(a, b) a##b
#define SNNC_CAT(a, b) SNNC_CAT_(a, b)
#define MODEL_STATE SNNC_CAT(SNNC_MODEL, _state)
#define MODEL_INPUT SNNC_CAT(SNNC_MODEL, _input_t)
#define MODEL_OUTPUT SNNC_CAT(SNNC_MODEL, _output_t)
#define MODEL_RESET SNNC_CAT(SNNC_MODEL, _reset)
#define MODEL_STEP SNNC_CAT(SNNC_MODEL, _step)
#define MODEL_STEP_EVENTS SNNC_CAT(SNNC_MODEL, _step_events)

static double now_seconds(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return (double)t.tv_sec + 1e-9 * (double)t.tv_nsec;
}

/* A sink the optimizer cannot see through. */
volatile double snnc_bench_sink;

/* The best of five timings of `repeats` reads of buffer[0..count) (count a
 * multiple of 4), in GB/s. */
static double read_bandwidth(const uint64_t *buffer, size_t count, int repeats) {
  double best = 0;
  for (int pass = 0; pass < 5; ++pass) {
    double start = now_seconds();
    uint64_t sum0 = 0, sum1 = 0, sum2 = 0, sum3 = 0;
    for (int r = 0; r < repeats; ++r) {
      for (size_t i = 0; i < count; i += 4) {
        sum0 += buffer[i];
        sum1 += buffer[i + 1];
        sum2 += buffer[i + 2];
        sum3 += buffer[i + 3];
      }
    }
    double elapsed = now_seconds() - start;
    snnc_bench_sink = (double)(sum0 + sum1 + sum2 + sum3);
    double gbs = (double)count * sizeof(uint64_t) * (double)repeats / elapsed / 1e9;
    if (gbs > best)
      best = gbs;
  }
  return best;
}

static uint64_t next_random(uint64_t *s) { /* xorshift64* */
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 0x2545F4914F6CDD1DULL;
}

int main(int argc, char **argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s STEPS RATE RUNS SEED\n", argv[0]);
    return 2;
  }
  long steps = atol(argv[1]), runs = atol(argv[3]);
  double rate = atof(argv[2]);
  uint64_t seed = (uint64_t)atoll(argv[4]) | 1u;
  if (steps < 1 || runs < 1 || rate < 0 || rate > 1) {
    fprintf(stderr, "bad arguments\n");
    return 2;
  }
  MODEL_INPUT *inputs = malloc(sizeof(MODEL_INPUT) * SNNC_NUM_INPUTS * (size_t)steps);
  if (!inputs)
    return 3;
  for (size_t i = 0; i < SNNC_NUM_INPUTS * (size_t)steps; ++i)
    inputs[i] = (MODEL_INPUT)((double)(next_random(&seed) >> 11) * 0x1.0p-53 < rate);
#ifdef SNNC_STEP_EVENTS
  uint32_t *active = malloc(sizeof(uint32_t) * SNNC_NUM_INPUTS * (size_t)steps);
  size_t *counts = malloc(sizeof(size_t) * (size_t)steps);
  if (!active || !counts)
    return 3;
  for (long t = 0; t < steps; ++t) {
    counts[t] = 0;
    for (uint32_t i = 0; i < SNNC_NUM_INPUTS; ++i)
      if (inputs[(size_t)t * SNNC_NUM_INPUTS + i] > 0)
        active[(size_t)t * SNNC_NUM_INPUTS + counts[t]++] = i;
  }
#endif
  static MODEL_STATE state;
  MODEL_OUTPUT out[SNNC_NUM_OUTPUTS];
  double checksum = 0;
  for (long r = 0; r < runs; ++r) {
    MODEL_RESET(&state);
    double start = now_seconds();
    for (long t = 0; t < steps; ++t) {
#ifdef SNNC_STEP_EVENTS
      if (MODEL_STEP_EVENTS(&state, active + (size_t)t * SNNC_NUM_INPUTS, counts[t], out) != 0)
        return 4;
#else
      MODEL_STEP(&state, inputs + (size_t)t * SNNC_NUM_INPUTS, out);
#endif
      checksum += (double)out[0];
    }
    double elapsed = now_seconds() - start;
    printf("step_us %.4f\n", 1e6 * elapsed / (double)steps);
  }
  snnc_bench_sink = checksum;
  size_t count = (64u << 20) / sizeof(uint64_t);
  uint64_t *buffer = malloc(count * sizeof(uint64_t));
  if (!buffer)
    return 3;
  for (size_t i = 0; i < count; ++i)
    buffer[i] = i;
  /* From memory: passes over all 64 MiB. */
  printf("bandwidth_gbs %.3f\n", read_bandwidth(buffer, count, 1));
  /* From cache: the same 64 MiB read as 4096 passes over the first 16 KiB. */
  printf("cache_bandwidth_gbs %.3f\n", read_bandwidth(buffer, (16u << 10) / sizeof(uint64_t),
                                                      4096));
  free(buffer);
  free(inputs);
#ifdef SNNC_STEP_EVENTS
  free(active);
  free(counts);
#endif
  return 0;
}
