/*===- snn-c/Dialects.h - C API of the snn dialect ------------------------===*/
/* What the nanobind module (and any other C API user) needs: a dialect handle
 * and the registration of the snn passes into MLIR's global pass registry. */
#ifndef SNN_C_DIALECTS_H
#define SNN_C_DIALECTS_H

#include "mlir-c/IR.h"

#ifdef __cplusplus
extern "C" {
#endif

MLIR_DECLARE_CAPI_DIALECT_REGISTRATION(SNN, snn);

/* Registers every snn pass and conversion, and the pipelines snn-to-linalg
 * and snn-to-emitc (idempotent). */
MLIR_CAPI_EXPORTED void snnRegisterPasses(void);

#ifdef __cplusplus
}
#endif

#endif /* SNN_C_DIALECTS_H */
