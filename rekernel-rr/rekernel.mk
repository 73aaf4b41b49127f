# rekernel-rr, the guest kernel: a freestanding ELF the VMM loads.
# Included by the top-level Makefile, which sets BUILD.  Provides
# REKERNEL_ELF and the rules that build it; every variable here is
# prefixed REKERNEL_ so as not to collide with the includer's.

REKERNEL_SRCDIR := rekernel-rr
REKERNEL_OUT := $(BUILD)/rekernel-rr
REKERNEL_ELF := $(REKERNEL_OUT)/rekernel.elf

REKERNEL_CC ?= gcc

# -nostdinc with gcc's own include directory: the freestanding headers
# (stdint.h, stddef.h, stdarg.h, stdbool.h) and nothing of the host's libc.
# -fno-delete-null-pointer-checks: page 0 is merely unmapped; gcc must not
# assume a load from it cannot happen.
REKERNEL_CFLAGS := -std=gnu11 -ffreestanding -nostdlib -nostdinc \
	-isystem $(shell $(REKERNEL_CC) -print-file-name=include) \
	-fno-pic -fno-pie -mcmodel=kernel -mno-red-zone -mgeneral-regs-only \
	-fno-stack-protector -fno-asynchronous-unwind-tables \
	-fno-delete-null-pointer-checks \
	-O2 -g -Wall -Wextra -Werror -Iinclude -I$(BUILD)/include -I$(REKERNEL_SRCDIR)

REKERNEL_LDFLAGS := -nostdlib -static -no-pie -Wl,--build-id=none \
	-Wl,-z,max-page-size=4096 -Wl,-z,noexecstack -Wl,--fatal-warnings \
	-Wl,-Map=$(REKERNEL_OUT)/rekernel.map \
	-T $(REKERNEL_SRCDIR)/arch/x86/kernel.ld

# Every .c and .S file in the subsystem folders is part of the kernel
# (docs/layout.md names the folders; layers.conf says who may include whom).
REKERNEL_CSRCS := $(patsubst $(REKERNEL_SRCDIR)/%,%,$(shell find $(REKERNEL_SRCDIR) -name '*.c' | sort))
REKERNEL_SSRCS := $(patsubst $(REKERNEL_SRCDIR)/%,%,$(shell find $(REKERNEL_SRCDIR) -name '*.S' | sort))
REKERNEL_COBJS := $(REKERNEL_CSRCS:%.c=$(REKERNEL_OUT)/%.o)
REKERNEL_SOBJS := $(REKERNEL_SSRCS:%.S=$(REKERNEL_OUT)/%.o)
REKERNEL_OBJS := $(REKERNEL_SOBJS) $(REKERNEL_COBJS)

# Rules below must not become the includer's default goal.
REKERNEL_SAVED_GOAL := $(.DEFAULT_GOAL)

# Static pattern rules, so that a generic $(BUILD)/%.o rule of the includer
# never applies here.  Flags live in this file, so it is a prerequisite.
$(REKERNEL_COBJS): $(REKERNEL_OUT)/%.o: $(REKERNEL_SRCDIR)/%.c $(REKERNEL_SRCDIR)/rekernel.mk | $(SYSCALL_LIST)
	@mkdir -p $(@D)
	$(REKERNEL_CC) $(REKERNEL_CFLAGS) -MMD -MP -c -o $@ $<

$(REKERNEL_SOBJS): $(REKERNEL_OUT)/%.o: $(REKERNEL_SRCDIR)/%.S $(REKERNEL_SRCDIR)/rekernel.mk | $(SYSCALL_LIST)
	@mkdir -p $(@D)
	$(REKERNEL_CC) $(REKERNEL_CFLAGS) -MMD -MP -c -o $@ $<

$(REKERNEL_ELF): $(REKERNEL_OBJS) $(REKERNEL_SRCDIR)/arch/x86/kernel.ld
	@mkdir -p $(@D)
	$(REKERNEL_CC) $(REKERNEL_LDFLAGS) -o $@ $(REKERNEL_OBJS)

-include $(REKERNEL_OBJS:.o=.d)

.DEFAULT_GOAL := $(REKERNEL_SAVED_GOAL)
