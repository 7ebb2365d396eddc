/* client.c — the delay server's protocol, client side: a request is a header (struct
 * server_req) and a payload derived from a seed; the echo must match it word for word. */
#include <errno.h>
#include <string.h>

#include "core/cvp.h"
#include "server/server.h"

enum { CHUNK_WORDS = 64 };

/* Word w of the payload of request `seed`. */
static uint64_t payload_word(uint64_t seed, uint64_t w)
{
	return wl_mix64(seed * 0x9e3779b97f4a7c15ULL + w);
}

uint64_t wl_payload_sum(uint64_t seed, uint32_t bytes)
{
	uint64_t sum = bytes;
	for (uint64_t w = 0; w < bytes / 8; w++)
		sum += wl_mix64(payload_word(seed, w) + w);
	return sum;
}

/* The payload is made and checked in chunks, so a call needs ~1 KiB of (coroutine) stack
 * whatever its size. */
int wl_server_call(const struct wl_ctx *ctx, int fd, uint64_t seed, uint32_t bytes,
		   uint64_t *sum)
{
	if (bytes % 8 || bytes > SERVER_MAX_BYTES) {
		errno = EINVAL;
		return -1;
	}
	int64_t t0 = now_ns();
	uint64_t buf[1 + CHUNK_WORDS];
	struct server_req hdr = {SERVER_MAGIC, bytes};
	uint64_t words = bytes / 8;
	/* Send: the header (one word) and the first chunk in one write, then the rest. */
	memcpy(buf, &hdr, sizeof hdr);
	uint64_t w = 0, k = 1;
	do {
		uint64_t n = 0;
		while (k + n < 1 + CHUNK_WORDS && w < words)
			buf[k + n++] = payload_word(seed, w++);
		size_t len = (k + n) * 8;
		if (wl_write_all(ctx, fd, buf, len) != (ssize_t)len)
			return -1;
		k = 0;
	} while (w < words);
	/* Receive and compare, the header and the first chunk in one read like the send. */
	uint64_t part = bytes;
	w = 0;
	k = 1;
	do {
		uint64_t n = words - w < CHUNK_WORDS + 1 - k ? words - w : CHUNK_WORDS + 1 - k;
		size_t len = (k + n) * 8;
		ssize_t got = wl_read_all(ctx, fd, buf, len);
		if (got != (ssize_t)len)
			return got < 0 ? -1 : (errno = EPIPE, -1);
		if (k && memcmp(buf, &hdr, sizeof hdr) != 0)
			return errno = EBADMSG, -1;
		for (uint64_t i = 0; i < n; i++, w++) {
			if (buf[k + i] != payload_word(seed, w))
				return errno = EBADMSG, -1;
			part += wl_mix64(buf[k + i] + w);
		}
		k = 0;
	} while (w < words);
	*sum += part;
	waits_add(ctx->run, now_ns() - t0); /* one round trip: one wait */
	return 0;
}
