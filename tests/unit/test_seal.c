/* SPDX-License-Identifier: Apache-2.0 */
/* HA key sealing: round trip, binding to the port id and the recipient,
 * tampering, malformed envelopes, and the enrollment key file's rules. */
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "nwg/seal.h"

static const char PORT[] = "1bb4d55a-1267-42e5-a68c-b9f2ffd073b6";
static const char OTHER[] = "04ef73f8-d0f1-4e29-b9c8-e1594af72ef0";

struct pair {
	struct nwg_key priv, pub;
};

static struct pair mkpair(void)
{
	struct pair p;

	assert_int_equal(nwg_key_generate(&p.priv), 0);
	assert_int_equal(nwg_key_public(&p.pub, &p.priv), 0);
	return p;
}

static void sealed_for(char out[NWG_SEALED_B64_LEN + 1], struct nwg_key *hub, const struct pair *to)
{
	assert_int_equal(nwg_key_generate(hub), 0);
	assert_int_equal(nwg_seal_hub_key(out, hub, PORT, &to->pub), 0);
	assert_int_equal(strlen(out), NWG_SEALED_B64_LEN);
}

static void round_trip(void **state)
{
	struct pair node = mkpair();
	struct nwg_key hub, got;
	char s[NWG_SEALED_B64_LEN + 1], s2[NWG_SEALED_B64_LEN + 1];

	(void)state;
	sealed_for(s, &hub, &node);
	assert_int_equal(nwg_unseal_hub_key(&got, s, strlen(s), PORT, &node.pub, &node.priv), 0);
	assert_true(nwg_key_equal(&got, &hub));
	/* sealed boxes are randomized: the same key never gives the same blob */
	assert_int_equal(nwg_seal_hub_key(s2, &hub, PORT, &node.pub), 0);
	assert_string_not_equal(s, s2);
	/* the plaintext key is not visible in the envelope */
	char b64[NWG_KEY_B64_LEN + 1];
	nwg_key_to_b64(b64, &hub);
	b64[20] = '\0';
	assert_null(strstr(s, b64));
}

static void other_node_cannot_open(void **state)
{
	struct pair node = mkpair(), thief = mkpair();
	struct nwg_key hub, got = {{0}};
	char s[NWG_SEALED_B64_LEN + 1];

	(void)state;
	sealed_for(s, &hub, &node);
	assert_int_equal(nwg_unseal_hub_key(&got, s, strlen(s), PORT, &thief.pub, &thief.priv),
			 -ENOKEY);
	assert_true(nwg_key_is_zero(&got));
}

static void bound_to_port(void **state)
{
	struct pair node = mkpair();
	struct nwg_key hub, got = {{0}};
	char s[NWG_SEALED_B64_LEN + 1];

	(void)state;
	sealed_for(s, &hub, &node);
	assert_int_equal(nwg_unseal_hub_key(&got, s, strlen(s), OTHER, &node.pub, &node.priv),
			 -EBADMSG);
	assert_true(nwg_key_is_zero(&got));
}

static void tampered(void **state)
{
	struct pair node = mkpair();
	struct nwg_key hub, got;
	char s[NWG_SEALED_B64_LEN + 1];

	(void)state;
	sealed_for(s, &hub, &node);
	for (int i = 0; i < NWG_SEALED_B64_LEN - 4; i += 7) {
		char t[NWG_SEALED_B64_LEN + 1];

		memcpy(t, s, sizeof(t));
		t[i] = t[i] == 'A' ? 'B' : 'A';
		assert_int_equal(
		    nwg_unseal_hub_key(&got, t, strlen(t), PORT, &node.pub, &node.priv), -ENOKEY);
	}
}

static void malformed(void **state)
{
	struct pair node = mkpair();
	struct nwg_key hub, got;
	char s[NWG_SEALED_B64_LEN + 1], t[NWG_SEALED_B64_LEN + 2];

	(void)state;
	sealed_for(s, &hub, &node);
	assert_int_equal(nwg_unseal_hub_key(&got, s, strlen(s) - 4, PORT, &node.pub, &node.priv),
			 -EINVAL);
	memcpy(t, s, sizeof(s));
	t[10] = '*';
	assert_int_equal(nwg_unseal_hub_key(&got, t, strlen(t), PORT, &node.pub, &node.priv),
			 -EINVAL);
	memcpy(t, s, sizeof(s));
	t[10] = '\0';
	assert_int_equal(
	    nwg_unseal_hub_key(&got, t, NWG_SEALED_B64_LEN, PORT, &node.pub, &node.priv), -EINVAL);
	assert_int_equal(
	    nwg_unseal_hub_key(&got, s, strlen(s), "not-a-uuid", &node.pub, &node.priv), -EINVAL);
	assert_int_equal(nwg_unseal_hub_key(&got, NULL, 0, PORT, &node.pub, &node.priv), -EINVAL);
}

