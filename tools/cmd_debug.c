/*
 * rrv debug: gdb on a replay.  Replays the trace to its first stop (the
 * program's first instruction, --goto's event or --process's child),
 * serves the gdb remote protocol on a loopback port, and starts gdb
 * connected to it (or, with --port or --listen, waits for a client).
 * When the client detaches, kills or goes away, the replay runs on to its
 * end unobserved, checking the trace as rrv replay does, and rrv exits
 * with the recorded status (docs/debugging.md, "Using rrv debug").
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include "debugger/debugger.h"
#include "gdbstub/gdbstub.h"
#include "replay/replay.h"
#include "rrv.h"
#include "tracedir.h"

static void debug_help(void)
{
	printf("Options:\n"
	       "  --debugger=PATH  the gdb to start (default: gdb on PATH)\n"
	       "  --port=PORT      start no gdb: wait for a client on\n"
	       "                   127.0.0.1:PORT (0 picks a free port; rrv says\n"
	       "                   which on stderr)\n"
	       "  --listen=ADDR:PORT  the same on another address (another\n"
	       "                   machine can then connect: the protocol has no\n"
	       "                   authentication)\n"
	       "  -g, --goto=EVENT stop first after event EVENT of 'rrv dump',\n"
	       "                   at the debugged process's next instruction\n"
	       "  -p, --process=PID  debug the recorded process PID (see 'rrv ps'):\n"
	       "                   the replay runs freely until it is forked or\n"
	       "                   exec'd, and stops at its first instruction\n"
	       "  --no-pmu         as rrv replay --no-pmu\n"
	       "  --checkpoint-memory=SIZE  the most memory checkpoints may hold\n"
	       "                   (default: an eighth of RAM, at most 1G)\n"
	       "\n"
	       "Replays the trace (default: the trace directory's 'latest') and\n"
	       "stops before the program's first instruction; gdb is started\n"
	       "connected to it, with the arguments after '--' (for example\n"
	       "-- -batch -x SCRIPT).  break, continue, step, next, finish, bt,\n"
	       "print, watch (3 hardware watchpoints; more are software ones,\n"
	       "which single-step), info threads and thread N work as on a live\n"
	       "process.  Signals are delivered as recorded, whatever gdb asks.\n"
	       "The program's output is written as rrv replay writes it.  When\n"
	       "gdb detaches, kills the program or quits, the replay runs to its\n"
	       "end.\n"
	       "Calling functions: print f(x), call f(x), set var and set $reg\n"
	       "work in a throwaway copy of the machine, taken at the first\n"
	       "write: the change is visible until the next resume, then the\n"
	       "replay goes on as recorded.  A called function that needs the\n"
	       "host (output, files, time) stops with SIGSEGV and a message;\n"
	       "nothing of it reaches the host or the trace.\n"
	       "Going backwards: reverse-continue, reverse-stepi, reverse-step,\n"
	       "reverse-next and reverse-finish stop at breakpoints and\n"
	       "watchpoints hit in the past, and at the start of the recording\n"
	       "('No more reverse-execution history').  They re-execute from\n"
	       "checkpoints rrv takes as the replay goes (every 1000 events or\n"
	       "quarter second); gdb's checkpoint, restart N, info checkpoints\n"
	       "and delete checkpoint N are rrv's (monitor checkpoint ... too).\n"
	       "Exit status: the recorded program's when the replay reached its\n"
	       "end; 65, 66, 69 as for rrv replay; 71 when there was no session\n"
	       "(gdb cannot be started, the port is in use, the trace was\n"
	       "recorded by a kernel without debugger support, the process of\n"
	       "--process never ran).\n");
}

/* Parses ADDR:PORT (or a bare PORT) for --listen. */
static int parse_listen(const char *s, char *addr, size_t len, int *port)
{
	const char *colon = strrchr(s, ':');
	const char *p = colon ? colon + 1 : s;
	char *end;
	long v = strtol(p, &end, 10);
	if (!*p || *end || v < 0 || v > 65535)
		return -1;
	*port = (int)v;
	if (colon) {
		size_t n = (size_t)(colon - s);
		if (n == 0 || n >= len)
			return -1;
		memcpy(addr, s, n);
		addr[n] = '\0';
	} else {
		snprintf(addr, len, "127.0.0.1");
	}
	return 0;
}

/*
 * gdb's checkpoint, restart N, info checkpoints and delete checkpoint N
 * are for live processes it forks; on a replay they go to rrv's own
 * (monitor checkpoint ..., docs/debugging.md, "Checkpoints").  gdb lets
 * a script redefine them (confirm off: no question asked); restart also
 * drops gdb's cached registers and frames, which the jump made stale.
 */
static const char gdb_commands[] =
	"set confirm off\n"
	"define checkpoint\n  monitor checkpoint\nend\n"
	"document checkpoint\nMark this place of the replay (rrv): restart N comes back to it.\nend\n"
	"define restart\n  monitor restart $arg0\n  maintenance flush register-cache\nend\n"
	"document restart\nGo back (or forward) to rrv checkpoint N of the replay.\nend\n"
	"define info checkpoints\n  monitor info checkpoints\nend\n"
	"define delete checkpoint\n  monitor delete checkpoint $arg0\nend\n"
	"set confirm on\n";

