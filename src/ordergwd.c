/* ordergwd.c — the daemon: a small supervisor and its workers.
 *
 *   ordergwd [-c CONFIG] [-f] [--once] [-v]
 *
 * --once polls every source once, processes everything stored, tries the
 * outbox once and exits: 0 when nothing is left to retry, 75 when
 * something waits for a retry.  Otherwise the supervisor starts one worker
 * process per role — one per source endpoint, one pipeline worker, one
 * sender — that share nothing but the store, and restarts a worker that
 * dies, with back-off.  Workers die with the supervisor (PR_SET_PDEATHSIG).
 * The pipeline worker reads untrusted input: it runs under resource limits
 * and, where the kernel lets it, without network access. */
#include "config.h"
#include "dirdrop.h"
#include "log.h"
#include "maildir.h"
#include "netsrc.h"
#include "pipeline.h"
#include "sender.h"
#include "store.h"
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <sysexits.h>
#include <time.h>
#include <unistd.h>

static volatile sig_atomic_t stopping, reloading;

static void on_hup(int sig)
{
	(void)sig;
	reloading = 1;
}

static void on_term(int sig)
{
	(void)sig;
	stopping = 1;
}

static int open_store(const struct config *cfg, struct store **st)
{
	const char *err;
	if (store_open(cfg->store_path, st, &err) < 0) {
		log_warnx("store: %s", err);
		return -1;
	}
	return 0;
}

/* One poll of a mailbox; an IMAP one keeps its session in *imap between
 * polls (NULL: connect, poll and disconnect). */
static int poll_mailbox(const struct config *cfg, struct store *st, const struct cfg_mailbox *mb,
			struct imapsrc *imap)
{
	struct intake_stats s = { 0 };
	int r;
	if (strncmp(mb->url, "maildir:", 8) == 0) {
		r = maildir_poll(mb, st, cfg->max_message_bytes, &s);
	} else if (imap != NULL) {
		r = imapsrc_poll(imap, st, &s);
	} else {
		struct imapsrc *once = imapsrc_new(cfg, mb);
		r = imapsrc_poll(once, st, &s);
		imapsrc_free(&once);
	}
	if (s.seen > 0)
		log_info("mailbox %s: %zu message(s): %zu stored, %zu already stored, %zu moved to %s%s",
			 mb->name, s.seen, s.stored, s.already, s.acknowledged, mb->done_folder,
			 s.too_large ? " (some over the size limit)" : "");
	return r;
}

static int poll_drop(const struct config *cfg, struct store *st, const struct cfg_drop *dr,
		     struct sftpsrc *sftp)
{
	struct intake_stats s = { 0 };
	int r;
	if (strncmp(dr->url, "dir:", 4) == 0) {
		r = dirdrop_poll(dr, st, cfg->max_message_bytes, &s);
	} else if (sftp != NULL) {
		r = sftpsrc_poll(sftp, st, &s);
	} else {
		/* --once: a file without its marker counts as complete when a
		 * second listing stable_seconds later (at least 1 s: with 0, two
		 * listings must agree) finds its size and time unchanged.  Only
		 * when the first listing left such files, and at most 60 s. */
		struct sftpsrc *once = sftpsrc_new(cfg, dr);
		r = sftpsrc_poll(once, st, &s);
		size_t waiting = sftpsrc_waiting(once);
		if (r == 0 && dr->ready_suffix == NULL && waiting > 0) {
			if (dr->stable_seconds > 60) {
				log_warnx("drop %s: %zu file(s) without a marker must be stable for %d s, longer "
					  "than --once waits (60 s); they are left for the daemon (or set ready_suffix)",
					  dr->name, waiting, dr->stable_seconds);
			} else {
				log_debug("drop %s: %zu file(s) not yet complete; listing again in %d s", dr->name,
					  waiting, dr->stable_seconds > 1 ? dr->stable_seconds : 1);
				sleep((unsigned)(dr->stable_seconds > 1 ? dr->stable_seconds : 1));
				r = sftpsrc_poll(once, st, &s);
			}
		}
		sftpsrc_free(&once);
	}
	if (s.seen > 0)
		log_info("drop %s: %zu file(s): %zu stored, %zu already stored, %zu archived",
			 dr->name, s.seen, s.stored, s.already, s.acknowledged);
	return r;
}

static int run_pipeline(const struct config *cfg, struct store *st)
{
	struct pipeline_stats ps = { 0 };
	int r = pipeline_run(cfg, st, 0, &ps);
	if (ps.documents > 0)
		log_info("pipeline: %zu document(s): %zu order(s) accepted, %zu exception(s), "
			 "%zu duplicate(s), %zu not an order, %zu message(s) queued",
			 ps.documents, ps.orders_accepted, ps.exceptions, ps.duplicates, ps.ignored, ps.messages);
	return r;
}

