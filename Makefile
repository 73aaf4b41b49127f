# rrv: one binary (build/rrv, with the guest kernel inside) and its tests.
#
#   make          build everything (needs the packages from `make deps`)
#   make deps     install the Debian packages the build and tests need
#   make run      set up, build, and run the bundled example
#   make test     set up, build, and run every test (KVM tests through
#                 tools/with-kvm when this machine has no /dev/kvm)

BUILD := build
CC := gcc

# Evaluated lazily, so that `make test` can install pkg-config first.
HOST_PKGS = libelf libdw libzstd capstone libunwind-generic
HOST_CFLAGS = -std=c11 -D_GNU_SOURCE -O2 -g -Wall -Wextra -Werror \
	-MMD -MP -I. -Iinclude -I$(BUILD)/include $(shell pkg-config --cflags $(HOST_PKGS))
HOST_LIBS = $(shell pkg-config --libs $(HOST_PKGS))
CMOCKA_CFLAGS = $(shell pkg-config --cflags cmocka)
CMOCKA_LIBS = $(shell pkg-config --libs cmocka)

# One static library per layer, lowest last (docs/layout.md, layers.conf):
# the debugger above replay, record and replay above the VMM, the VMM above debuginfo; the trace
# library and include/rrv below them all.
DEBUGGER_SRCS := $(wildcard debugger/*.c)
GDBSTUB_SRCS := $(wildcard gdbstub/*.c)
RR_SRCS := $(wildcard record/*.c replay/*.c)
VMM_SRCS := $(wildcard vmm/*.c vmm/x86/*.c)
DEBUGINFO_SRCS := $(wildcard debuginfo/*.c)
TRACE_SRCS := $(wildcard trace-format/*.c)
TOOLS_SRCS := $(wildcard tools/*.c)
DEBUGGER_OBJS := $(DEBUGGER_SRCS:%.c=$(BUILD)/%.o)
GDBSTUB_OBJS := $(GDBSTUB_SRCS:%.c=$(BUILD)/%.o)
RR_OBJS := $(RR_SRCS:%.c=$(BUILD)/%.o)
VMM_OBJS := $(VMM_SRCS:%.c=$(BUILD)/%.o)
DEBUGINFO_OBJS := $(DEBUGINFO_SRCS:%.c=$(BUILD)/%.o)
TRACE_OBJS := $(TRACE_SRCS:%.c=$(BUILD)/%.o)
TOOLS_OBJS := $(TOOLS_SRCS:%.c=$(BUILD)/%.o)
HOST_LIBS_A := $(BUILD)/libdebugger.a $(BUILD)/libgdbstub.a $(BUILD)/librr.a $(BUILD)/libvmm.a \
	$(BUILD)/libdebuginfo.a $(BUILD)/librrvtrace.a

UNIT_SRCS := $(wildcard tests/unit/test_*.c)
# The trace reader reads untrusted files: its tests run under ASan/UBSan.
SANITIZE := -fsanitize=address,undefined -fno-omit-frame-pointer
FUZZ_BIN := $(BUILD)/tests/fuzz/fuzz_trace_reader
FUZZ_GDB_BIN := $(BUILD)/tests/fuzz/fuzz_gdb_packet
UNIT_BINS := $(UNIT_SRCS:tests/unit/%.c=$(BUILD)/tests/unit/%)
# The stub against Debian's gdb, with no KVM: a fake target serving a
# real static ELF (tests/unit/gdbstub-gdb.sh, in make unit-test).
GDBSTUB_FAKE := $(BUILD)/tests/unit/gdbstub_fake
GDBSTUB_PROG := $(BUILD)/tests/unit/gdbstub_prog

# Programs and tools the end-to-end tests use, built here (not in the VM).
E2E_PROGS := $(patsubst tests/e2e/programs/%.c,$(BUILD)/tests/e2e/%,$(wildcard tests/e2e/programs/*.c))
# The programs of the crash and deadlock reports' tests are built a second
# time, dynamically linked (as PIEs), as X_dyn with glibc and X_musl with
# musl: their reports name frames in the shared libraries too.
E2E_DYN_PROGS := $(BUILD)/tests/e2e/report_crash_dyn $(BUILD)/tests/e2e/report_deadlock_dyn \
	$(BUILD)/tests/e2e/report_crash_musl
# A program crashing in a shared library of its own (libreport.so), and
# another build of that library, for the report's checks of library files.
E2E_LIB_PROGS := $(BUILD)/tests/e2e/report_libmain $(BUILD)/tests/e2e/libreport.so \
	$(BUILD)/tests/e2e/libreport-changed.so $(BUILD)/tests/e2e/stripped/libreport.so
E2E_BINS := $(E2E_PROGS) $(E2E_DYN_PROGS) $(E2E_LIB_PROGS) $(BUILD)/tests/e2e/trace_edit

# The guest programs of rrv debug's tests (tests/debug/run.sh), static with
# glibc and with musl, unoptimised and with debug information, so that gdb
# sees every local and line.
DEBUG_SRCS := $(wildcard tests/debug/*.c)
DEBUG_BINS := $(DEBUG_SRCS:tests/debug/%.c=$(BUILD)/tests/debug/%-glibc) \
	$(DEBUG_SRCS:tests/debug/%.c=$(BUILD)/tests/debug/%-musl)

$(BUILD)/tests/debug/%-glibc: tests/debug/%.c
	@mkdir -p $(@D)
	$(CC) -static -g -O0 -pthread -Wall -Wextra -Werror -o $@ $<

$(BUILD)/tests/debug/%-musl: tests/debug/%.c
	@mkdir -p $(@D)
	musl-gcc -static -g -O0 -Wall -Wextra -Werror -o $@ $<

# And one dynamically linked with glibc (tests/debug/reverse.sh,
# heap-dyn): going back through the loader's and libc's demand-paged
# pages and a PLT call into an ifunc'd memcpy.
DEBUG_DYN_BINS := $(BUILD)/tests/debug/heap-dyn
$(BUILD)/tests/debug/heap-dyn: tests/debug/heap.c
	@mkdir -p $(@D)
	$(CC) -g -O0 -Wall -Wextra -Werror -o $@ $<

debug-progs: $(DEBUG_BINS) $(DEBUG_DYN_BINS) $(BUILD)/tests/e2e/report_libmain $(BUILD)/tests/e2e/libreport.so

$(BUILD)/tests/e2e/libreport.so: tests/e2e/libreport.c
	@mkdir -p $(@D)
	$(CC) -shared -fPIC -O1 -g -Wall -Wextra -Werror -o $@ $<

$(BUILD)/tests/e2e/libreport-changed.so: tests/e2e/libreport.c
	@mkdir -p $(@D)
	$(CC) -shared -fPIC -O1 -g -Wall -Wextra -Werror -DREPORT_CHANGED -o $@ $<

# libreport.so stripped, with its DWARF and symbols in a separate debug
# file beside it that .gnu_debuglink names, as Debian's -dbgsym packages
# split a library.
$(BUILD)/tests/e2e/stripped/libreport.so: $(BUILD)/tests/e2e/libreport.so
	@mkdir -p $(@D)
	objcopy --only-keep-debug $< $@.debug
	cd $(@D) && objcopy --strip-all --add-gnu-debuglink=libreport.so.debug ../libreport.so libreport.so

$(BUILD)/tests/e2e/report_libmain: tests/e2e/report_libmain.c $(BUILD)/tests/e2e/libreport.so
	@mkdir -p $(@D)
	$(CC) -O1 -g -Wall -Wextra -Werror -o $@ $< -L$(BUILD)/tests/e2e -lreport

$(BUILD)/tests/e2e/%_dyn: tests/e2e/programs/%.c
	@mkdir -p $(@D)
	$(CC) -O1 -g -Wall -Wextra -Werror -o $@ $<

$(BUILD)/tests/e2e/%_musl: tests/e2e/programs/%.c
	@mkdir -p $(@D)
	musl-gcc -O1 -g -Wall -Wextra -Werror -o $@ $<

$(BUILD)/tests/e2e/%: tests/e2e/programs/%.c
	@mkdir -p $(@D)
	$(CC) -static -O1 -g -Wall -Wextra -Werror -o $@ $<

$(BUILD)/tests/e2e/trace_edit: tests/e2e/trace_edit.c $(BUILD)/librrvtrace.a
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ $(filter %.c %.a,$^) $(HOST_LIBS)

# rrv debug's guest side (tests/guestdbg/run.sh): a program that makes
# one of each DEBUG event, static with glibc and with musl, -g -O0, and
# the host driver that replays its trace through the VMM's debug hooks.
# spinflag (tests/threads) replays only by finding its preemption points
# with DR0, which must keep working with the debugger's DR1 armed.
GUESTDBG_BINS := $(BUILD)/tests/guestdbg/dbgevents $(BUILD)/tests/guestdbg/dbgevents_musl \
	$(BUILD)/tests/guestdbg/guestdbg_check $(BUILD)/tests/guestdbg/spinflag

$(BUILD)/tests/guestdbg/spinflag: tests/threads/spinflag.c
	@mkdir -p $(@D)
	$(CC) -static -pthread -O1 -g -Wall -Wextra -Werror -o $@ $<

$(BUILD)/tests/guestdbg/guestdbg_check: tests/guestdbg/guestdbg_check.c $(HOST_LIBS_A) | $(SYSCALL_LIST)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ $< $(HOST_LIBS_A) $(HOST_LIBS)

$(BUILD)/tests/guestdbg/%_musl: tests/guestdbg/programs/%.c
	@mkdir -p $(@D)
	musl-gcc -static -g -O0 -Wall -Wextra -Werror -o $@ $<

$(BUILD)/tests/guestdbg/%: tests/guestdbg/programs/%.c
	@mkdir -p $(@D)
	$(CC) -static -pthread -g -O0 -Wall -Wextra -Werror -o $@ $<

.PHONY: all deps run test debug-progs layers-test unit-test fuzz-test kvm-test bench clean
.SECONDARY:
.DEFAULT_GOAL := all

all: $(BUILD)/rrv $(UNIT_BINS)

# The one list of system call numbers and names, generated from the
# system's <asm/unistd_64.h> (tools/gen-syscalls.sh); host and guest both
# include it as <rrv/syscall_list.h>.
SYSCALL_LIST := $(BUILD)/include/rrv/syscall_list.h
$(SYSCALL_LIST): tools/gen-syscalls.sh
	tools/gen-syscalls.sh $@

include rekernel-rr/rekernel.mk
include tests/conformance/conformance.mk

$(BUILD)/%.o: %.c | $(SYSCALL_LIST)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -c $< -o $@

$(BUILD)/libdebugger.a: $(DEBUGGER_OBJS)
$(BUILD)/libgdbstub.a: $(GDBSTUB_OBJS)
$(BUILD)/librr.a: $(RR_OBJS)
$(BUILD)/libvmm.a: $(VMM_OBJS)
$(BUILD)/libdebuginfo.a: $(DEBUGINFO_OBJS)
$(BUILD)/librrvtrace.a: $(TRACE_OBJS)
$(HOST_LIBS_A):
	@rm -f $@
	ar rcs $@ $^

$(BUILD)/tools/kernel_image.o: tools/kernel_image.S $(REKERNEL_ELF)
	@mkdir -p $(@D)
	$(CC) -c -DRRV_KERNEL_ELF='"$(REKERNEL_ELF)"' $< -o $@

$(BUILD)/rrv: $(TOOLS_OBJS) $(BUILD)/tools/kernel_image.o $(HOST_LIBS_A)
	$(CC) -o $@ $^ $(HOST_LIBS)

$(BUILD)/tests/unit/%.o: tests/unit/%.c | $(SYSCALL_LIST)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(CMOCKA_CFLAGS) -c $< -o $@

$(BUILD)/tests/unit/%: $(BUILD)/tests/unit/%.o $(HOST_LIBS_A)
	$(CC) -o $@ $^ $(HOST_LIBS) $(CMOCKA_LIBS)

$(BUILD)/tests/unit/test_trace: tests/unit/test_trace.c $(TRACE_SRCS) $(wildcard trace-format/*.h) \
		include/rrv/digest.h
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(CMOCKA_CFLAGS) -O1 $(SANITIZE) -o $@ \
		tests/unit/test_trace.c $(TRACE_SRCS) $(HOST_LIBS) $(CMOCKA_LIBS)

# The gdb stub parses whatever a client sends: its tests run under
# ASan/UBSan too.
$(BUILD)/tests/unit/test_gdbstub: tests/unit/test_gdbstub.c $(GDBSTUB_SRCS) $(wildcard gdbstub/*.h)
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) $(CMOCKA_CFLAGS) -O1 $(SANITIZE) -o $@ \
		tests/unit/test_gdbstub.c $(GDBSTUB_SRCS) $(CMOCKA_LIBS)

$(GDBSTUB_FAKE): tests/unit/gdbstub_fake.c $(BUILD)/libgdbstub.a
	@mkdir -p $(@D)
	$(CC) $(HOST_CFLAGS) -o $@ $(filter %.c %.a,$^)

$(GDBSTUB_PROG): tests/unit/gdbstub_prog.c
	@mkdir -p $(@D)
	$(CC) -static -O0 -g -Wall -Wextra -Werror -o $@ $<

$(FUZZ_GDB_BIN): tests/fuzz/fuzz_gdb_packet.c $(GDBSTUB_SRCS) $(wildcard gdbstub/*.h)
	@mkdir -p $(@D)
	clang -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror -I. -Iinclude \
		-fsanitize=fuzzer,address,undefined -o $@ $(filter %.c,$^)

$(FUZZ_BIN): tests/fuzz/fuzz_trace_reader.c $(TRACE_SRCS) $(wildcard trace-format/*.h) \
		include/rrv/digest.h
	@mkdir -p $(@D)
	clang -std=c11 -D_GNU_SOURCE -g -O1 -Wall -Wextra -Werror -I. -Iinclude \
		-fsanitize=fuzzer,address,undefined -o $@ $(filter %.c,$^) -lzstd

deps:
	@tools/deps.sh

# The bundled example: recorded, then replayed (examples/run.sh).
run: deps
	@$(MAKE) --no-print-directory all $(BUILD)/examples/hello
	tools/with-kvm examples/run.sh

$(BUILD)/examples/%: examples/%.c
	@mkdir -p $(@D)
	$(CC) -static -O2 -Wall -Wextra -Werror -o $@ $<

BENCH_PROGS := $(patsubst bench/programs/%.c,$(BUILD)/bench/%,$(wildcard bench/programs/*.c))

$(BUILD)/bench/%: bench/programs/%.c
	@mkdir -p $(@D)
	$(CC) -static -O2 -Wall -Wextra -Werror -o $@ $<

# Figures for docs/performance.md (not part of make test).
bench: $(BUILD)/rrv $(BENCH_PROGS)
	tools/with-kvm bench/run.sh

# Every test; a KVM test that cannot run counts as a failure.
test: deps
	@$(MAKE) --no-print-directory all
	@$(MAKE) --no-print-directory layers-test
	@$(MAKE) --no-print-directory unit-test
	@$(MAKE) --no-print-directory fuzz-test
	@$(MAKE) --no-print-directory conformance-native
	@$(MAKE) --no-print-directory kvm-test

# The include layering (layers.conf), and that its check catches a bad
# include; `tools/layers graph` prints the guest kernel's include graph.
layers-test:
	@tests/layers/run.sh

unit-test: $(UNIT_BINS) $(GDBSTUB_FAKE) $(GDBSTUB_PROG)
	@tests/unit/run-all $(UNIT_BINS)
	@tests/unit/gdbstub-gdb.sh $(GDBSTUB_FAKE) $(GDBSTUB_PROG)

# A bounded fuzzing run from the golden traces; findings fail the build.
fuzz-test: $(FUZZ_BIN) $(FUZZ_GDB_BIN)
	@mkdir -p $(BUILD)/fuzz-corpus $(BUILD)/fuzz-gdb-corpus
	$(FUZZ_BIN) -max_total_time=30 -max_len=8192 $(BUILD)/fuzz-corpus tests/traces
	$(FUZZ_GDB_BIN) -max_total_time=20 -max_len=4096 $(BUILD)/fuzz-gdb-corpus tests/fuzz/gdb-corpus

# In one nested VM (when there is no /dev/kvm): the e2e tests, the
# conformance suite under rrv run, and again recorded and replayed.
kvm-test: $(BUILD)/rrv $(E2E_BINS) $(CONFORMANCE_BINS) $(GUESTDBG_BINS) $(DEBUG_BINS) $(DEBUG_DYN_BINS)
	tests/with-kvm/run.sh
	@tests/kvm-shards

clean:
	rm -rf $(BUILD)

-include $(shell find $(BUILD) -name '*.d' 2>/dev/null)
