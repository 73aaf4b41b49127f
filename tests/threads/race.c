/*
 * A check-then-act race that shows only in some interleavings: four
 * clerks sell the seats of a show without a lock.  Selling the last seat
 * needs a manager's approval (a system call, so a scheduling point inside
 * the window between reading `seats` and writing it back).  If another
 * clerk runs inside that window, both sell the last seat and the show is
 * oversold: the program says so and aborts.  Every other seat is sold
 * without a system call in the window, so the race needs a switch at
 * exactly that point; rrv record --chaos finds such seeds, the default
 * scheduler does not.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define NCLERKS 4
#define NSEATS 40

static volatile int seats = NSEATS;
static volatile int sold[NCLERKS];

static void manager_approves(void)
{
	/* Any system call will do: the manager is slow. */
	getppid();
}

static void *clerk(void *arg)
{
	int me = (int)(long)arg;

	for (;;) {
		int s = seats;
		if (s <= 0)
			break;
		if (s == 1)
			manager_approves();
		seats = s - 1;
		sold[me]++;
		/* Paperwork between sales: a scheduling point outside the
		 * window, so clerks take turns. */
		getppid();
	}
	return NULL;
}

int main(void)
{
	pthread_t t[NCLERKS];
	int total = 0;

	for (long i = 0; i < NCLERKS; i++)
		pthread_create(&t[i], NULL, clerk, (void *)i);
	for (int i = 0; i < NCLERKS; i++)
		pthread_join(t[i], NULL);
	for (int i = 0; i < NCLERKS; i++)
		total += sold[i];
	if (total != NSEATS) {
		printf("oversold: %d tickets for %d seats (", total, NSEATS);
		for (int i = 0; i < NCLERKS; i++)
			printf("%s%d", i ? " " : "", sold[i]);
		printf(")\n");
		fflush(stdout);
		abort();
	}
	printf("sold %d seats\n", total);
	return 0;
}
