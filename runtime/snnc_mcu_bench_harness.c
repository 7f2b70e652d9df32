/* snnc_mcu_bench_harness.c: counts the instructions of a generated model's
 * step on a Cortex-M board under qemu, for `snnc bench --target cortex-m...`.
 *
 * Not part of generated code. Compile with the defines of
 * snnc_run_harness.c, plus SNNC_STACK_PAINT_BYTES (how much stack below
 * main's frame to watch, more than the step's stack from -fstack-usage).
 * Run under qemu-system-arm with -icount shift=0 (one instruction per virtual
 * nanosecond) and semihosting; its command line is STEPS SPIKE_BELOW SEED.
 *
 * Inputs are the host bench's (snnc_bench_harness.c): the same xorshift64*
 * stream from SEED | 1, input i of step t being draw t * NUM_INPUTS + i, a
 * spike when its top 53 bits are below SPIKE_BELOW (= ceil(rate * 2^53): the
 * host harness's `draw * 2^-53 < rate` in integers, with no floating point
 * and no strtod on the board).
 *
 * SysTick counts processor clocks (25 MHz on the MPS2 boards, so one tick
 * per 40 instructions under -icount shift=0). Before each step the counter
 * is cleared to 0, so that its next tick reloads it with 2^24 - 1: after E
 * ticks it reads (-E) mod 2^24, and the SysTick exception, taken each time
 * it reaches 0 (every 2^24 ticks, 671 million instructions), counts the
 * wraps, so E = wraps * 2^24 + ((-reading) mod 2^24) for a step of any
 * length; a step that wraps also counts the few instructions of the
 * exception. Prints, one item per line:
 *   window_ticks E         a window with nothing in it (the measuring's own cost)
 *   calibration_ticks E    a loop of CALIBRATION_INSTRUCTIONS instructions
 *   step E OUTPUT_HEX      each step: its ticks and its outputs' bytes in memory order
 *   stack_bytes N          the most stack any step used below main's frame
 *                          (stack painting), or "stack_bytes >N" if it used all
 *                          SNNC_STACK_PAINT_BYTES
 *   state SIZE STATE_HEX   the state struct's bytes after the last step
 * Exit status 0, or 2 on a bad command line. */
#include <stdint.h>
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

/* SysTick (ARMv7-M architecture reference manual, B3.3). */
#define SYST_CSR (*(volatile uint32_t *)0xE000E010u)
#define SYST_RVR (*(volatile uint32_t *)0xE000E014u)
#define SYST_CVR (*(volatile uint32_t *)0xE000E018u)
#define SYST_CSR_ENABLE 1u
#define SYST_CSR_TICKINT 2u
#define SYST_CSR_PROCESSOR_CLOCK 4u
#define SYST_PERIOD (1ul << 24)

/* The subs/bne loop below runs 2 instructions per iteration. */
#define CALIBRATION_ITERATIONS 100000u
#define CALIBRATION_INSTRUCTIONS (2u * CALIBRATION_ITERATIONS)

#define STACK_PAINT 0x5A5AA5A5u

static volatile uint32_t systick_wraps;

/* picolibc's vector table calls this (weak there) on each SysTick exception. */
void arm_systick_isr(void) { systick_wraps = systick_wraps + 1u; }

static void restart_count(void) {
  systick_wraps = 0;
  SYST_CVR = 0; /* any write clears the counter */
}

static unsigned long ticks_since_restart(void) {
  uint32_t reading = SYST_CVR;
  return (unsigned long)systick_wraps * SYST_PERIOD + ((SYST_PERIOD - reading) % SYST_PERIOD);
}

static uint64_t next_random(uint64_t *s) { /* xorshift64*, as snnc_bench_harness.c */
  *s ^= *s >> 12;
  *s ^= *s << 25;
  *s ^= *s >> 27;
  return *s * 0x2545F4914F6CDD1DULL;
}

static void print_hex(const void *data, size_t size) {
  const unsigned char *bytes = data;
  for (size_t i = 0; i < size; ++i)
    printf("%02x", bytes[i]);
}

static int parse_u64(const char *text, uint64_t *value) {
  char *end = NULL;
  *value = strtoull(text, &end, 10);
  return end != text && *end == '\0';
}

int main(int argc, char **argv) {
  uint64_t steps, spike_below, seed;
  if (argc != 4 || !parse_u64(argv[1], &steps) || !parse_u64(argv[2], &spike_below) ||
      !parse_u64(argv[3], &seed) || steps < 1) {
    printf("usage: STEPS SPIKE_BELOW SEED\n");
    return 2;
  }
  seed |= 1u;
  static MODEL_STATE state;
  static MODEL_INPUT in[SNNC_NUM_INPUTS];
  static MODEL_OUTPUT out[SNNC_NUM_OUTPUTS];

  SYST_RVR = SYST_PERIOD - 1u;
  SYST_CVR = 0;
  SYST_CSR = SYST_CSR_ENABLE | SYST_CSR_TICKINT | SYST_CSR_PROCESSOR_CLOCK;

  restart_count();
  printf("window_ticks %lu\n", ticks_since_restart());
  uint32_t iterations = CALIBRATION_ITERATIONS;
  restart_count();
  __asm__ volatile("1: subs %0, %0, #1\n\tbne 1b" : "+r"(iterations) : : "cc");
  printf("calibration_ticks %lu\n", ticks_since_restart());

  /* The stack below main's frame, painted before each step and searched
     after it for the deepest word the step changed. Painted inline, by
     volatile stores: a call (memset) would paint over its own frame. */
  uintptr_t sp;
  __asm__ volatile("mov %0, sp" : "=r"(sp));
  volatile uint32_t *const stack_top = (volatile uint32_t *)(sp & ~(uintptr_t)7);
  volatile uint32_t *const stack_low = stack_top - SNNC_STACK_PAINT_BYTES / 4;
  size_t deepest = 0;

  MODEL_RESET(&state);
  for (uint64_t t = 0; t < steps; ++t) {
    for (size_t i = 0; i < SNNC_NUM_INPUTS; ++i)
      in[i] = (MODEL_INPUT)((next_random(&seed) >> 11) < spike_below);
    for (volatile uint32_t *p = stack_low; p < stack_top; ++p)
      *p = STACK_PAINT;
    restart_count();
    MODEL_STEP(&state, in, out);
    unsigned long ticks = ticks_since_restart();
    volatile uint32_t *p = stack_low;
    while (p < stack_top && *p == STACK_PAINT)
      ++p;
    size_t used = (size_t)(stack_top - p) * 4u;
    if (used > deepest)
      deepest = used;
    printf("step %lu ", ticks);
    print_hex(out, sizeof out);
    printf("\n");
  }
  printf(deepest >= SNNC_STACK_PAINT_BYTES ? "stack_bytes >%lu\n" : "stack_bytes %lu\n",
         (unsigned long)deepest);
  printf("state %lu ", (unsigned long)sizeof state);
  print_hex(&state, sizeof state);
  printf("\n");
  return 0;
}
