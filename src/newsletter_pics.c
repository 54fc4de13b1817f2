/*
 * newsletter_pics - a newsletter's pictures (see newsletter_pics.h).
 */
#include "autoconf.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <sysexits.h>
#include <unistd.h>

#include "buf.h"
#include "err.h"
#include "newsletter_pics.h"
#include "xmem.h"

/* More than any newsletter holds; bounds the work a hostile file makes. */
#define PICS_COUNT_MAX 200

const char *
pics_type(const void *data, size_t len)
{
	const unsigned char *p = data;

	if (len >= 8 && memcmp(p, "\x89PNG\r\n\x1a\n", 8) == 0)
		return "image/png";
	if (len >= 3 && p[0] == 0xff && p[1] == 0xd8 && p[2] == 0xff)
		return "image/jpeg";
	if (len >= 6 && (memcmp(p, "GIF87a", 6) == 0 ||
	    memcmp(p, "GIF89a", 6) == 0))
		return "image/gif";
	return NULL;
}

const char *
pics_ext(const char *type)
{
	if (strcmp(type, "image/png") == 0)
		return "png";
	if (strcmp(type, "image/gif") == 0)
		return "gif";
	return "jpg";
}

static void
size_words(int64_t n, char *out, size_t len)
{
	if (n % (1024 * 1024) == 0)
		snprintf(out, len, "%lld MiB", (long long)(n / (1024 * 1024)));
	else if (n % 1024 == 0)
		snprintf(out, len, "%lld KiB", (long long)(n / 1024));
	else
		snprintf(out, len, "%lld bytes", (long long)n);
}

/* Read path whole within max; 0, or -1 and e naming the file. */
static int
read_pic(const char *path, int64_t max, struct buf *out, struct err *e)
{
	char lim[32], chunk[65536];
	struct stat sb;
	ssize_t r;
	int fd;

	size_words(max, lim, sizeof(lim));
	if ((fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY)) < 0)
		return err_set(e, EX_DATAERR, "%s: %s", path, strerror(errno));
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		return err_set(e, EX_DATAERR, "%s: not a file", path);
	}
	while ((r = read(fd, chunk, sizeof(chunk))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0 || (int64_t)(out->len + (size_t)r) > max) {
			close(fd);
			if (r < 0)
				return err_set(e, EX_DATAERR, "%s: %s", path,
				    strerror(errno));
			return err_set(e, EX_DATAERR, "%s: larger than %s, the "
			    "limit for one picture (newsletter.image_max)", path,
			    lim);
		}
		buf_add(out, chunk, (size_t)r);
	}
	close(fd);
	return 0;
}

/* "cid:", "https:": a scheme, as RFC 3986 spells one. */
static size_t
scheme_len(const char *url)
{
	size_t i = 0;

	while ((url[i] >= 'a' && url[i] <= 'z') || (url[i] >= 'A' &&
	    url[i] <= 'Z') || (i > 0 && ((url[i] >= '0' && url[i] <= '9') ||
	    url[i] == '+' || url[i] == '-' || url[i] == '.')))
		i++;
	return i > 1 && url[i] == ':' ? i : 0;
}

static char *
src_of(const struct pics *p, const struct pic *pic)
{
	struct buf b = BUF_INIT;
	static const char b64[] =
	    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
	const unsigned char *d = (const unsigned char *)pic->data.data;
	size_t n = pic->data.len;

	switch (p->mode) {
	case PICS_CID:
		return xasprintf("cid:%s", pic->cid);
	case PICS_WEB:
		return xasprintf("%s/%s", p->base, pic->name);
	case PICS_DATA:
		break;
	}
	buf_printf(&b, "data:%s;base64,", pic->type);
	for (size_t i = 0; i < n; i += 3) {
		uint32_t v = (uint32_t)d[i] << 16 |
		    (i + 1 < n ? (uint32_t)d[i + 1] << 8 : 0) |
		    (i + 2 < n ? d[i + 2] : 0);

		buf_putc(&b, b64[v >> 18 & 63]);
		buf_putc(&b, b64[v >> 12 & 63]);
		buf_putc(&b, i + 1 < n ? b64[v >> 6 & 63] : '=');
		buf_putc(&b, i + 2 < n ? b64[v & 63] : '=');
	}
	return buf_steal(&b);
}

int
pics_resolve(void *arg, const struct markdown_image *img, char **src,
    struct err *e)
{
	struct pics *p = arg;
	size_t sl = scheme_len(img->url);
	struct pic *pic;
	char *path, lim[32];

	*src = NULL;
	if (sl == 5 && strncasecmp(img->url, "https", 5) == 0)
		return 0;
	if (sl == 4 && strncasecmp(img->url, "http", 4) == 0)
		return err_set(e, EX_DATAERR, "line %d: picture %s: http:// is "
		    "not shown by mail programs; use https:// or a file",
		    img->line, img->url);
	if (sl > 0)
		return err_set(e, EX_DATAERR, "line %d: picture %s: not a file "
		    "and not https://", img->line, img->url);
	if (*img->url == '\0')
		return err_set(e, EX_DATAERR, "line %d: a picture without a "
		    "file name", img->line);
	if (p->dir == NULL)
		return err_set(e, EX_DATAERR, "line %d: picture %s: no folder "
		    "to find it in", img->line, img->url);
	path = img->url[0] == '/' ? xstrdup(img->url) :
	    xasprintf("%s/%s", p->dir, img->url);
	for (size_t i = 0; i < p->n; i++)
		if (strcmp(p->v[i].path, path) == 0) {
			free(path);
			*src = src_of(p, &p->v[i]);
			return 0;
		}
	if (p->n == PICS_COUNT_MAX) {
		free(path);
		return err_set(e, EX_DATAERR, "line %d: more than %d pictures",
		    img->line, PICS_COUNT_MAX);
	}
	p->v = xreallocarray(p->v, p->n + 1, sizeof(*p->v));
	pic = &p->v[p->n];
	memset(pic, 0, sizeof(*pic));
	pic->path = path;
	p->n++;
	buf_init(&pic->data, (size_t)p->each_max + 1);
	if (read_pic(path, p->each_max, &pic->data, e) != 0)
		return -1;
	if ((pic->type = pics_type(pic->data.data, pic->data.len)) == NULL)
		return err_set(e, EX_DATAERR, "%s: not a PNG, JPEG or GIF "
		    "picture", path);
	p->total += (int64_t)pic->data.len;
	if (p->total > p->all_max) {
		size_words(p->all_max, lim, sizeof(lim));
		return err_set(e, EX_DATAERR, "%s: the pictures together are "
		    "larger than %s, the limit (newsletter.images_max)", path,
		    lim);
	}
	pic->name = xasprintf("%zu.%s", p->n, pics_ext(pic->type));
	pic->cid = xasprintf("%zu.%s", p->n, p->tag ? p->tag : "pic@kring");
	*src = src_of(p, pic);
	return 0;
}

void
pics_free(struct pics *p)
{
	for (size_t i = 0; i < p->n; i++) {
		free(p->v[i].path);
		free(p->v[i].name);
		free(p->v[i].cid);
		buf_free(&p->v[i].data);
	}
	free(p->v);
	p->v = NULL;
	p->n = 0;
	p->total = 0;
}
