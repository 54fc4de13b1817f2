/*
 * pidlock - one kringd per store, and its pid file.
 *
 * pidlock_acquire takes an exclusive flock(2) on "STORE.lock" beside the
 * store and keeps the descriptor open (close-on-exec) for the life of the
 * process: the lock goes away with the process, however it dies, so a
 * stale lock can never block a restart.  A second kringd on the same store
 * gets EX_TEMPFAIL with the pid of the holder.  The pid file, when asked
 * for, is written after daemonizing and removed at clean exit.
 */
#ifndef KRING_PIDLOCK_H
#define KRING_PIDLOCK_H

struct err;

/* Returns the lock fd (>= 0) or -1 with e. */
int pidlock_acquire(const char *store_path, struct err *e);
/* Record our pid in the lock file (after fork) so a rival can name us. */
void pidlock_note_pid(int fd);
/* Write the pid file atomically (a new private file renamed over it).
 * 0/-1 with e. */
int pidlock_write_pidfile(const char *path, struct err *e);

#endif
