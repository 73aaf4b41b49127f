/* Disassembly of guest code for reports (capstone). */
#ifndef RRV_DEBUGINFO_DISASM_H
#define RRV_DEBUGINFO_DISASM_H

#include <stddef.h>
#include <stdint.h>

/*
 * Decodes the first x86-64 instruction of code[0..len) as if it sat at addr
 * and writes "mnemonic operands" into out.  Returns the instruction's length,
 * or 0 (with a reason in out) when the bytes do not decode.
 */
size_t disasm_one(const uint8_t *code, size_t len, uint64_t addr, char *out,
		  size_t outlen);

#endif
