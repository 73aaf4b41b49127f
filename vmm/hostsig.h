/*
 * Signals sent to rrv itself (docs/signals.md, "Signals to rrv").  The
 * first SIGINT of a run or a recording goes to the program, as a
 * terminal's Ctrl-C would: the guest takes it with the HOSTSIG hypercall
 * at a point that replay finds again.  A second SIGINT, a SIGTERM or a
 * SIGHUP stops the VM at once (vm->hostsig.interrupted); so does any of
 * them during a replay, which never takes a signal from the host.
 */
#ifndef RRV_VMM_HOSTSIG_H
#define RRV_VMM_HOSTSIG_H

#include <stdbool.h>

struct vmm;

/* Installs the handlers for vm (vmm_run calls it before the loop); after
 * it, a signal is only noted (the recorder writes the trace's end). */
int hostsig_install(struct vmm *vm);
void hostsig_uninstall(struct vmm *vm);

/* At the top of each turn of the vCPU loop: takes what the handler
 * noted.  Returns true when the VM must stop now (exit_code set). */
bool hostsig_check(struct vmm *vm);

/* After a traced hypercall was answered (recording, running): a host
 * signal the guest has not yet taken is flagged in guest_state. */
void hostsig_after_call(struct vmm *vm);

/* Before KVM_RUN: injects RRV_HOSTSIG_VECTOR when a host signal waits,
 * the guest is in ring 3 and nothing else was injected this turn, or
 * asks for an interrupt window. */
int hostsig_inject(struct vmm *vm, bool injected);

/* For hypercall handlers whose host call failed with EINTR: true when
 * that was a host signal the call must give way to (answer
 * -RRV_HC_ERESTART), false when the call should just be retried. */
bool hostsig_interrupting(void);

/* "SIGINT" for 2, as messages name signals. */
const char *hostsig_name(int sig);



#endif
