/*
 * rrv boot: runs the guest kernel with no program, for the kernel's own
 * self-tests (ktest= words on its command line, see docs/boot.md).
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "vmm/vmm.h"
#include "rrv.h"

static void boot_help(void)
{
	printf("Options:\n"
	       "  --kernel-cmdline=WORDS  command line for the guest kernel,\n"
	       "                          e.g. 'ktest=hello exit=3'\n"
	       "  --memory=SIZE           guest memory, e.g. 256M (default 1G)\n"
	       "  --stats                 print VM exits and hypercalls on exit\n");
}

int cmd_boot(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "kernel-cmdline", required_argument, NULL, 'c' },
		{ "memory", required_argument, NULL, 'm' },
		{ "stats", no_argument, NULL, 's' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	extern char **environ;
	struct vmm_config cfg = {
		.mem_bytes = VMM_MEM_DEFAULT,
		.kernel_image = rrv_kernel_image,
		.kernel_size = (size_t)(rrv_kernel_image_end - rrv_kernel_image),
		.cmdline = "",
		.envp = (char *const[]){ NULL },
	};
	(void)environ;

	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			cfg.cmdline = optarg;
			break;
		case 'm':
			if (rrv_parse_memory(optarg, &cfg.mem_bytes))
				return rrv_usage_error("boot", "boot: --memory=%s: "
						       "not a size from %lluM to "
						       "%lluM in steps of 2M",
						       optarg, VMM_MEM_MIN >> 20,
						       VMM_MEM_MAX >> 20);
			break;
		case 's':
			cfg.stats = true;
			break;
		case 'h':
			boot_help();
			return 0;
		default:
			return rrv_usage_error("boot", "boot: unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	/* Arguments after the options become the kernel's argv strings, so
	 * that the BOOT hypercall's string passing can be tested. */
	cfg.argc = argc - optind;
	cfg.argv = argv + optind;

	struct vmm *vm = vmm_create(&cfg);
	if (!vm)
		return RRV_PANIC_STATUS;
	int status = vmm_run(vm);
	vmm_destroy(vm);
	return status;
}