static int run_sender(const struct config *cfg, struct store *st)
{
	struct sender_stats ss = { 0 };
	int r = sender_run(cfg, st, &ss);
	if (ss.sent + ss.deferred + ss.failed > 0)
		log_info("outbox: %zu sent to %s, %zu deferred, %zu failed", ss.sent, cfg->outbox.url,
			 ss.deferred, ss.failed);
	return r;
}

static double since(const struct timespec *t0)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (double)(t.tv_sec - t0->tv_sec) + (double)(t.tv_nsec - t0->tv_nsec) / 1e9;
}

static int run_once(const struct config *cfg)
{
	struct store *st;
	if (open_store(cfg, &st) < 0)
		return EX_TEMPFAIL;
	bool retry = false;
	struct timespec t0;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (size_t i = 0; i < cfg->n_mailboxes; i++)
		retry |= poll_mailbox(cfg, st, &cfg->mailboxes[i], NULL) < 0;
	for (size_t i = 0; i < cfg->n_drops; i++)
		retry |= poll_drop(cfg, st, &cfg->drops[i], NULL) < 0;
	log_info("intake done after %.2f s", since(&t0));
	retry |= run_pipeline(cfg, st) < 0;
	log_info("pipeline done after %.2f s", since(&t0));
	retry |= run_sender(cfg, st) < 0;
	log_info("outbox done after %.2f s", since(&t0));
	retry |= store_outbox_waiting(st) > 0;
	store_close(&st);
	return retry ? EX_TEMPFAIL : EX_OK;
}

/* ---- supervisor ----------------------------------------------------------- */

enum role { ROLE_MAILBOX, ROLE_DROP, ROLE_PIPELINE, ROLE_SENDER };

struct worker {
	enum role role;
	size_t index;
	pid_t pid;
	int failures;
	time_t started, restart_at;
	char name[96];
};

static void sleep_interruptible(int seconds)
{
	for (int i = 0; i < seconds * 10 && !stopping; i++) {
		struct timespec ts = { 0, 100000000 };
		nanosleep(&ts, NULL);
	}
}

static _Noreturn void worker_main(const struct config *cfg, struct worker *w)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(0);
	signal(SIGTERM, on_term);
	signal(SIGINT, on_term);
	signal(SIGHUP, SIG_IGN);
	if (w->role == ROLE_PIPELINE)
		pipeline_confine();   /* parsing hostile input */
	struct store *st;
	if (open_store(cfg, &st) < 0)
		_exit(EX_TEMPFAIL);
	struct imapsrc *imap = NULL;
	struct sftpsrc *sftp = NULL;
	if (w->role == ROLE_MAILBOX && strncmp(cfg->mailboxes[w->index].url, "imap", 4) == 0)
		imap = imapsrc_new(cfg, &cfg->mailboxes[w->index]);
	if (w->role == ROLE_DROP && strncmp(cfg->drops[w->index].url, "sftp", 4) == 0)
		sftp = sftpsrc_new(cfg, &cfg->drops[w->index]);
	while (!stopping) {
		int r = 0, wait_s = 1;
		switch (w->role) {
		case ROLE_MAILBOX:
			r = poll_mailbox(cfg, st, &cfg->mailboxes[w->index], imap);
			wait_s = cfg->mailboxes[w->index].poll;
			/* IDLE: new mail is taken in within seconds, not at the next poll. */
			if (r == 0 && imap != NULL) {
				imapsrc_wait(imap, wait_s < 1500 ? wait_s : 1500);
				wait_s = 0;
			}
			break;
		case ROLE_DROP:
			r = poll_drop(cfg, st, &cfg->drops[w->index], sftp);
			wait_s = cfg->drops[w->index].poll;
			break;
		case ROLE_PIPELINE:
			r = run_pipeline(cfg, st);
			break;
		case ROLE_SENDER:
			r = run_sender(cfg, st);
			wait_s = 2;
			break;
		}
		if (r < 0) {
			imapsrc_free(&imap);
			sftpsrc_free(&sftp);
			store_close(&st);
			_exit(EX_TEMPFAIL);   /* the supervisor restarts us with back-off */
		}
		sleep_interruptible(wait_s);
	}
	imapsrc_free(&imap);
	sftpsrc_free(&sftp);
	store_close(&st);
	_exit(0);
}

static void start(const struct config *cfg, struct worker *w)
{
	pid_t pid = fork();
	if (pid < 0) {
		log_warn("%s: fork", w->name);
		w->restart_at = time(NULL) + 5;
		return;
	}
	if (pid == 0)
		worker_main(cfg, w);
	w->pid = pid;
	w->started = time(NULL);
	log_debug("%s: started (pid %ld)", w->name, (long)pid);
}

