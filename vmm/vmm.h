/*
 * One virtual machine: the KVM descriptors, guest memory, the hypercall
 * table and what the hypercalls act on.  Created by vmm_create(), run by
 * vmm_run(), released by vmm_destroy().
 */
#ifndef RRV_VMM_VMM_H
#define RRV_VMM_VMM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "guest_mem.h"
#include "hostfd.h"
#include "hypercall.h"
#include "vmm/x86/cpuid.h"
#include "vmm/x86/pmu.h"

#define VMM_MEM_DEFAULT (1024ull << 20)
#define VMM_MEM_MIN (64ull << 20)
/* Guest RAM is one slot below the PC hole at 3 GiB (the LAPIC lives at
 * 0xfee00000), and hypercall structs must sit below 4 GiB. */
#define VMM_MEM_MAX (3072ull << 20)

struct elf_image;
struct kvm_debug_exit_arch;

/* vcpu_loop and vmm_run: the debugger paused the VM (vm->debug.pause).
 * Not an exit status: the VM is intact, and the next call resumes it
 * exactly where it stopped. */
#define VMM_PAUSED (-2)

/* What a debug hook returns: go on, or pause the loop there. */
#define VMM_DEBUG_GO 0
#define VMM_DEBUG_PAUSE 1

struct vmm_config {
	uint64_t mem_bytes;
	const void *kernel_image; /* the guest kernel ELF */
	size_t kernel_size;
	const char *cmdline;      /* kernel command line, "" for none */
	const char *exec_path;    /* the program to run, NULL for none */
	int argc;                 /* the program and its arguments */
	char *const *argv;
	char *const *envp;        /* NULL-terminated */
	bool stats;               /* print exit counts at the end */
	bool chaos;               /* --chaos: random scheduling in the guest */
	uint64_t chaos_seed;      /* its seed (also chaos=SEED in cmdline) */
	const struct cpuid_profile *cpuid; /* replay: the recorded profile;
					      NULL to build this host's */
	/* The program's ELF, for symbols in reports (replay: from the trace);
	 * NULL to read exec_path when needed. */
	const void *program_image;
	size_t program_size;
	bool replay;              /* rrv replay: no preemption ticks */
	bool no_pmu;              /* --no-pmu: count no branches */
	bool snapshots;           /* keep dirty logs for snapshot.c (rrv debug,
				     replay --check-checkpoints) */
	uint64_t snapshot_limit;  /* bytes snapshots may hold; 0: default */
};

/* Exit reasons counted for --stats; KVM's numbering is small and dense. */
#define VMM_EXIT_REASONS 64

struct vmm_stats {
	uint64_t exits[VMM_EXIT_REASONS];
	uint64_t hypercalls[RRV_HC_PORT_COUNT];
	uint64_t ticks_injected; /* preemption interrupts (timer.c) */
};

struct vmm {
	struct vmm_config cfg;

	/* Owned by kvm.c. */
	int kvm_fd;
	int vm_fd;
	struct guest_mem mem;

	/* Owned by vcpu.c. */
	int vcpu_fd;
	struct kvm_run *run;
	size_t run_size;
	uint64_t entry; /* guest-virtual entry point of the kernel */
	struct cpuid_profile cpuid; /* what the guest's CPUID answers */
	struct pmu_config pmu;      /* the counter the guest may use */

	struct hc_table hc;
	struct hostfd_table files;
	/* The kernel's ELF, for naming its addresses in reports; may be NULL. */
	struct elf_image *kernel_elf;

	rrv_gpa_t guest_state; /* the kernel's struct rrv_guest_state (BOOT) */
	uint32_t guest_abi;    /* the kernel's hypercall ABI (BOOT): a replayed
				  older kernel's guest_state is shorter */
	uint32_t host_umask; /* rrv's umask at start; the VMM then uses 0 and
				the guest applies the program's own */
	uint64_t syscalls, syscalls_host; /* reported by the guest at exit */

	/* Owned by timer.c: the preemption tick.  inject is off in replay,
	 * where ticks only drive tick_hook (the replayer's watchdog). */
	struct {
		bool on, inject;
		bool armed;     /* ticking now (run, record: several threads) */
		bool many;      /* the guest has several threads (THREADS) */
		long period_ns;
		timer_t id;
	} tick;
	/* Called on each tick that is not injected; returns -1 to stop the
	 * VM (after setting exit_code). */
	int (*tick_hook)(void *ctx);
	void *tick_ctx;

