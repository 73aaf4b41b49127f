/*
 * rrv run: runs a program in the VM, without recording.  The program's
 * stdin, stdout and stderr are rrv's own, and rrv exits with its status
 * (128+N when signal N killed it).
 */
#include "vmm/vmm.h"
#include "rrv.h"
#include "runopts.h"

int cmd_run(int argc, char **argv)
{
	struct run_opts o;
	int status = run_opts_parse("run", argc, argv, &o);
	if (status || o.help)
		return status;
	struct vmm *vm = vmm_create(&o.cfg);
	if (!vm)
		return RRV_PANIC_STATUS;
	status = vmm_run(vm);
	vmm_destroy(vm);
	return status;
}
