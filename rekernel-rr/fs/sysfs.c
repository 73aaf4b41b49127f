/*
 * /sys: the little of it programs read to size themselves, the CPU lists
 * of /sys/devices/system/cpu, as rows of the node table
 * (fs/pseudo_tree.h).  The guest has one CPU, number 0, whatever the
 * host has; every other path under /sys is not there (ENOENT).
 */
#include "fs/pseudo_tree.h"

static const struct pn_child root_children[] = {
	{ "devices", PN_SYSFS_DEVICES, 0 },
};

static const struct pn_child devices_children[] = {
	{ "system", PN_SYSFS_SYSTEM, 0 },
};

static const struct pn_child system_children[] = {
	{ "cpu", PN_SYSFS_CPU, 0 },
};

static const struct pn_child cpu_children[] = {
	{ "online", PN_CPU_ONLINE, 0 },
	{ "possible", PN_CPU_POSSIBLE, 0 },
	{ "present", PN_CPU_PRESENT, 0 },
};

/* The CPU lists: "0". */
static int text_cpu0(const struct pnode *n, struct tb *b)
{
	(void)n;
	tb_printf(b, "0\n");
	return 0;
}

#define DIR_OF(kids) .type = PT_DIR, .mode = 0755, .children = kids, \
		     .nchildren = sizeof(kids) / sizeof(kids[0])

const struct pn_info sysfs_info[PN_NIDS] = {
	[PN_SYSFS] = { DIR_OF(root_children) },
	[PN_SYSFS_DEVICES] = { DIR_OF(devices_children) },
	[PN_SYSFS_SYSTEM] = { DIR_OF(system_children) },
	[PN_SYSFS_CPU] = { DIR_OF(cpu_children) },
	[PN_CPU_ONLINE] = { .type = PT_REG, .mode = 0444, .text = text_cpu0 },
	[PN_CPU_POSSIBLE] = { .type = PT_REG, .mode = 0444, .text = text_cpu0 },
	[PN_CPU_PRESENT] = { .type = PT_REG, .mode = 0444, .text = text_cpu0 },
};