	/* Owned by hostsig.c: signals to rrv. */
	struct {
		bool taken;      /* the first SIGINT was passed on */
		int pending;     /* a signal the guest has not taken yet */
		bool flagged;    /* ... and guest_state.host_signal says so */
		int interrupted; /* the signal that stopped the VM at once */
	} hostsig;

	/* Called after each exit is handled, before the vCPU runs again,
	 * unless the VM stopped: the one place the machine is between two
	 * guest instructions (vcpu_settle then makes its state whole), where
	 * snapshots are taken.  Returns -1 to stop the VM (after setting
	 * exit_code).  NULL for none. */
	int (*exit_hook)(void *ctx);
	void *exit_ctx;

	/* Owned by snapshot.c; NULL unless cfg.snapshots. */
	struct snapshots *snaps;

	/* The program's output as replay performs it (hc_file.c): bytes and
	 * their running digest, so that a run from a snapshot can be checked
	 * against the first; mute skips the writes (a check's reruns). */
	struct {
		uint64_t bytes, digest;
		/* the most bytes ever written: a snapshot restores bytes, not
		 * this, so that a re-run shows nothing twice */
		uint64_t shown;
		bool mute;
	} output;

	/* Owned by guestdbg.c and hc_debug.c: rrv debug (docs/debugging.md).
	 * All zero (no hook, not attached) outside rrv debug. */
	struct {
		/* Set before vmm_run: after BOOT, a guest of ABI 9 or later
		 * gets guest_state.debug with on = 1 (rq below). */
		bool attach;
		/* A DEBUG hypercall (hc_debug.c), its struct checked:
		 * returns VMM_DEBUG_GO or VMM_DEBUG_PAUSE. */
		int (*hook)(void *ctx, const struct rrv_hc_debug *ev);
		/* KVM_EXIT_DEBUG (a single step or a breakpoint of
		 * KVM_SET_GUEST_DEBUG): VMM_DEBUG_GO, VMM_DEBUG_PAUSE, or -1
		 * when it is none of the debugger's (the VM then stops with
		 * a report, as without a hook). */
		int (*on_exit)(void *ctx, const struct kvm_debug_exit_arch *arch);
		void *ctx;
		/* What the DEBUG call answers, set by the hook (only
		 * BREAKPOINT reads it: 1 when the int3 was the debugger's). */
		int64_t answer;
		/* Set by a hook, an exit handler or the debugger itself: the
		 * loop returns VMM_PAUSED before it enters the guest again. */
		bool pause;
		bool paused;        /* vcpu_loop returned VMM_PAUSED */
		bool running;       /* vmm_run started the timers and handlers */
		/* The request last written to guest_state.debug. */
		struct rrv_debug_request rq;
		/* Host time spent paused, for vmm_clock_ns, and when the
		 * current pause began. */
		int64_t paused_ns, pause_began_ns;
	} debug;

	bool stopped;   /* set by the exit and panic hypercalls */
	int exit_code;  /* rrv's own exit status once stopped */
	struct vmm_stats stats;
};

/* Builds the VM and loads the kernel.  Returns NULL after printing why. */
struct vmm *vmm_create(const struct vmm_config *cfg);

/* Runs the guest to its end.  Returns rrv's exit status, or VMM_PAUSED
 * when the debugger paused it (vm->debug.pause): calling vmm_run again
 * resumes it, with the timers and signal handlers left in place. */
int vmm_run(struct vmm *vm);

/* CLOCK_MONOTONIC in nanoseconds less the time the VM spent paused: the
 * clock of the replay's watchdog, so that a user sitting in gdb for
 * minutes is not a stuck replay. */
int64_t vmm_clock_ns(const struct vmm *vm);

/* vcpu_loop's side of the above: the clock stops when the loop pauses
 * (pausing true) and goes on when it resumes. */
void vmm_pause_clock(struct vmm *vm, bool pausing);

void vmm_destroy(struct vmm *vm);

/* Prints the --stats report on stderr. */
void vmm_print_stats(struct vmm *vm);

#endif
