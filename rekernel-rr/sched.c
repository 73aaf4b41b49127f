/*
 * The scheduler (contracts in sched.h), for the one thread there is.
 *
 * With a single thread, a sleep can only end by a signal that is already
 * pending: nothing else runs to call sched_wakeup, and no interrupt or
 * host event can arrive while the guest waits.  So a sleep either returns
 * -ERESTARTSYS at once or is a deadlock, which a native run would show as
 * a hang.  rrv reports it and stops the program instead of hanging.
 */
#include "sched.h"

#include <rrv/hypercall.h>

#include "errno.h"
#include "kprintf.h"
#include "proc.h"
#include "signal.h"
#include "syscall.h"

int sched_sleep(void *chan)
{
	struct thread *t = curthread;

	if (signal_pending())
		return -ERESTARTSYS;
	t->wait_chan = chan;
	t->state = T_BLOCKED;
	/* Here a scheduler would run another thread; none can wake us. */
	if (t->state == T_BLOCKED) {
		uint64_t rip = t->tf ? t->tf->rip : 0;
		kwarn("deadlock: the program's only thread waits in %s and nothing can "
		      "wake it (a native run would hang here); it is stopped as by "
		      "SIGKILL\n",
		      t->syscall_nr >= 0 ? syscall_name((uint64_t)t->syscall_nr)
					 : "the kernel");
		proc_exit(RRV_EXIT_SIGNAL, SIGKILL, rip, 0, false);
	}
	t->wait_chan = 0;
	return 0;
}

void sched_wakeup(void *chan)
{
	struct thread *t = curthread;

	if (t && t->state == T_BLOCKED && t->wait_chan == chan) {
		t->state = T_RUNNABLE;
		t->wait_chan = 0;
	}
}
