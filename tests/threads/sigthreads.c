/* Signals directed at threads: tgkill reaches the thread named, with its
 * own mask; a process-directed signal (kill) blocked by the main thread
 * goes to a thread that does not block it; sigwait in one thread takes a
 * signal that another sends it. */
#define _GNU_SOURCE
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static volatile int usr1_main, usr1_worker;
static volatile pid_t usr2_by;
static pid_t main_tid, worker_tid;
static pthread_mutex_t m = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int stage;

static void handler(int sig)
{
	pid_t me = (pid_t)syscall(SYS_gettid);
	if (sig == SIGUSR2)
		usr2_by = me;
	else if (me == main_tid)
		usr1_main++;
	else if (me == worker_tid)
		usr1_worker++;
}

static void wait_stage(int s)
{
	pthread_mutex_lock(&m);
	while (stage < s)
		pthread_cond_wait(&cv, &m);
	pthread_mutex_unlock(&m);
}

static void set_stage(int s)
{
	pthread_mutex_lock(&m);
	stage = s;
	pthread_cond_broadcast(&cv);
	pthread_mutex_unlock(&m);
}

static void *worker(void *arg)
{
	(void)arg;
	worker_tid = (pid_t)syscall(SYS_gettid);
	set_stage(1);
	wait_stage(2); /* tgkill'd meanwhile: the handler runs here */
	wait_stage(3); /* kill()'d: main blocks SIGUSR2, so this thread takes it */
	/* sigwait for SIGTERM, which main sends to this thread. */
	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGTERM);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	set_stage(4);
	int sig = 0;
	sigwait(&s, &sig);
	printf("worker: sigwait got %s\n", sig == SIGTERM ? "SIGTERM" : "other");
	return NULL;
}

int main(void)
{
	struct sigaction sa;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = handler;
	sigaction(SIGUSR1, &sa, NULL);
	sigaction(SIGUSR2, &sa, NULL);

	main_tid = (pid_t)syscall(SYS_gettid);
	pthread_t t;
	pthread_create(&t, NULL, worker, NULL);
	wait_stage(1);
	pid_t me = main_tid;

	syscall(SYS_tgkill, getpid(), worker_tid, SIGUSR1);
	syscall(SYS_tgkill, getpid(), me, SIGUSR1);
	set_stage(2);

	sigset_t s;
	sigemptyset(&s);
	sigaddset(&s, SIGUSR2);
	pthread_sigmask(SIG_BLOCK, &s, NULL);
	kill(getpid(), SIGUSR2);
	set_stage(3);
	wait_stage(4);
	syscall(SYS_tgkill, getpid(), worker_tid, SIGTERM);
	pthread_join(t, NULL);

	printf("SIGUSR1: main %d, worker %d; SIGUSR2 (kill) taken by %s\n", usr1_main,
	       usr1_worker, usr2_by == worker_tid ? "the worker" : "another thread");
	printf("main is the process: %s\n", me == getpid() ? "yes" : "no");
	printf("tgkill to a thread that never was: %s\n",
	       syscall(SYS_tgkill, getpid(), 0x3ffffff0, SIGUSR1) == -1 ? "ESRCH" : "sent");
	return 0;
}
