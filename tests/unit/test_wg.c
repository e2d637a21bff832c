/* SPDX-License-Identifier: Apache-2.0 */
/* The backend seam: names, parsing, option and argument validation. */
#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "nwg/wg.h"

static void names_and_parse(void **state)
{
	enum nwg_backend_kind k = NWG_BACKEND_KERNEL;

	(void)state;
	assert_string_equal(nwg_backend_name(NWG_BACKEND_AUTO), "auto");
	assert_string_equal(nwg_backend_name(NWG_BACKEND_KERNEL), "kernel");
	assert_string_equal(nwg_backend_name(NWG_BACKEND_USERSPACE), "userspace");
	assert_string_equal(nwg_backend_name((enum nwg_backend_kind)42), "unknown");
	assert_int_equal(nwg_backend_parse("userspace", &k), 0);
	assert_int_equal(k, NWG_BACKEND_USERSPACE);
	assert_int_equal(nwg_backend_parse("kernel", &k), 0);
	assert_int_equal(k, NWG_BACKEND_KERNEL);
	assert_int_equal(nwg_backend_parse("auto", &k), 0);
	assert_int_equal(k, NWG_BACKEND_AUTO);
	assert_int_equal(nwg_backend_parse("Kernel", &k), -EINVAL);
	assert_int_equal(nwg_backend_parse("", &k), -EINVAL);
	assert_int_equal(nwg_backend_parse("kernel ", &k), -EINVAL);
	assert_int_equal(nwg_backend_parse(NULL, &k), -EINVAL);
	assert_int_equal(nwg_backend_parse("auto", NULL), -EINVAL);
	assert_int_equal(k, NWG_BACKEND_AUTO);
}

static void open_rejects_bad_options(void **state)
{
	struct nwg_backend *b = (struct nwg_backend *)1;
	struct nwg_backend_opts o = {.kind = NWG_BACKEND_USERSPACE};
	struct nwg_err err = {{0}};

	(void)state;
	assert_int_equal(nwg_backend_open(NULL, &o, &err), -EINVAL);
	o.kind = (enum nwg_backend_kind)7;
	assert_int_equal(nwg_backend_open(&b, &o, &err), -EINVAL);
	assert_null(b);
	assert_non_null(strstr(err.msg, "kind"));
	o.kind = NWG_BACKEND_USERSPACE;
	o.uapi_dir = "relative/dir";
	assert_int_equal(nwg_backend_open(&b, &o, &err), -EINVAL);
	o.uapi_dir = NULL;
	o.wireguard_go = "";
	assert_int_equal(nwg_backend_open(&b, &o, &err), -EINVAL);
	o.wireguard_go = NULL;
	o.start_timeout_ms = -1;
	assert_int_equal(nwg_backend_open(&b, &o, &err), -EINVAL);
	o.start_timeout_ms = 0;
	assert_int_equal(nwg_backend_open(&b, &o, &err), 0);
	assert_int_equal(nwg_backend_kind(b), NWG_BACKEND_USERSPACE);
	nwg_backend_close(b);
}

static void auto_resolves(void **state)
{
	struct nwg_backend *b = NULL;

	(void)state;
	assert_int_equal(nwg_backend_open(&b, NULL, NULL), 0);
	assert_true(nwg_backend_kind(b) == NWG_BACKEND_KERNEL ||
		    nwg_backend_kind(b) == NWG_BACKEND_USERSPACE);
	nwg_backend_reap(b);
	nwg_backend_close(b);
	nwg_backend_reap(NULL);
	nwg_backend_close(NULL);
}

static void calls_validate_arguments(void **state)
{
	struct nwg_backend_opts o = {.kind = NWG_BACKEND_USERSPACE, .uapi_dir = "/nonexistent"};
	struct nwg_backend *b = NULL;
	struct nwg_device *dev = nwg_device_new("wg0");
	struct nwg_device *out = NULL;
	struct nwg_err err = {{0}};

	(void)state;
	assert_int_equal(nwg_backend_open(&b, &o, NULL), 0);
	assert_int_equal(nwg_wg_create(NULL, "wg0", &err), -EINVAL);
	assert_int_equal(nwg_wg_create(b, NULL, &err), -EINVAL);
	assert_int_equal(nwg_wg_create(b, "", &err), -EINVAL);
	assert_int_equal(nwg_wg_create(b, "0123456789abcdef", &err), -EINVAL);
	assert_non_null(strstr(err.msg, "interface"));
	assert_int_equal(nwg_wg_create(b, "wg/0", &err), -EINVAL);
	assert_int_equal(nwg_wg_delete(b, "wg0", "", &err), -EINVAL);
	assert_int_equal(nwg_wg_delete(b, "wg0", "a/b", &err), -EINVAL);
	assert_int_equal(nwg_wg_delete(b, "wg0", "..", &err), -EINVAL);
	assert_int_equal(nwg_wg_delete(b, "wg 0", NULL, &err), -EINVAL);
	assert_int_equal(nwg_wg_get(b, "wg0", NULL, NULL, &err), -EINVAL);
	assert_int_equal(nwg_wg_get(NULL, "wg0", NULL, &out, &err), -EINVAL);
	assert_int_equal(nwg_wg_set(b, "wg0", NULL, NULL, &err), -EINVAL);
	assert_int_equal(nwg_wg_set(b, "", NULL, dev, &err), -EINVAL);
	assert_int_equal(nwg_wg_exists(b, "", NULL), 0);
	assert_int_equal(nwg_wg_exists(NULL, "wg0", NULL), 0);
	/* valid arguments, but there is no such device behind the socket dir */
	assert_int_equal(nwg_wg_exists(b, "wg0", NULL), 0);
	assert_int_equal(nwg_wg_get(b, "wg0", NULL, &out, &err), -ENODEV);
	assert_null(out);
	assert_int_equal(nwg_wg_set(b, "wg0", NULL, dev, &err), -ENODEV);
	assert_int_equal(nwg_wg_delete(b, "wg0", NULL, &err), -ENODEV);
	nwg_device_free(dev);
	nwg_backend_close(b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(names_and_parse),
	    cmocka_unit_test(open_rejects_bad_options),
	    cmocka_unit_test(auto_resolves),
	    cmocka_unit_test(calls_validate_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