/* The commands above in a memory file gdb inherits; its path, or "". */
static int gdb_commands_fd(char *path, size_t len)
{
	int fd = memfd_create("rrv-gdb-commands", 0);
	if (fd < 0)
		return -1;
	if (write(fd, gdb_commands, sizeof(gdb_commands) - 1) !=
	    (ssize_t)(sizeof(gdb_commands) - 1)) {
		close(fd);
		return -1;
	}
	snprintf(path, len, "/proc/self/fd/%d", fd);
	return fd;
}

/* Starts gdb connected to 127.0.0.1:port.  Returns its pid, or -1 after
 * printing why (exec failures come back through a close-on-exec pipe). */
static pid_t start_gdb(const char *gdb, int port, int argc, char **argv)
{
	char cmds[64];
	int cmds_fd = gdb_commands_fd(cmds, sizeof(cmds));
	char target[64];
	snprintf(target, sizeof(target), "target remote 127.0.0.1:%d", port);
	char **args = calloc((size_t)argc + 8, sizeof(*args));
	if (!args)
		return -1;
	int n = 0;
	args[n++] = (char *)gdb;
	args[n++] = "-q";
	args[n++] = "-ex";
	args[n++] = "set remote hardware-watchpoint-limit 3";
	args[n++] = "-ex";
	args[n++] = target;
	if (cmds_fd >= 0) {
		args[n++] = "-x";
		args[n++] = cmds;
	}
	for (int i = 0; i < argc; i++)
		args[n++] = argv[i];
	args[n] = NULL;
	int pfd[2];
	if (pipe2(pfd, O_CLOEXEC) < 0) {
		free(args);
		return -1;
	}
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		close(pfd[0]);
		signal(SIGPIPE, SIG_DFL);
		execvp(gdb, args);
		int e = errno;
		if (write(pfd[1], &e, sizeof(e)) < 0)
			_exit(127);
		_exit(127);
	}
	free(args);
	close(pfd[1]);
	if (cmds_fd >= 0)
		close(cmds_fd);
	if (pid < 0) {
		close(pfd[0]);
		fprintf(stderr, "rrv: cannot start gdb: %s (try again)\n", strerror(errno));
		return -1;
	}
	int e = 0;
	ssize_t got = read(pfd[0], &e, sizeof(e));
	close(pfd[0]);
	if (got == (ssize_t)sizeof(e)) {
		waitpid(pid, NULL, 0);
		fprintf(stderr, "rrv: cannot start gdb: %s: %s (install gdb, or name "
			"one with --debugger=PATH)\n", gdb, strerror(e));
		return -1;
	}
	return pid;
}

/* Waits for gdb to connect, or for it to end first. */
static int accept_from(int lfd, pid_t gdb, int *gdb_status)
{
	for (;;) {
		struct pollfd p = { .fd = lfd, .events = POLLIN };
		int r = poll(&p, 1, 200);
		if (r > 0)
			return gdbstub_accept(lfd);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (gdb > 0 && waitpid(gdb, gdb_status, WNOHANG) == gdb)
			return -ECHILD;
	}
}

/* The session on a connected client; returns the stub's result. */
static int serve(struct dbg *d, int fd)
{
	int r = gdbstub_serve(fd, &dbg_target_ops, d);
	close(fd);
	struct dbg_position pos;
	dbg_position(d, &pos);
	if (r == -ECONNRESET && pos.gone)
		return 0; /* gdb closes the connection once the process exited */
	if (r == -ECONNRESET) {
		fprintf(stderr, "rrv: debug: gdb went away without detaching (the "
			"replay runs on to its end)\n");
	} else if (r < 0) {
		fprintf(stderr, "rrv: debug: the gdb connection failed: %s (the "
			"replay runs on to its end)\n",
			gdbstub_error()[0] ? gdbstub_error() : strerror(-r));
	}
	return r;
}

