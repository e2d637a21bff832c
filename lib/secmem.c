/* SPDX-License-Identifier: Apache-2.0 */
/*
 * Secure memory (nwg/secmem.h). Every block starts with a 16-byte header.
 * Small blocks: slots of a size class in 64 KiB slabs mapped once, marked
 * MADV_DONTDUMP and mlocked (best effort); a freed slot is wiped and linked
 * through its header, so its payload stays zero until it is handed out
 * again. Large blocks: sodium_malloc (guard pages, canary, DONTDUMP, mlock),
 * released with sodium_free.
 */
#include <errno.h>
#include <pthread.h>
#include <sodium.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "nwg/secmem.h"

#define HDR_LEN	   16U
#define SLAB_LEN   (64U * 1024U)
#define MAGIC_LIVE 0x5ec1U
#define MAGIC_FREE 0xf4eeU
#define F_LARGE	   1U
#define F_LOCKED   2U

struct slab;

struct hdr {
	void *link; /* live: its slab (NULL for large); free: next free slot */
	uint32_t len;
	uint16_t magic;
	uint16_t flags;
};
_Static_assert(sizeof(struct hdr) <= HDR_LEN, "secmem header too large");

struct slab {
	struct slab *next;
	unsigned char *base;
	size_t slot, n_slots, n_free;
	struct hdr *free_list;
	int cls;
	bool locked;
};

static const size_t slot_sizes[] = {64, 128, 256, 512, 1024, 2048};
#define N_CLASSES (sizeof(slot_sizes) / sizeof(slot_sizes[0]))

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static struct slab *classes[N_CLASSES];
static struct nwg_secmem_stats st;
static nwg_secmem_free_hook free_hook;
static void *free_hook_ctx;

/* The raw system calls: ASan's mlock/munlock interceptors do nothing, and
 * test builds must lock for real too. */
static int lock_range(void *p, size_t len)
{
	return (int)syscall(SYS_mlock, p, len);
}

static void unlock_range(void *p, size_t len)
{
	(void)syscall(SYS_munlock, p, len);
}

/* DONTDUMP always; mlock where RLIMIT_MEMLOCK / CAP_IPC_LOCK allow. */
static bool guard_pages(void *p, size_t len)
{
	(void)madvise(p, len, MADV_DONTDUMP);
	if (lock_range(p, len) == 0) {
		st.locked += len;
		return true;
	}
	st.last_lock_errno = errno;
	return false;
}

static struct slab *slab_new(int cls)
{
	struct slab *s = calloc(1, sizeof(*s));
	void *m;