static int supervise(const struct config *cfg)
{
	size_t n = cfg->n_mailboxes + cfg->n_drops + 2;
	struct worker *ws = calloc(n, sizeof(*ws));
	if (ws == NULL)
		fatal("out of memory");
	size_t k = 0;
	for (size_t i = 0; i < cfg->n_mailboxes; i++, k++) {
		ws[k] = (struct worker){ .role = ROLE_MAILBOX, .index = i };
		snprintf(ws[k].name, sizeof(ws[k].name), "mailbox %s", cfg->mailboxes[i].name);
	}
	for (size_t i = 0; i < cfg->n_drops; i++, k++) {
		ws[k] = (struct worker){ .role = ROLE_DROP, .index = i };
		snprintf(ws[k].name, sizeof(ws[k].name), "drop %s", cfg->drops[i].name);
	}
	ws[k] = (struct worker){ .role = ROLE_PIPELINE };
	snprintf(ws[k++].name, sizeof(ws[0].name), "pipeline");
	ws[k] = (struct worker){ .role = ROLE_SENDER };
	snprintf(ws[k++].name, sizeof(ws[0].name), "sender");
	/* The store is created and migrated once, before any worker opens it. */
	struct store *st;
	if (open_store(cfg, &st) < 0) {
		free(ws);
		return EX_TEMPFAIL;
	}
	store_close(&st);
	for (size_t i = 0; i < n; i++)
		start(cfg, &ws[i]);
	log_info("started: %zu mailbox(es), %zu drop(s), store %s", cfg->n_mailboxes, cfg->n_drops,
		 cfg->store_path);
	while (!stopping && !reloading) {
		int status;
		pid_t pid = waitpid(-1, &status, WNOHANG);
		time_t now = time(NULL);
		for (size_t i = 0; i < n; i++) {
			struct worker *w = &ws[i];
			if (pid > 0 && w->pid == pid) {
				w->pid = 0;
				/* A worker that ran a while before dying starts its back-off anew. */
				if (now - w->started > 300)
					w->failures = 0;
				w->failures++;
				int delay = w->failures > 6 ? 60 : 1 << (w->failures - 1);
				w->restart_at = now + delay;
				log_warnx("%s: worker ended (%s %d); restarting in %d s", w->name,
					  WIFSIGNALED(status) ? "signal" : "status",
					  WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), delay);
			}
			if (w->pid == 0 && now >= w->restart_at)
				start(cfg, w);
		}
		if (pid <= 0)
			sleep_interruptible(1);
	}
	for (size_t i = 0; i < n; i++)
		if (ws[i].pid > 0)
			kill(ws[i].pid, SIGTERM);
	for (size_t i = 0; i < n; i++)
		if (ws[i].pid > 0)
			waitpid(ws[i].pid, NULL, 0);
	free(ws);
	if (reloading && !stopping)
		return -1;   /* the caller loads the configuration again */
	log_info("stopped");
	return EX_OK;
}

/* SIGHUP: read the configuration again; if it is sound, restart the
 * workers with it, else keep running with the old one (and say why). */
static int supervise_reloading(const char *path, struct config **cfg)
{
	for (;;) {
		int rc = supervise(*cfg);
		if (rc >= 0)
			return rc;
		reloading = 0;
		struct diags d;
		diags_init(&d);
		struct config *fresh;
		int lr = config_load(path, &fresh, &d);
		for (size_t i = 0; i < d.n; i++)
			log_warnx("%s: %s", d.items[i].where, d.items[i].message);
		diags_free(&d);
		if (lr < 0) {
			log_warnx("reload: %s has errors; keeping the running configuration", path);
			continue;
		}
		config_free(cfg);
		*cfg = fresh;
		log_info("reload: %s read again", path);
	}
}

static void usage(FILE *f)
{
	fprintf(f, "usage: ordergwd [-c CONFIG] [-f] [--once] [-v]\n");
}

int main(int argc, char **argv)
{
	const char *path = NULL;
	bool fg = false, once = false;
	int verbose = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
			path = argv[++i];
		else if (strcmp(argv[i], "-f") == 0)
			fg = true;
		else if (strcmp(argv[i], "--once") == 0)
			once = true;
		else if (strcmp(argv[i], "-v") == 0)
			verbose++;
		else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			usage(stdout);
			return 0;
		} else {
			usage(stderr);
			return EX_USAGE;
		}
	}
	if (path == NULL)
		path = config_default_path();
	log_init("ordergwd", fg || once, verbose);
	struct diags d;
	diags_init(&d);
	struct config *cfg;
	int rc = config_load(path, &cfg, &d);
	for (size_t i = 0; i < d.n; i++)
		log_warnx("%s: %s%s", d.items[i].where, d.items[i].severity == DIAG_ERROR ? "" : "warning: ",
			  d.items[i].message);
	diags_free(&d);
	if (rc < 0)
		return EX_CONFIG;
	struct sigaction sa = { .sa_handler = on_term };
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	if (!fg && !once && daemon(0, 0) < 0) {
		log_warn("daemon");
		config_free(&cfg);
		return EX_OSERR;
	}
	struct sigaction hup = { .sa_handler = on_hup };
	sigaction(SIGHUP, &hup, NULL);
	rc = once ? run_once(cfg) : supervise_reloading(path, &cfg);
	config_free(&cfg);
	return rc;
}
