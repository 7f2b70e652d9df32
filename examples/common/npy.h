/* npy.h: reading the uint8 .npy files of the example (NumPy format 1.0/2.0). */
#ifndef NPY_H
#define NPY_H

#include <stddef.h>

typedef struct npy_u8 {
  unsigned char *data; /* C order */
  size_t shape[4];
  int ndim;
  size_t count;
} npy_u8;

/* Returns 0 on success; on failure prints why to stderr and returns -1. */
int npy_read_u8(const char *path, npy_u8 *array);
void npy_free(npy_u8 *array);

#endif
