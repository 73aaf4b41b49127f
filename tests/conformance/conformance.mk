# The conformance programs, for `include` by the top-level Makefile (which
# sets BUILD) or standalone:
#
#   make -f tests/conformance/conformance.mk BUILD=build conformance-build
#
# Every tests/conformance/NAME.c is built four times, statically and
# dynamically linked (the dynamic ones load through ld.so):
#   $(BUILD)/conformance/glibc/NAME       with gcc -static
#   $(BUILD)/conformance/musl/NAME        with musl-gcc -static (musl-tools)
#   $(BUILD)/conformance/glibc-dyn/NAME   with gcc
#   $(BUILD)/conformance/musl-dyn/NAME    with musl-gcc
#
# Targets:
#   conformance-build   build them all
#   conformance-native  build, then run.sh --native-twice and busybox.sh
#                       --native-twice (proves the suite is deterministic)
#   conformance-rrv     build, then run both against $(BUILD)/rrv
#
# Paths are relative to the repository root: run make there.

CONFORMANCE_BUILD := $(if $(BUILD),$(BUILD),build)
CONFORMANCE_DIR := tests/conformance
CONFORMANCE_SRCS := $(wildcard $(CONFORMANCE_DIR)/*.c)
CONFORMANCE_NAMES := $(sort $(notdir $(CONFORMANCE_SRCS:.c=)))
CONFORMANCE_GLIBC_BINS := \
	$(CONFORMANCE_NAMES:%=$(CONFORMANCE_BUILD)/conformance/glibc/%)
CONFORMANCE_MUSL_BINS := \
	$(CONFORMANCE_NAMES:%=$(CONFORMANCE_BUILD)/conformance/musl/%)
CONFORMANCE_GLIBC_DYN_BINS := \
	$(CONFORMANCE_NAMES:%=$(CONFORMANCE_BUILD)/conformance/glibc-dyn/%)
CONFORMANCE_MUSL_DYN_BINS := \
	$(CONFORMANCE_NAMES:%=$(CONFORMANCE_BUILD)/conformance/musl-dyn/%)
CONFORMANCE_BINS := $(CONFORMANCE_GLIBC_BINS) $(CONFORMANCE_MUSL_BINS) \
	$(CONFORMANCE_GLIBC_DYN_BINS) $(CONFORMANCE_MUSL_DYN_BINS)

CONFORMANCE_GLIBC_CC := gcc
CONFORMANCE_MUSL_CC := musl-gcc
# A newer compiler may warn where gcc 12 does not: override with
# CONFORMANCE_WERROR= to build anyway.
CONFORMANCE_WERROR := -Werror
CONFORMANCE_CFLAGS := -std=gnu11 -D_GNU_SOURCE -O1 -g \
	-Wall -Wextra $(CONFORMANCE_WERROR)
CONFORMANCE_HDRS := $(CONFORMANCE_DIR)/conf.h $(CONFORMANCE_DIR)/conformance.mk

.PHONY: conformance-build conformance-native conformance-rrv

conformance-build: $(CONFORMANCE_BINS)

$(CONFORMANCE_GLIBC_BINS): $(CONFORMANCE_BUILD)/conformance/glibc/%: \
		$(CONFORMANCE_DIR)/%.c $(CONFORMANCE_HDRS)
	@mkdir -p $(@D)
	$(CONFORMANCE_GLIBC_CC) $(CONFORMANCE_CFLAGS) -static -o $@ $<

$(CONFORMANCE_MUSL_BINS): $(CONFORMANCE_BUILD)/conformance/musl/%: \
		$(CONFORMANCE_DIR)/%.c $(CONFORMANCE_HDRS)
	@mkdir -p $(@D)
	$(CONFORMANCE_MUSL_CC) $(CONFORMANCE_CFLAGS) -static -o $@ $<

$(CONFORMANCE_GLIBC_DYN_BINS): $(CONFORMANCE_BUILD)/conformance/glibc-dyn/%: \
		$(CONFORMANCE_DIR)/%.c $(CONFORMANCE_HDRS)
	@mkdir -p $(@D)
	$(CONFORMANCE_GLIBC_CC) $(CONFORMANCE_CFLAGS) -o $@ $<

$(CONFORMANCE_MUSL_DYN_BINS): $(CONFORMANCE_BUILD)/conformance/musl-dyn/%: \
		$(CONFORMANCE_DIR)/%.c $(CONFORMANCE_HDRS)
	@mkdir -p $(@D)
	$(CONFORMANCE_MUSL_CC) $(CONFORMANCE_CFLAGS) -o $@ $<

conformance-native: conformance-build
	$(CONFORMANCE_DIR)/run.sh --no-build --build $(CONFORMANCE_BUILD) \
		--native-twice --libc all
	$(CONFORMANCE_DIR)/busybox.sh --native-twice

conformance-rrv: conformance-build $(CONFORMANCE_BUILD)/rrv
	$(CONFORMANCE_DIR)/run.sh --no-build --build $(CONFORMANCE_BUILD) \
		--rrv $(CONFORMANCE_BUILD)/rrv --libc all
	$(CONFORMANCE_DIR)/busybox.sh --rrv $(CONFORMANCE_BUILD)/rrv