static void seal_refuses(void **state)
{
	struct pair node = mkpair();
	struct nwg_key zero = {{0}}, hub;
	char s[NWG_SEALED_B64_LEN + 1];

	(void)state;
	assert_int_equal(nwg_key_generate(&hub), 0);
	assert_int_equal(nwg_seal_hub_key(s, &zero, PORT, &node.pub), -EINVAL);
	assert_int_equal(nwg_seal_hub_key(s, &hub, PORT, &zero), -EINVAL);
	assert_int_equal(
	    nwg_seal_hub_key(s, &hub, "1BB4D55A-1267-42E5-A68C-B9F2FFD073B6", &node.pub), -EINVAL);
	assert_int_equal(
	    nwg_seal_hub_key(s, &hub, "1bb4d55a-1267-42e5-a68c-b9f2ffd073b", &node.pub), -EINVAL);
}

static char dir[64];

static int mkdir_tmp(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/nwg-seal-XXXXXX");
	return mkdtemp(dir) ? 0 : -1;
}

static int rm_tmp(void **state)
{
	char cmd[128];

	(void)state;
	snprintf(cmd, sizeof(cmd), "rm -rf %s", dir);
	return system(cmd);
}

static void enroll_create_then_load(void **state)
{
	struct nwg_key p1, k1, p2, k2, check;
	char path[128];
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/enroll.key", dir);
	assert_int_equal(nwg_enroll_load_or_create(path, &k1, &p1), 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(nwg_enroll_load_or_create(path, &k2, &p2), 0);
	assert_true(nwg_key_equal(&k1, &k2));
	assert_int_equal(nwg_key_public(&check, &k2), 0);
	assert_true(nwg_key_equal(&check, &p2));
}

static void enroll_refuses_loose_files(void **state)
{
	struct nwg_key k, p;
	char path[128], other[128];

	(void)state;
	snprintf(path, sizeof(path), "%s/loose.key", dir);
	assert_int_equal(nwg_enroll_load_or_create(path, &k, &p), 0);
	assert_int_equal(chmod(path, 0640), 0);
	assert_int_equal(nwg_enroll_load_or_create(path, &k, &p), -EPERM);
	assert_int_equal(chmod(path, 0600), 0);
	snprintf(other, sizeof(other), "%s/link.key", dir);
	assert_int_equal(symlink(path, other), 0);
	assert_int_equal(nwg_enroll_load_or_create(other, &k, &p), -EPERM);
	snprintf(other, sizeof(other), "%s/hard.key", dir);
	assert_int_equal(link(path, other), 0); /* two links */
	assert_int_equal(nwg_enroll_load_or_create(path, &k, &p), -EPERM);
}

static void enroll_refuses_bad_content(void **state)
{
	struct nwg_key k, p;
	char path[128];
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/bad.key", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL, 0600);
	assert_true(fd >= 0);
	/* 44 characters and a newline, but not base64 */
	assert_int_equal(write(fd, "********************************************\n", 45), 45);
	close(fd);
	assert_int_equal(nwg_enroll_load_or_create(path, &k, &p), -EINVAL);
	assert_true(nwg_key_is_zero(&k));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(round_trip),
	    cmocka_unit_test(other_node_cannot_open),
	    cmocka_unit_test(bound_to_port),
	    cmocka_unit_test(tampered),
	    cmocka_unit_test(malformed),
	    cmocka_unit_test(seal_refuses),
	    cmocka_unit_test(enroll_create_then_load),
	    cmocka_unit_test(enroll_refuses_loose_files),
	    cmocka_unit_test(enroll_refuses_bad_content),
	};

	return cmocka_run_group_tests(tests, mkdir_tmp, rm_tmp);
}
