/*
 * newsletter_pics - the pictures a newsletter's Markdown names, read
 * from beside the Markdown file and checked once.
 *
 * A picture that names a local file (relative to the Markdown's folder)
 * is read whole, recognised as PNG, JPEG or GIF by its first bytes (not
 * its name), and held within newsletter.image_max each and
 * newsletter.images_max in all.  The same file named twice is read and
 * carried once.  https:// pictures stay where they are; http:// is
 * refused with the line it is on, since it would show in no mail
 * program and leak who reads.  Where each picture's HTML points (a cid:
 * in the mail, a data: URI in a preview, a file beside the web page) is
 * the mode's.  Errors are EX_DATAERR (65) and name the file or line.
 */
#ifndef KRING_NEWSLETTER_PICS_H
#define KRING_NEWSLETTER_PICS_H

#include <stddef.h>
#include <stdint.h>

#include "buf.h"
#include "markdown.h"

struct err;

enum pics_mode {
	PICS_CID,                /* cid:N.TAG (the mail) */
	PICS_DATA,               /* data:TYPE;base64,... (a preview page) */
	PICS_WEB,                /* BASE/N.EXT (the web version) */
};

struct pic {
	char *path;              /* as resolved, for messages */
	char *name;              /* "1.png": the web file and the part's name */
	char *cid;               /* "1.TAG" */
	const char *type;        /* image/png, image/jpeg, image/gif */
	struct buf data;
};

struct pics {
	/* Set by the caller before rendering. */
	const char *dir;         /* the Markdown's folder; NULL: none local */
	int64_t each_max, all_max;
	enum pics_mode mode;
	const char *tag;         /* cid right-hand part, e.g. "TOKEN@DOMAIN" */
	const char *base;        /* PICS_WEB: what precedes "/1.png" */
	/* Filled. */
	struct pic *v;
	size_t n;
	int64_t total;
};

/* The markdown_image_fn that reads and checks, with arg a struct pics. */
markdown_image_fn pics_resolve;

/* The type of a picture from its first bytes, or NULL. */
const char *pics_type(const void *data, size_t len);

/* The file name extension of a type ("png"). */
const char *pics_ext(const char *type);

void pics_free(struct pics *p);

#endif