int cmd_debug(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "debugger", required_argument, NULL, 'd' },
		{ "port", required_argument, NULL, 'P' },
		{ "listen", required_argument, NULL, 'l' },
		{ "goto", required_argument, NULL, 'g' },
		{ "process", required_argument, NULL, 'p' },
		{ "no-pmu", no_argument, NULL, 'N' },
		{ "checkpoint-memory", required_argument, NULL, 'M' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *gdb = "gdb";
	struct dbg_options o = { 0 };
	char addr[256] = "127.0.0.1";
	int port = 0;
	bool wait_client = false;
	opterr = 0;
	optind = 1;
	int c;
	char *end;
	while ((c = getopt_long(argc, argv, "+g:p:", opts, NULL)) != -1) {
		switch (c) {
		case 'd':
			gdb = optarg;
			break;
		case 'P':
			port = (int)strtol(optarg, &end, 10);
			if (!*optarg || *end || port < 0 || port > 65535)
				return rrv_usage_error("debug", "debug: --port takes a "
						       "port number, not '%s'", optarg);
			wait_client = true;
			break;
		case 'l':
			if (parse_listen(optarg, addr, sizeof(addr), &port))
				return rrv_usage_error("debug", "debug: --listen takes "
						       "ADDR:PORT, not '%s'", optarg);
			wait_client = true;
			break;
		case 'g':
			o.goto_event = strtoull(optarg, &end, 10);
			if (!*optarg || *end || optarg[0] == '-')
				return rrv_usage_error("debug", "debug: --goto takes an "
						       "event number, not '%s'", optarg);
			o.have_goto = true;
			break;
		case 'p': {
			long v = strtol(optarg, &end, 10);
			if (!*optarg || *end || v <= 0 || v > INT32_MAX)
				return rrv_usage_error("debug", "debug: --process takes "
						       "a pid, not '%s'", optarg);
			o.pid = (pid_t)v;
			break;
		}
		case 'N':
			o.no_pmu = true;
			break;
		case 'M':
			if (rrv_parse_size(optarg, &o.checkpoint_memory) ||
			    o.checkpoint_memory < (1u << 20))
				return rrv_usage_error("debug", "debug: --checkpoint-memory"
						       "=%s: not a size of 1M or more (e.g. 512M)",
						       optarg);
			break;
		case 'h':
			debug_help();
			return 0;
		default:
			return rrv_usage_error("debug", "debug: unknown option '%s'",
					       argv[optind - 1]);
		}
	}
	/* [TRACE] [-- GDB_ARGS...] */
	char path[4200];
	int gdb_argc = 0;
	char **gdb_argv = NULL;
	/* getopt takes a "--" that comes before any TRACE itself: what
	 * follows it is gdb's then (rrv debug -- -batch -x script). */
	bool gdb_next = optind > 1 && !strcmp(argv[optind - 1], "--");
	if (!gdb_next && optind < argc && strcmp(argv[optind], "--"))
		snprintf(path, sizeof(path), "%s", argv[optind++]);
	else if (trace_latest(path, sizeof(path)))
		return REPLAY_EXIT_BAD_TRACE;
	if (!gdb_next && optind < argc) {
		if (strcmp(argv[optind], "--"))
			return rrv_usage_error("debug", "debug: one trace at a time "
					       "(gdb's arguments go after '--')");
		optind++;
	}
	if (optind < argc) {
		gdb_argc = argc - optind;
		gdb_argv = argv + optind;
	}
	if (wait_client && gdb_argc)
		return rrv_usage_error("debug", "debug: with --port or --listen "
				       "rrv starts no gdb to give arguments to");

	/* The port first: a port in use ends it before any replay. */
	int lfd = gdbstub_listen(addr, port, &port);
	if (lfd < 0) {
		fprintf(stderr, "rrv: cannot listen for gdb on %s:%d: %s (%s)\n",
			addr, port, strerror(-lfd),
			lfd == -EADDRINUSE ? "choose another --port, or 0 for any"
					   : "check the address");
		return DBG_EXIT_CANNOT;
	}
	o.trace = path;
	int status;
	struct dbg *d = dbg_open(&o, &status);
	if (!d) {
		close(lfd);
		return status;
	}
	status = dbg_start(d);
	if (status) {
		close(lfd);
		dbg_free(d);
		return status;
	}

	pid_t child = -1;
	int gdb_status = 0;
	bool gdb_reaped = false;
	if (wait_client) {
		fprintf(stderr, "rrv: waiting for gdb: target remote %s:%d\n",
			addr, port);
	} else {
		child = start_gdb(gdb, port, gdb_argc, gdb_argv);
		if (child < 0) {
			close(lfd);
			dbg_free(d);
			return DBG_EXIT_CANNOT;
		}
	}
	/* gdb owns the terminal's ^C (it sends it to us as a packet). */
	void (*old_int)(int) = signal(SIGINT, SIG_IGN);
	int fd = accept_from(lfd, child, &gdb_status);
	close(lfd);
	if (fd < 0) {
		if (fd == -ECHILD) {
			gdb_reaped = true;
			fprintf(stderr, "rrv: debug: gdb ended before it connected "
				"(status %d) (check gdb's arguments)\n",
				WIFEXITED(gdb_status) ? WEXITSTATUS(gdb_status) : -1);
		} else {
			fprintf(stderr, "rrv: debug: no gdb connection: %s (try "
				"again)\n", strerror(-fd));
		}
		if (child > 0 && !gdb_reaped) {
			kill(child, SIGTERM);
			waitpid(child, NULL, 0);
		}
		signal(SIGINT, old_int);
		dbg_free(d);
		return DBG_EXIT_CANNOT;
	}
	serve(d, fd);
	signal(SIGINT, old_int);
	status = dbg_finish(d);
	if (child > 0 && !gdb_reaped)
		waitpid(child, &gdb_status, 0);
	dbg_free(d);
	return status;
}
