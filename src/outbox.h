/*
 * outbox - the maildir transport: each copy kring would send by SMTP,
 * written to a Maildir instead, for demos, previews and tests.
 *
 * The file holds "Return-Path: <VERP>" and "Delivered-To: RCPT" (what a
 * delivering MTA would add) and then exactly the bytes SMTP would carry,
 * CRLF line ends included.  It is written to tmp/, synced and renamed
 * into new/, so a reader never sees half a message and a message that
 * counts as sent survives a crash.
 */
#ifndef KRING_OUTBOX_H
#define KRING_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

struct err;

/*
 * Deliver one copy into the Maildir at dir (new/, cur/, tmp/ are made
 * when missing); tag makes the file name unique (the queue row).  0, or
 * -1 with e (EX_CANTCREAT, EX_IOERR).
 */
struct iovec;
/* ... its bytes in the n pieces of iov (the head, then the body's). */
int outbox_deliver(const char *dir, int64_t tag, const char *return_path,
    const char *rcpt, const struct iovec *iov, size_t n, struct err *e);

#endif
