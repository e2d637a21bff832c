/* SPDX-License-Identifier: Apache-2.0 */
/* Secure memory: every buffer that holds a hub private key (records, devices,
 * the serialised record, the UAPI set request) is on pages excluded from
 * core dumps (VmFlags "dd" in /proc/self/smaps), locked when mlock is
 * allowed ("lo"), and wiped before it is released (a free hook sees it). */
#include <errno.h>
#include <inttypes.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nwg/repo.h"
#include "nwg/secmem.h"
#include "nwg/wg.h"
#include "wg_backend.h"

/* The VmFlags of the mapping that holds p, as " f1 f2 ... " (for strstr). */
static void vmflags_of(const void *p, char *out, size_t len)
{
	FILE *f = fopen("/proc/self/smaps", "r");
	uintptr_t a = (uintptr_t)p, lo, hi;
	char line[512];
	bool in = false;

	assert_non_null(f);
	out[0] = '\0';
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%" SCNxPTR "-%" SCNxPTR " ", &lo, &hi) == 2 &&
		    strchr(line, '-') < strchr(line, ' ')) {
			in = a >= lo && a < hi;
		} else if (in && strncmp(line, "VmFlags:", 8) == 0) {
			line[strcspn(line, "\n")] = '\0';
			snprintf(out, len, "%s ", line + 8);
			break;
		}
	}
	fclose(f);
	assert_true(out[0] != '\0'); /* the mapping was found */
}

static void assert_dontdump(const void *p)
{
	char flags[256];

	vmflags_of(p, flags, sizeof(flags));
	if (!strstr(flags, " dd "))
		fail_msg("%p not excluded from core dumps: VmFlags:%s", p, flags);
}

struct seen {
	const void *p;
	size_t len, max_len;
	bool zero, all_zero;
	int calls;
};

static void on_free(const void *p, size_t len, void *ctx)
{
	struct seen *s = ctx;
	const unsigned char *b = p;

	s->all_zero = s->calls ? s->all_zero : true;
	s->calls++;
	s->p = p;
	s->len = len;
	s->max_len = len > s->max_len ? len : s->max_len;
	s->zero = true;
	for (size_t i = 0; i < len; i++)
		s->zero = s->zero && b[i] == 0;
	s->all_zero = s->all_zero && s->zero;
}

static void test_alloc(void **state)
{
	static const size_t sizes[] = {1, 32, 100, 500, 2000, 2032, 2033, 9000, 40000};
	struct nwg_secmem_stats before, after;

	(void)state;
	nwg_secmem_stats(&before);
	errno = 0;
	assert_null(nwg_secmem_alloc(0));
	assert_int_equal(errno, EINVAL);
	assert_null(nwg_secmem_alloc(SIZE_MAX));
	nwg_secmem_free(NULL);
	assert_int_equal(nwg_secmem_size(NULL), 0);
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		unsigned char *p = nwg_secmem_alloc(sizes[i]);

		assert_non_null(p);
		assert_int_equal((uintptr_t)p % 16, 0);
		assert_int_equal(nwg_secmem_size(p), sizes[i]);
		for (size_t j = 0; j < sizes[i]; j++)
			assert_int_equal(p[j], 0);
		memset(p, 0xa5, sizes[i]);
		assert_dontdump(p);
		assert_dontdump(p + sizes[i] - 1);
		nwg_secmem_free(p);
	}
	nwg_secmem_stats(&after);
	assert_int_equal(after.blocks, before.blocks);
}

/* Slots are reused, come back zeroed, and empty slabs are unmapped. */
static void test_reuse(void **state)
{
	enum { N = 5000 };
	struct nwg_secmem_stats before, full, after;
	unsigned char **v = calloc(N, sizeof(*v));

	(void)state;
	assert_non_null(v);
	nwg_secmem_stats(&before);
	for (int i = 0; i < N; i++) {
		v[i] = nwg_secmem_alloc((size_t)(16 + (i % 7) * 150));
		assert_non_null(v[i]);
		memset(v[i], 0x5a, nwg_secmem_size(v[i]));
	}
	nwg_secmem_stats(&full);
	assert_int_equal(full.blocks, before.blocks + N);
	assert_true(full.mapped > before.mapped);
	for (int i = 0; i < N; i += 2)
		nwg_secmem_free(v[i]);
	for (int i = 0; i < N; i += 2) {
		v[i] = nwg_secmem_alloc((size_t)(16 + (i % 7) * 150));
		assert_non_null(v[i]);
		for (size_t j = 0; j < nwg_secmem_size(v[i]); j++)
			assert_int_equal(v[i][j], 0); /* a reused slot is clean */
	}
	for (int i = 0; i < N; i++)
		nwg_secmem_free(v[i]);
	nwg_secmem_stats(&after);
	assert_int_equal(after.blocks, before.blocks);
	/* at most one slab (64 KiB) per size class stays mapped */
	assert_true(after.mapped <= before.mapped + 6 * 64 * 1024);
	free(v);
}

