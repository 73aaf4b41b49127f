/*
 * The progress line of long work on a terminal: `rrv record` of a big
 * program shows how far it has got on stderr, redrawn in place.  Nothing
 * is shown when stderr is not a terminal, when RRV_NO_PROGRESS is set,
 * or for work that ends within a second.
 */
#ifndef RRV_VMM_PROGRESS_H
#define RRV_VMM_PROGRESS_H

/* Starts timing; what names the work ("recording"). */
void progress_begin(const char *what);

/* The figures so far; redraws at most four times a second. */
void progress_update(unsigned long long events, unsigned long long bytes);

/* Takes the line off the terminal before something else writes there
 * (the program's output, the guest's log); the next update redraws. */
void progress_hide(void);

/* Takes the line off for good. */
void progress_end(void);

#endif
