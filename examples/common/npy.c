/* npy.c: a small reader for C-order uint8 .npy files. */
#include "npy.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int fail(const char *path, const char *why) {
  fprintf(stderr, "%s: %s\n", path, why);
  return -1;
}

int npy_read_u8(const char *path, npy_u8 *array) {
  memset(array, 0, sizeof *array);
  FILE *f = fopen(path, "rb");
  if (!f)
    return fail(path, "cannot open");
  unsigned char preamble[12];
  if (fread(preamble, 1, 10, f) != 10 || memcmp(preamble, "\x93NUMPY", 6) != 0) {
    fclose(f);
    return fail(path, "not a .npy file");
  }
  size_t header_len = (size_t)preamble[8] | ((size_t)preamble[9] << 8);
  if (preamble[6] >= 2) { /* version 2 has a 4-byte length */
    if (fread(preamble + 10, 1, 2, f) != 2) {
      fclose(f);
      return fail(path, "truncated header");
    }
    header_len |= ((size_t)preamble[10] << 16) | ((size_t)preamble[11] << 24);
  }
  char *header = calloc(header_len + 1, 1);
  if (!header || fread(header, 1, header_len, f) != header_len) {
    free(header);
    fclose(f);
    return fail(path, "truncated header");
  }
  int ok = strstr(header, "'descr': '|u1'") && strstr(header, "'fortran_order': False");
  const char *shape = strstr(header, "'shape': (");
  if (!ok || !shape) {
    free(header);
    fclose(f);
    return fail(path, "expected a C-order uint8 array");
  }
  shape += strlen("'shape': (");
  array->count = 1;
  while (*shape && *shape != ')' && array->ndim < 4) {
    char *end;
    unsigned long dim = strtoul(shape, &end, 10);
    if (end == shape)
      break;
    array->shape[array->ndim++] = dim;
    array->count *= dim;
    shape = end;
    while (*shape == ',' || *shape == ' ')
      ++shape;
  }
  free(header);
  array->data = malloc(array->count ? array->count : 1);
  if (!array->data || fread(array->data, 1, array->count, f) != array->count) {
    fclose(f);
    npy_free(array);
    return fail(path, "truncated data");
  }
  fclose(f);
  return 0;
}

void npy_free(npy_u8 *array) {
  free(array->data);
  array->data = NULL;
}
