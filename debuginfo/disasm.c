/* Capstone behind the one function reports need (see disasm.h). */
#include "disasm.h"

#include <capstone/capstone.h>
#include <stdio.h>

size_t disasm_one(const uint8_t *code, size_t len, uint64_t addr, char *out,
		  size_t outlen)
{
	csh h;
	if (cs_open(CS_ARCH_X86, CS_MODE_64, &h) != CS_ERR_OK) {
		snprintf(out, outlen, "(capstone unavailable)");
		return 0;
	}
	cs_insn *insn = NULL;
	size_t n = cs_disasm(h, code, len, addr, 1, &insn);
	size_t used = 0;
	if (n == 1) {
		snprintf(out, outlen, "%s%s%s", insn->mnemonic,
			 insn->op_str[0] ? " " : "", insn->op_str);
		used = insn->size;
	} else {
		int k = snprintf(out, outlen, "(undecodable bytes:");
		for (size_t i = 0; i < len && i < 8 && k > 0 && (size_t)k < outlen; i++)
			k += snprintf(out + k, outlen - (size_t)k, " %02x", code[i]);
		if (k > 0 && (size_t)k < outlen)
			snprintf(out + k, outlen - (size_t)k, ")");
	}
	cs_free(insn, n);
	cs_close(&h);
	return used;
}
