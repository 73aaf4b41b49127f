/*
 * rrv run: runs a program in the VM, without recording.  The program's
 * stdin, stdout and stderr are rrv's own, and rrv exits with its status
 * (128+N when signal N killed it).
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "../vmm/vmm.h"
#include "program.h"
#include "rrv.h"

static void run_help(void)
{
	printf("Options:\n"
	       "  --memory=SIZE     guest memory, e.g. 256M or 2G (default 1G)\n"
	       "  --stats           print system calls served in the guest and VM\n"
	       "                    exits by kind on exit\n"
	       "  --log=syscalls    list every system call with its arguments and\n"
	       "                    result on stderr, as strace would\n"
	       "\n"
	       "The program must be a static x86-64 Linux ELF (glibc or musl,\n"
	       "static or static-PIE).  Exit status: the program's; 128+N when\n"
	       "signal N killed it; 127 when it was not found; 126 when it\n"
	       "cannot run; 70 when rrv itself failed.\n");
}

int cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "memory", required_argument, NULL, 'm' },
		{ "stats", no_argument, NULL, 's' },
		{ "log", required_argument, NULL, 'l' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	extern char **environ;
	struct vmm_config cfg = {
		.mem_bytes = VMM_MEM_DEFAULT,
		.kernel_image = rrv_kernel_image,
		.kernel_size = (size_t)(rrv_kernel_image_end - rrv_kernel_image),
		.envp = environ,
	};
	char cmdline[64] = "";

	opterr = 0;
	optind = 1;
	int c;
	/* "+": options end at the program name, whose own options follow. */
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (rrv_parse_memory(optarg, &cfg.mem_bytes))
				return rrv_usage_error("run", "run: --memory=%s: not "
						       "a size from %lluM to %lluM "
						       "in steps of 2M", optarg,
						       VMM_MEM_MIN >> 20,
						       VMM_MEM_MAX >> 20);
			break;
		case 's':
			cfg.stats = true;
			strcat(cmdline, strlen(cmdline) ? " stats" : "stats");
			break;
		case 'l':
			if (strcmp(optarg, "syscalls"))
				return rrv_usage_error("run", "run: --log=%s: only "
						       "--log=syscalls exists", optarg);
			if (!strstr(cmdline, "log=syscalls"))
				strcat(cmdline, strlen(cmdline) ? " log=syscalls"
								: "log=syscalls");
			break;
		case 'h':
			run_help();
			return 0;
		default:
			return rrv_usage_error("run", "run: unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	if (optind >= argc)
		return rrv_usage_error("run", "run: no program given");

	char path[PATH_MAX];
	int status = program_find(argv[optind], path, sizeof(path));
	if (status)
		return status;

	cfg.cmdline = cmdline;
	cfg.exec_path = path;
	cfg.argc = argc - optind;
	cfg.argv = argv + optind;
	struct vmm *vm = vmm_create(&cfg);
	if (!vm)
		return RRV_PANIC_STATUS;
	status = vmm_run(vm);
	vmm_destroy(vm);
	return status;
}