/* A freed small slot stays mapped and is zero where the secret was. */
static void test_wiped(void **state)
{
	struct seen s = {0};
	unsigned char *p = nwg_secmem_alloc(48), *q;

	(void)state;
	assert_non_null(p);
	memset(p, 0xee, 48);
	nwg_secmem_set_free_hook(on_free, &s);
	nwg_secmem_free(p);
	nwg_secmem_set_free_hook(NULL, NULL);
	assert_int_equal(s.calls, 1);
	assert_ptr_equal(s.p, p);
	assert_true(s.len >= 48);
	assert_true(s.zero);
	for (size_t i = 0; i < 48; i++)
		assert_int_equal(p[i], 0); /* slab pages stay mapped: still wiped */
	q = nwg_secmem_alloc(9000);	   /* large: libsodium guarded */
	assert_non_null(q);
	memset(q, 0xee, 9000);
	s.calls = 0;
	nwg_secmem_set_free_hook(on_free, &s);
	nwg_secmem_free(q);
	nwg_secmem_set_free_hook(NULL, NULL);
	assert_int_equal(s.calls, 1);
	assert_int_equal(s.len, 9000);
	assert_true(s.zero);
}

/* When mlock is allowed (root, or a large enough limit), slabs are locked. */
static void test_locked(void **state)
{
	struct nwg_secmem_stats st;
	void *p = nwg_secmem_alloc(200);
	char flags[256];

	(void)state;
	assert_non_null(p);
	nwg_secmem_stats(&st);
	vmflags_of(p, flags, sizeof(flags));
	if (st.last_lock_errno == 0) /* every mlock so far was accepted */
		assert_non_null(strstr(flags, " lo "));
	else
		print_message("mlock refused (errno %d): not locked, still dd\n",
			      st.last_lock_errno);
	assert_non_null(strstr(flags, " dd "));
	nwg_secmem_free(p);
}

/* The hub record: its key is in dd pages, and wiped before release. */
static void test_record(void **state)
{
	struct nwg_hub_record *rec = nwg_hub_record_new();
	struct seen s = {0};
	char *text = NULL;
	size_t len = 0;

	(void)state;
	assert_non_null(rec);
	assert_dontdump(&rec->private_key);
	strcpy(rec->port_id, "11111111-2222-3333-4444-555555555555");
	strcpy(rec->project_id, "p1");
	strcpy(rec->ifname, "wg-11111111-22");
	memset(rec->private_key.b, 0x41, NWG_KEY_LEN);
	rec->listen_port = 51820;
	/* the serialised record (written to disk) holds the key in base64 */
	assert_int_equal(nwg_repo_format(rec, &text, &len), 0);
	assert_non_null(strstr(text, "PrivateKey = QUFB"));
	assert_dontdump(text);
	nwg_secmem_set_free_hook(on_free, &s);
	/* parsing it back: the parser's copy of the text is secure and wiped */
	{
		struct nwg_hub_record *back = NULL;

		assert_int_equal(nwg_repo_parse(text, len, "t.conf", &back, NULL), 0);
		assert_true(nwg_key_equal(&back->private_key, &rec->private_key));
		assert_true(s.calls >= 1);
		assert_true(s.max_len >= len + 1);
		assert_true(s.all_zero);
		nwg_hub_record_free(back);
		memset(&s, 0, sizeof(s));
	}
	nwg_secmem_free(text);
	assert_int_equal(s.calls, 1);
	assert_ptr_equal(s.p, text);
	assert_true(s.len >= len);
	assert_true(s.zero);
	s.calls = 0;
	nwg_hub_record_free(rec);
	nwg_secmem_set_free_hook(NULL, NULL);
	assert_int_equal(s.calls, 1);
	assert_ptr_equal(s.p, rec);
	assert_true(s.len >= sizeof(*rec));
	assert_true(s.zero);
}

/* The device model and the UAPI set request built from it. */
static void test_device_and_request(void **state)
{
	struct nwg_device *dev = nwg_device_new("wg0");
	struct seen s = {0};
	char *req = NULL;
	size_t len = 0;

	(void)state;
	assert_non_null(dev);
	assert_dontdump(&dev->private_key);
	memset(dev->private_key.b, 0x42, NWG_KEY_LEN);
	dev->flags = NWG_DEV_HAS_PRIVATE_KEY;
	assert_int_equal(nwg_uapi_format_set(dev, &req, &len), 0);
	assert_non_null(strstr(req, "private_key=4242"));
	assert_dontdump(req);
	nwg_secmem_set_free_hook(on_free, &s);
	nwg_secmem_free(req);
	assert_int_equal(s.calls, 1);
	assert_true(s.zero);
	s.calls = 0;
	nwg_device_free(dev);
	nwg_secmem_set_free_hook(NULL, NULL);
	assert_int_equal(s.calls, 1);
	assert_ptr_equal(s.p, dev);
	assert_true(s.zero);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_alloc),  cmocka_unit_test(test_reuse),
	    cmocka_unit_test(test_wiped),  cmocka_unit_test(test_locked),
	    cmocka_unit_test(test_record), cmocka_unit_test(test_device_and_request),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