	if (!s)
		return NULL;
	m = mmap(NULL, SLAB_LEN, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (m == MAP_FAILED) {
		free(s);
		return NULL;
	}
	s->base = m;
	s->cls = cls;
	s->slot = slot_sizes[cls];
	s->n_slots = s->n_free = SLAB_LEN / s->slot;
	st.mapped += SLAB_LEN;
	s->locked = guard_pages(m, SLAB_LEN);
	for (size_t i = s->n_slots; i-- > 0;) {
		struct hdr *h = (struct hdr *)(s->base + i * s->slot);

		h->magic = MAGIC_FREE;
		h->link = s->free_list;
		s->free_list = h;
	}
	s->next = classes[cls];
	classes[cls] = s;
	return s;
}

static void slab_release(struct slab *s)
{
	struct slab **pp = &classes[s->cls];

	while (*pp != s)
		pp = &(*pp)->next;
	*pp = s->next;
	if (s->locked) {
		unlock_range(s->base, SLAB_LEN);
		st.locked -= SLAB_LEN;
	}
	munmap(s->base, SLAB_LEN);
	st.mapped -= SLAB_LEN;
	free(s);
}

static void *small_alloc(int cls, size_t len)
{
	struct slab *s = classes[cls];
	struct hdr *h;

	while (s && !s->n_free)
		s = s->next;
	if (!s && !(s = slab_new(cls)))
		return NULL;
	h = s->free_list;
	s->free_list = h->link;
	s->n_free--;
	h->link = s;
	h->len = (uint32_t)len;
	h->magic = MAGIC_LIVE;
	h->flags = 0;
	return (unsigned char *)h + HDR_LEN; /* zero: fresh pages or wiped on free */
}

static void *large_alloc(size_t len)
{
	size_t total = (HDR_LEN + len + 15U) & ~(size_t)15U; /* 16-byte aligned user part */
	struct hdr *h;

	if (sodium_init() < 0)
		return NULL;
	h = sodium_malloc(total);
	if (!h)
		return NULL;
	memset(h, 0, total);
	h->len = (uint32_t)len;
	h->magic = MAGIC_LIVE;
	h->flags = F_LARGE;
	st.mapped += total;
	if (guard_pages(h, total)) /* sodium_malloc tried too; this tells us */
		h->flags |= F_LOCKED;
	return (unsigned char *)h + HDR_LEN;
}

void *nwg_secmem_alloc(size_t len)
{
	void *p = NULL;

	if (!len || len > UINT32_MAX - 2 * HDR_LEN) {
		errno = len ? ENOMEM : EINVAL;
		return NULL;
	}
	pthread_mutex_lock(&mu);
	for (size_t i = 0; i < N_CLASSES && !p; i++) {
		if (len + HDR_LEN <= slot_sizes[i])
			p = small_alloc((int)i, len);
	}
	if (!p && len + HDR_LEN > slot_sizes[N_CLASSES - 1])
		p = large_alloc(len);
	if (p)
		st.blocks++;
	pthread_mutex_unlock(&mu);
	if (!p)
		errno = ENOMEM;
	return p;
}

static struct hdr *header_of(const void *p)
{
	struct hdr *h = (struct hdr *)((uintptr_t)p - HDR_LEN);

	if (h->magic != MAGIC_LIVE)
		abort(); /* double free or not ours: never continue on a corrupt heap */
	return h;
}

void nwg_secmem_free(void *p)
{
	struct hdr *h;
	size_t room;

	if (!p)
		return;
	pthread_mutex_lock(&mu);
	h = header_of(p);
	if (h->flags & F_LARGE) {
		room = h->len;
	} else {
		room = ((struct slab *)h->link)->slot - HDR_LEN;
	}
	sodium_memzero(p, room);
	if (free_hook)
		free_hook(p, room, free_hook_ctx);
	st.blocks--;
	if (h->flags & F_LARGE) {
		size_t total = (HDR_LEN + h->len + 15U) & ~(size_t)15U;

		st.mapped -= total;
		if (h->flags & F_LOCKED) {
			unlock_range(h, total);
			st.locked -= total;
		}
		sodium_free(h); /* wipes, unlocks and unmaps */
	} else {
		struct slab *s = h->link;

		h->magic = MAGIC_FREE;
		h->len = 0;
		h->link = s->free_list;
		s->free_list = h;
		if (++s->n_free == s->n_slots && (classes[s->cls] != s || s->next))
			slab_release(s); /* keep one slab per class mapped */
	}
	pthread_mutex_unlock(&mu);
}

size_t nwg_secmem_size(const void *p)
{
	size_t len;

	if (!p)
		return 0;
	pthread_mutex_lock(&mu);
	len = header_of(p)->len;
	pthread_mutex_unlock(&mu);
	return len;
}

void nwg_secmem_stats(struct nwg_secmem_stats *out)
{
	if (!out)
		return;
	pthread_mutex_lock(&mu);
	*out = st;
	pthread_mutex_unlock(&mu);
}

void nwg_secmem_set_free_hook(nwg_secmem_free_hook hook, void *ctx)
{
	pthread_mutex_lock(&mu);
	free_hook = hook;
	free_hook_ctx = ctx;
	pthread_mutex_unlock(&mu);
}
