/* SPDX-License-Identifier: Apache-2.0 */
/* The channel repository: format/parse, strictness, files and directory. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "fake_repo.h"
#include "nwg/repo.h"
#include "nwg/secmem.h"

#define PORT_A	 "6f1c2a4e-9b1d-4c7e-8f3a-0d2b5c6e7f80"
#define PROJ	 "8d3f0c1a2b4e4f6a9c7d1e2f3a4b5c6d"
#define PRIV_B64 "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo="
#define PUB1_B64 "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo="
#define PUB2_B64 "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08="

static const char sample_text[] =
    "# neutron-wireguard hub, managed by neutron-wireguard-agent.\n"
    "# Valid `wg setconf` input; \"#@\" lines are the agent's own fields.\n"
    "[Interface]\n"
    "#@ port_id = " PORT_A "\n"
    "#@ project_id = " PROJ "\n"
    "#@ ifname = wg-6f1c2a4e-9b\n"
    "#@ netns = tun-" PROJ "\n"
    "#@ home_netns = tun-" PROJ "\n"
    "#@ mtu = 1420\n"
    "#@ up = true\n"
    "#@ address = 10.99.0.1/24\n"
    "#@ address = fd00:99::1/64\n"
    "PrivateKey = " PRIV_B64 "\n"
    "ListenPort = 51820\n"
    "\n"
    "[Peer]\n"
    "#@ spoke = spoke-1\n"
    "PublicKey = " PUB1_B64 "\n"
    "AllowedIPs = 10.99.0.5/32, fd00:99::5/128\n"
    "Endpoint = 198.51.100.7:51820\n"
    "PersistentKeepalive = 25\n"
    "\n"
    "[Peer]\n"
    "#@ spoke = spoke-2\n"
    "PublicKey = " PUB2_B64 "\n"
    "\n"
    "#@ end\n";

static struct nwg_hub_record *sample(const char *port_id)
{
	struct nwg_hub_record *rec = nwg_hub_record_new();
	struct nwg_repo_peer *p;

	assert_non_null(rec);
	strcpy(rec->port_id, port_id);
	strcpy(rec->project_id, PROJ);
	strcpy(rec->ifname, "wg-6f1c2a4e-9b");
	strcpy(rec->netns, "tun-" PROJ);
	strcpy(rec->home_netns, "tun-" PROJ);
	assert_int_equal(nwg_key_from_b64(&rec->private_key, PRIV_B64, 44), 0);
	rec->listen_port = 51820;
	rec->mtu = 1420;
	rec->up = true;
	assert_int_equal(nwg_hub_record_add_address(rec, "10.99.0.1/24"), 0);
	assert_int_equal(nwg_hub_record_add_address(rec, "fd00:99::1/64"), 0);
	p = nwg_hub_record_add_peer(rec);
	strcpy(p->port_id, "spoke-1");
	assert_int_equal(nwg_key_from_b64(&p->public_key, PUB1_B64, 44), 0);
	assert_int_equal(nwg_repo_peer_add_allowed_ip(p, "10.99.0.5/32"), 0);
	assert_int_equal(nwg_repo_peer_add_allowed_ip(p, "fd00:99::5/128"), 0);
	strcpy(p->endpoint, "198.51.100.7:51820");
	p->persistent_keepalive = 25;
	p = nwg_hub_record_add_peer(rec);
	strcpy(p->port_id, "spoke-2");
	assert_int_equal(nwg_key_from_b64(&p->public_key, PUB2_B64, 44), 0);
	return rec;
}

static void test_format_golden(void **state)
{
	struct nwg_hub_record *rec = sample(PORT_A);
	char *text;
	size_t len;

	(void)state;
	assert_int_equal(nwg_repo_format(rec, &text, &len), 0);
	assert_string_equal(text, sample_text);
	assert_int_equal(len, strlen(sample_text));
	nwg_secmem_free(text);
	nwg_hub_record_free(rec);
}

static void test_parse_fields(void **state)
{
	struct nwg_hub_record *rec;
	struct nwg_err err = {""};
	char b64[NWG_KEY_B64_LEN + 1];

	(void)state;
	assert_int_equal(nwg_repo_parse(sample_text, strlen(sample_text), "x", &rec, &err), 0);
	assert_string_equal(rec->port_id, PORT_A);
	assert_string_equal(rec->project_id, PROJ);
	assert_string_equal(rec->ifname, "wg-6f1c2a4e-9b");
	assert_string_equal(rec->netns, "tun-" PROJ);
	assert_string_equal(rec->home_netns, "tun-" PROJ);
	nwg_key_to_b64(b64, &rec->private_key);
	assert_string_equal(b64, PRIV_B64);
	assert_int_equal(rec->listen_port, 51820);
	assert_int_equal(rec->mtu, 1420);
	assert_true(rec->up);
	assert_string_equal(rec->addresses[0], "10.99.0.1/24");
	assert_string_equal(rec->addresses[1], "fd00:99::1/64");
	assert_null(rec->addresses[2]);
	assert_int_equal(rec->n_peers, 2);
	assert_string_equal(rec->peers[0].port_id, "spoke-1");
	nwg_key_to_b64(b64, &rec->peers[0].public_key);
	assert_string_equal(b64, PUB1_B64);
	assert_string_equal(rec->peers[0].allowed_ips[1], "fd00:99::5/128");
	assert_null(rec->peers[0].allowed_ips[2]);
	assert_string_equal(rec->peers[0].endpoint, "198.51.100.7:51820");
	assert_int_equal(rec->peers[0].persistent_keepalive, 25);
	assert_string_equal(rec->peers[1].port_id, "spoke-2");
	assert_null(rec->peers[1].allowed_ips);
	assert_string_equal(rec->peers[1].endpoint, "");
	assert_int_equal(rec->peers[1].persistent_keepalive, 0);
	nwg_hub_record_free(rec);
}

/* A minimal record (root hub, no peers, no optional fields) round-trips. */
static void test_round_trip_minimal(void **state)
{
	struct nwg_hub_record *rec = nwg_hub_record_new(), *back;
	char *t1, *t2;
	size_t l1, l2;

	(void)state;
	strcpy(rec->port_id, "p");
	strcpy(rec->project_id, "q");
	strcpy(rec->ifname, "wg-p");
	rec->private_key.b[0] = 8;
	rec->listen_port = 1;
	assert_int_equal(nwg_repo_format(rec, &t1, &l1), 0);
	assert_int_equal(nwg_repo_parse(t1, l1, "m", &back, NULL), 0);
	assert_string_equal(back->netns, "");
	assert_int_equal(back->mtu, 0);
	assert_false(back->up);
	assert_null(back->addresses);
	assert_int_equal(back->n_peers, 0);
	assert_true(nwg_key_equal(&back->private_key, &rec->private_key));
	assert_int_equal(nwg_repo_format(back, &t2, &l2), 0);
	assert_int_equal(l1, l2);
	assert_string_equal(t1, t2);
	nwg_secmem_free(t1);
	nwg_secmem_free(t2);
	nwg_hub_record_free(back);
	nwg_hub_record_free(rec);
}

/* Replaces the first occurrence of from by to in sample_text, parses, and
 * expects -EBADMSG with a message that starts with want. */
static void expect_corrupt(const char *from, const char *to, const char *want)
{
	char buf[4096], *at;
	struct nwg_hub_record *rec = (void *)1;
	struct nwg_err err = {""};

	at = strstr(sample_text, from);
	assert_non_null(at);
	snprintf(buf, sizeof(buf), "%.*s%s%s", (int)(at - sample_text), sample_text, to,
		 at + strlen(from));
	if (nwg_repo_parse(buf, strlen(buf), "hub.conf", &rec, &err) != -EBADMSG)
		fail_msg("accepted %s -> %s", from, to);
	assert_null(rec);
	if (strncmp(err.msg, want, strlen(want)))
		fail_msg("%s -> %s: got \"%s\", want \"%s...\"", from, to, err.msg, want);
	assert_null(strstr(err.msg, PRIV_B64));
	assert_null(strstr(err.msg, "wdtCnMYpX08"));
}

static void test_corrupt(void **state)
{
	(void)state;
	expect_corrupt("[Interface]", "[Intrface]", "hub.conf:3: unknown section");
	expect_corrupt("ListenPort = 51820", "ListenPort = 0", "hub.conf:14: invalid ListenPort");
	expect_corrupt("ListenPort = 51820", "ListenPort = 65536", "hub.conf:14: invalid");
	expect_corrupt("ListenPort = 51820", "ListenPort = 051820", "hub.conf:14: invalid");
	expect_corrupt("ListenPort = 51820", "ListenPort = 51820\nListenPort = 1",
		       "hub.conf:15: ListenPort repeated");
	expect_corrupt("ListenPort", "listenport", "hub.conf:14: unknown key");
	expect_corrupt("ListenPort = 51820", "ListenPort 51820", "hub.conf:14: expected");
	expect_corrupt("ListenPort = 51820", "ListenPort =", "hub.conf:14: empty value");
	expect_corrupt("PrivateKey = dw", "PrivateKey = *w", "hub.conf:13: invalid PrivateKey");
	expect_corrupt("PrivateKey = dw", "PrivateKey = dwdw", "hub.conf:13: invalid PrivateKey");
	expect_corrupt("PrivateKey = dw",
		       "PrivateKey = AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=\n#",
		       "hub.conf:13: invalid PrivateKey");
	expect_corrupt("pR25LCo=", "pR25LCp=", "hub.conf:13: invalid PrivateKey");
	expect_corrupt("#@ mtu = 1420", "#@ mtu = 67", "hub.conf:9: invalid mtu");
	expect_corrupt("#@ mtu = 1420", "#@ mtu = 1420\n#@ bogus = 1", "hub.conf:10: unknown key");
	expect_corrupt("#@ up = true", "#@ up = yes", "hub.conf:10: invalid up");
	expect_corrupt("#@ ifname = wg-6f1c2a4e-9b", "#@ ifname = wg-6f1c2a4e-9bxy",
		       "hub.conf:6: invalid ifname");
	expect_corrupt("#@ ifname = wg-6f1c2a4e-9b", "#@ ifname = wg:0", "hub.conf:6: invalid");
	expect_corrupt("#@ port_id = ", "#@ port_id = ../", "hub.conf:4: invalid port_id");
	expect_corrupt("#@ port_id = ", "#@ port_id = .", "hub.conf:4: invalid port_id");
	expect_corrupt("#@ netns = tun", "#@ netns = a/b", "hub.conf:7: invalid netns");
	expect_corrupt("10.99.0.1/24", "10.99.0.1/33", "hub.conf:11: invalid address");
	expect_corrupt("10.99.0.5/32,", "10.99.0.5/31,", "hub.conf:19: invalid AllowedIPs");
	expect_corrupt("10.99.0.5/32,", "10.99.0.5/32,,", "hub.conf:19: invalid AllowedIPs");
	expect_corrupt("5/128\n", "5/128,\n", "hub.conf:19: invalid AllowedIPs");
	expect_corrupt("198.51.100.7:51820", "198.51.100.7:0", "hub.conf:20: invalid Endpoint");
	expect_corrupt("Keepalive = 25", "Keepalive = 0", "hub.conf:21: invalid Persistent");
	expect_corrupt("#@ spoke = spoke-2", "#@ spoke = spoke-1", "hub.conf:24: duplicate spoke");
	expect_corrupt("PublicKey = 3p7b", "PublicKey = " PUB1_B64 "\n#",
		       "hub.conf:25: duplicate PublicKey");
	expect_corrupt("#@ spoke = spoke-1\n", "", "hub.conf:22: missing #@ spoke");
	expect_corrupt("PrivateKey", "# PrivateKey", "hub.conf:16: missing PrivateKey");
	expect_corrupt("#@ port_id", "# port_id", "hub.conf:16: missing #@ port_id");
	expect_corrupt("#@ end\n", "", "hub.conf:26: missing #@ end");
	expect_corrupt("#@ end\n", "#@ end\nx = 1\n", "hub.conf:28: data after #@ end");
	expect_corrupt("[Interface]\n", "x\n", "hub.conf:3: data before [Interface]");
	expect_corrupt("#@ up = true\n", "", "hub.conf:15: missing #@ up");
	expect_corrupt("#@ up = true", "#@ up = true\r", "hub.conf:10: control character");
	expect_corrupt("#@ spoke = spoke-1", "#@ mtu = 1500", "hub.conf:17: #@ mtu outside");
	expect_corrupt("ListenPort = 51820", "Endpoint = 1.2.3.4:5",
		       "hub.conf:14: Endpoint outside");
	expect_corrupt("[Peer]", "[Interface]", "hub.conf:16: unexpected [Interface]");
}

static void test_parse_edge(void **state)
{
	const char nul[] = "[Interface]\n#@ port_id = a\0b\n";
	struct nwg_hub_record *rec;
	struct nwg_err err = {""};

	(void)state;
	assert_int_equal(nwg_repo_parse("", 0, "e", &rec, &err), -EBADMSG);
	assert_string_equal(err.msg, "e:0: missing [Interface]");
	assert_int_equal(nwg_repo_parse(nul, sizeof(nul) - 1, "n", &rec, &err), -EBADMSG);
	assert_string_equal(err.msg, "n:2: NUL byte");
	assert_null(rec);
	assert_int_equal(nwg_repo_parse(NULL, 0, NULL, &rec, &err), -EBADMSG);
	assert_string_equal(err.msg, "(buffer):0: missing [Interface]");
	assert_int_equal(nwg_repo_parse(NULL, 3, NULL, &rec, NULL), -EINVAL);
}

/* Every proper prefix of a valid file (a truncated write) is rejected. */
static void test_truncated(void **state)
{
	struct nwg_hub_record *rec;
	size_t len = strlen(sample_text);

	(void)state;
	for (size_t n = 0; n < len - 1; n++) {
		if (nwg_repo_parse(sample_text, n, "t", &rec, NULL) != -EBADMSG)
			fail_msg("prefix of %zu bytes accepted", n);
	}
	assert_int_equal(nwg_repo_parse(sample_text, len - 1, "t", &rec, NULL), 0);
	nwg_hub_record_free(rec);
}

static void test_format_rejects_invalid(void **state)
{
	struct nwg_hub_record *rec = sample(PORT_A);
	char *text = (char *)1;
	size_t len;

	(void)state;
	strcpy(rec->ifname, "bad/name");
	assert_int_equal(nwg_repo_format(rec, &text, &len), -EINVAL);
	assert_null(text);
	strcpy(rec->ifname, "wg0");
	strcpy(rec->peers[1].port_id, "spoke-1");
	assert_int_equal(nwg_repo_format(rec, &text, &len), -EINVAL);
	strcpy(rec->peers[1].port_id, "spoke-2");
	assert_int_equal(nwg_repo_format(rec, &text, &len), 0);
	nwg_secmem_free(text);
	assert_int_equal(nwg_hub_record_add_address(rec, "10.0.0.1"), -EINVAL);
	assert_int_equal(nwg_repo_peer_add_allowed_ip(&rec->peers[0], "10.0.0.1/24"), -EINVAL);
	nwg_hub_record_free(rec);
}

/* ---- filesystem ---- */

static int setup_dir(void **state)
{
	char *dir = strdup("/tmp/nwg-test-repo-XXXXXX");

	if (!dir || !mkdtemp(dir))
		return -1;
	*state = dir;
	return 0;
}

static int teardown_dir(void **state)
{
	fake_dir_remove(*state);
	free(*state);
	return 0;
}

static char *path_in(const char *dir, const char *name)
{
	static char buf[512];

	snprintf(buf, sizeof(buf), "%s/%s", dir, name);
	return buf;
}

static struct nwg_repo *open_repo(const char *dir)
{
	struct nwg_repo *repo;
	struct nwg_err err = {""};

	if (nwg_repo_open(&repo, path_in(dir, "repo"), &err) != 0)
		fail_msg("open: %s", err.msg);
	return repo;
}

static size_t count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	size_t n = 0;

	assert_non_null(d);
	while ((de = readdir(d)))
		n += de->d_name[0] != '.' || (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."));
	closedir(d);
	return n;
}

static void test_save_load_perms(void **state)
{
	const char *dir = *state;
	struct nwg_repo *repo = open_repo(dir);
	struct nwg_hub_record *rec = sample(PORT_A), *back;
	struct nwg_err err = {""};
	struct stat st;
	char *text;
	size_t len;

	assert_int_equal(stat(path_in(dir, "repo"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	assert_int_equal(nwg_repo_save(repo, rec, &err), 0);
	assert_int_equal(stat(path_in(dir, "repo/" PORT_A ".conf"), &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(count_entries(path_in(dir, "repo")), 1); /* no temp left */
	assert_int_equal(nwg_repo_load(repo, PORT_A, &back, &err), 0);
	assert_int_equal(nwg_repo_format(back, &text, &len), 0);
	assert_string_equal(text, sample_text);
	nwg_secmem_free(text);
	nwg_hub_record_free(back);
	/* Replace: the new content wins, still one file. */
	rec->listen_port = 51821;
	assert_int_equal(nwg_repo_save(repo, rec, &err), 0);
	assert_int_equal(nwg_repo_load(repo, PORT_A, &back, &err), 0);
	assert_int_equal(back->listen_port, 51821);
	assert_int_equal(count_entries(path_in(dir, "repo")), 1);
	nwg_hub_record_free(back);
	nwg_hub_record_free(rec);
	nwg_repo_close(repo);
}

static void test_open_refuses(void **state)
{
	const char *dir = *state;
	struct nwg_repo *repo = (void *)1;
	struct nwg_err err = {""};
	const char *p = path_in(dir, "open");

	assert_int_equal(mkdir(p, 0700), 0);
	assert_int_equal(chmod(p, 0755), 0);
	assert_int_equal(nwg_repo_open(&repo, p, &err), -EPERM);
	assert_null(repo);
	assert_non_null(strstr(err.msg, "0755"));
	assert_int_equal(chmod(p, 0710), 0);
	assert_int_equal(nwg_repo_open(&repo, p, &err), -EPERM);
	assert_int_equal(chmod(p, 0700), 0);
	assert_int_equal(nwg_repo_open(&repo, p, &err), 0);
	nwg_repo_close(repo);
	if (geteuid() == 0) {
		assert_int_equal(chown(p, 65534, 65534), 0);
		assert_int_equal(nwg_repo_open(&repo, p, &err), -EPERM);
		assert_non_null(strstr(err.msg, "owned by uid 65534"));
	}
	assert_int_equal(nwg_repo_open(&repo, path_in(dir, "no/such/dir"), &err), -ENOENT);
	assert_int_equal(nwg_repo_open(&repo, "", &err), -EINVAL);
}

static void test_bad_ids(void **state)
{
	struct nwg_repo *repo = open_repo(*state);
	struct nwg_hub_record *rec = sample("../escape"), *back;
	static const char *const bad[] = {"../x", "a/b", ".hidden", "", "a b", NULL};

	assert_int_equal(nwg_repo_save(repo, rec, NULL), -EINVAL);
	for (int i = 0; bad[i]; i++) {
		assert_int_equal(nwg_repo_load(repo, bad[i], &back, NULL), -EINVAL);
		assert_int_equal(nwg_repo_remove(repo, bad[i], NULL), -EINVAL);
	}
	assert_int_equal(nwg_repo_load(repo, NULL, &back, NULL), -EINVAL);
	assert_int_equal(nwg_repo_load(repo, "absent", &back, NULL), -ENOENT);
	assert_int_equal(count_entries(path_in(*state, "repo")), 0);
	nwg_hub_record_free(rec);
	nwg_repo_close(repo);
}

static void test_remove_idempotent(void **state)
{
	struct nwg_repo *repo = open_repo(*state);
	struct nwg_hub_record *rec = sample(PORT_A), *back;

	assert_int_equal(nwg_repo_save(repo, rec, NULL), 0);
	assert_int_equal(nwg_repo_remove(repo, PORT_A, NULL), 0);
	assert_int_equal(nwg_repo_load(repo, PORT_A, &back, NULL), -ENOENT);
	assert_int_equal(nwg_repo_remove(repo, PORT_A, NULL), 0);
	assert_int_equal(count_entries(path_in(*state, "repo")), 0);
	nwg_hub_record_free(rec);
	nwg_repo_close(repo);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
	assert_int_equal(chmod(path, 0600), 0);
}

struct seen {
	char ids[8][NWG_ID_MAX + 1];
	char errs[8][NWG_ERR_MSG_LEN];
	int n_ok, n_bad, stop_after;
};

static int collect(const struct nwg_hub_record *rec, const char *path, const struct nwg_err *err,
		   void *ctx)
{
	struct seen *s = ctx;

	assert_non_null(path);
	if (rec) {
		assert_null(err);
		strcpy(s->ids[s->n_ok++], rec->port_id);
	} else {
		assert_non_null(err);
		strcpy(s->errs[s->n_bad++], err->msg);
	}
	return s->stop_after && s->n_ok + s->n_bad == s->stop_after ? 7 : 0;
}

static void test_foreach(void **state)
{
	const char *dir = *state;
	struct nwg_repo *repo = open_repo(dir);
	const char *ids[] = {"c-port", "a-port", "b-port"};
	struct seen s = {.n_ok = 0};
	char buf[512];

	for (int i = 0; i < 3; i++) {
		struct nwg_hub_record *rec = sample(ids[i]);

		assert_int_equal(nwg_repo_save(repo, rec, NULL), 0);
		nwg_hub_record_free(rec);
	}
	write_file(path_in(dir, "repo/bb-corrupt.conf"), "[Interface]\n#@ port_id = bb\nbogus\n");
	write_file(path_in(dir, "repo/.a-port.conf.123.0.tmp"), "half");
	write_file(path_in(dir, "repo/README"), "not a record");
	/* a file whose port_id does not match its name */
	{
		struct nwg_hub_record *rec = sample("a-port");
		char *text = NULL;
		size_t len = 0;

		assert_int_equal(nwg_repo_format(rec, &text, &len), 0);
		write_file(path_in(dir, "repo/d-port.conf"), text);
		nwg_secmem_free(text);
		nwg_hub_record_free(rec);
	}
	(void)buf;
	assert_int_equal(nwg_repo_foreach(repo, collect, &s, NULL), 0);
	assert_int_equal(s.n_ok, 3);
	assert_string_equal(s.ids[0], "a-port");
	assert_string_equal(s.ids[1], "b-port");
	assert_string_equal(s.ids[2], "c-port");
	assert_int_equal(s.n_bad, 2);
	snprintf(buf, sizeof(buf), "%s/repo/bb-corrupt.conf:3: expected", dir);
	assert_memory_equal(s.errs[0], buf, strlen(buf));
	assert_non_null(strstr(s.errs[1], "d-port.conf: port_id does not match"));
	/* Early stop returns the callback's value. */
	memset(&s, 0, sizeof(s));
	s.stop_after = 2;
	assert_int_equal(nwg_repo_foreach(repo, collect, &s, NULL), 7);
	assert_int_equal(s.n_ok + s.n_bad, 2);
	nwg_repo_close(repo);
}

/* Record files someone else could have read or planted are refused, with a
 * reason naming the file, mode, owner and links. */
static void test_record_file_perms(void **state)
{
	const char *dir = *state;
	struct nwg_repo *repo = open_repo(dir);
	struct nwg_hub_record *rec = sample(PORT_A), *back = NULL;
	struct nwg_err err = {""};
	char file[512], other[512];

	assert_int_equal(nwg_repo_save(repo, rec, NULL), 0);
	snprintf(file, sizeof(file), "%s", path_in(dir, "repo/" PORT_A ".conf"));
	snprintf(other, sizeof(other), "%s", path_in(dir, "elsewhere.conf"));
	assert_int_equal(nwg_repo_load(repo, PORT_A, &back, NULL), 0);
	nwg_hub_record_free(back);
	/* group/other bits */
	assert_int_equal(chmod(file, 0640), 0);
	assert_int_equal(nwg_repo_load(repo, PORT_A, &back, &err), -EPERM);
	assert_null(back);
	assert_non_null(strstr(err.msg, "refused: mode 0640"));
	assert_non_null(strstr(err.msg, PORT_A ".conf"));
	assert_int_equal(chmod(file, 0600), 0);
	/* a second link (to a file outside the repository) */
	assert_int_equal(link(file, other), 0);
	assert_int_equal(nwg_repo_load(repo, PORT_A, &back, &err), -EPERM);
	assert_non_null(strstr(err.msg, "2 links"));
	assert_int_equal(unlink(other), 0);
	/* another owner */
	if (geteuid() == 0) {
		assert_int_equal(chown(file, 65534, 65534), 0);
		assert_int_equal(nwg_repo_load(repo, PORT_A, &back, &err), -EPERM);
		assert_non_null(strstr(err.msg, "uid 65534"));
		assert_int_equal(chown(file, 0, 0), 0);
	}
	assert_int_equal(nwg_repo_load(repo, PORT_A, &back, NULL), 0);
	nwg_hub_record_free(back);
	nwg_hub_record_free(rec);
	nwg_repo_close(repo);
}

/* The key-only read (nwg_repo_load_key) refuses what the full load refuses,
 * with the same error; it reads no peer and no journal. */
static void both(struct nwg_repo *repo, const char *id, int want, const char *what)
{
	struct nwg_hub_record *back = NULL;
	struct nwg_key k;
	int full = nwg_repo_load(repo, id, &back, NULL),
	    key = nwg_repo_load_key(repo, id, &k, NULL);

	nwg_hub_record_free(back);
	if (full != want || key != want)
		fail_msg("%s: load %d, load_key %d, want %d", what, full, key, want);
}

static void test_load_key(void **state)
{
	const char *dir = *state;
	struct nwg_repo *repo = open_repo(dir);
	struct nwg_hub_record *rec = sample(PORT_A);
	struct nwg_key k;
	char file[512], other[512];
	const char *peer = strstr(sample_text, "[Peer]");
	char bad_peer[sizeof(sample_text) + 32];

	assert_int_equal(nwg_repo_save(repo, rec, NULL), 0);
	snprintf(file, sizeof(file), "%s", path_in(dir, "repo/" PORT_A ".conf"));
	snprintf(other, sizeof(other), "%s", path_in(dir, "elsewhere.conf"));
	assert_int_equal(nwg_repo_load_key(repo, PORT_A, &k, NULL), 0);
	assert_memory_equal(k.b, rec->private_key.b, NWG_KEY_LEN);
	both(repo, PORT_A, 0, "a good record");
	both(repo, "../etc/x", -EINVAL, "a path for a port id");
	both(repo, "00000000-0000-4000-8000-00000000dead", -ENOENT, "no record");
	assert_int_equal(chmod(file, 0640), 0);
	both(repo, PORT_A, -EPERM, "mode 0640");
	assert_int_equal(chmod(file, 0600), 0);
	assert_int_equal(link(file, other), 0);
	both(repo, PORT_A, -EPERM, "a second link");
	assert_int_equal(unlink(other), 0);
	if (geteuid() == 0) {
		assert_int_equal(chown(file, 65534, 65534), 0);
		both(repo, PORT_A, -EPERM, "another owner");
		assert_int_equal(chown(file, 0, 0), 0);
	}
	/* a symlink to a good record elsewhere */
	assert_int_equal(rename(file, other), 0);
	assert_int_equal(symlink(other, file), 0);
	both(repo, PORT_A, -ELOOP, "a symlink");
	assert_int_equal(unlink(file), 0);
	assert_int_equal(unlink(other), 0);
	/* the header outside the grammar; a record under another hub's name */
	write_file(file, "[Interface]\n#@ port_id = " PORT_A "\nPrivateKey = nope\n#@ end\n");
	both(repo, PORT_A, -EBADMSG, "a bad key");
	write_file(file, "[Interface]\n#@ port_id = " PORT_A "\n");
	both(repo, PORT_A, -EBADMSG, "a header cut short");
	write_file(file, sample_text);
	both(repo, PORT_A, 0, "the sample");
	assert_int_equal(
	    rename(file, path_in(dir, "repo/00000000-0000-4000-8000-0000000000bb.conf")), 0);
	both(repo, "00000000-0000-4000-8000-0000000000bb", -EBADMSG, "another hub's record");
	/* the peers are not read: a broken [Peer] refuses the record, not its key */
	snprintf(bad_peer, sizeof(bad_peer), "%.*s[Peer]\nPublicKey = broken\n#@ end\n",
		 (int)(peer - sample_text), sample_text);
	write_file(file, bad_peer);
	assert_int_equal(nwg_repo_load_key(repo, PORT_A, &k, NULL), 0);
	assert_int_equal(nwg_key_from_b64(&rec->private_key, PRIV_B64, strlen(PRIV_B64)), 0);
	assert_memory_equal(k.b, rec->private_key.b, NWG_KEY_LEN);
	nwg_hub_record_free(rec);
	nwg_repo_close(repo);
}

/* A crash between write and rename leaves ".<file>.<pid>.<n>.tmp": removed
 * at start, records and other files left alone. */
static void test_remove_temp(void **state)
{
	const char *dir = *state;
	struct nwg_repo *repo = open_repo(dir);
	struct nwg_hub_record *rec = sample(PORT_A);

	assert_int_equal(nwg_repo_save(repo, rec, NULL), 0);
	write_file(path_in(dir, "repo/." PORT_A ".conf.123.0.tmp"), "PrivateKey = x\n");
	write_file(path_in(dir, "repo/.b-port.conf.9.1.tmp"), "half");
	write_file(path_in(dir, "repo/README"), "kept");
	assert_int_equal(count_entries(path_in(dir, "repo")), 4);
	assert_int_equal(nwg_repo_remove_temp(repo, NULL), 2);
	assert_int_equal(count_entries(path_in(dir, "repo")), 2);
	assert_int_equal(access(path_in(dir, "repo/README"), F_OK), 0);
	assert_int_equal(access(path_in(dir, "repo/" PORT_A ".conf"), F_OK), 0);
	assert_int_equal(nwg_repo_remove_temp(repo, NULL), 0);
	assert_int_equal(unlink(path_in(dir, "repo/README")), 0);
	nwg_hub_record_free(rec);
	nwg_repo_close(repo);
}

/* A deleted hub's record waits in quarantine: restored intact (same key and
 * listen port) when the hub comes back, purged after its time. */
static void test_quarantine(void **state)
{
	const char *dir = *state;
	struct nwg_repo *repo = open_repo(dir);
	struct nwg_hub_record *rec = sample(PORT_A), *back = NULL;
	struct stat st;

	assert_int_equal(nwg_repo_quarantine(repo, PORT_A, NULL), 0); /* nothing yet */
	assert_int_equal(nwg_repo_unquarantine(repo, PORT_A, NULL), 0);
	assert_int_equal(nwg_repo_purge_quarantine(repo, 0, time(NULL), NULL), 0);
	assert_int_equal(nwg_repo_save(repo, rec, NULL), 0);
	assert_int_equal(nwg_repo_quarantine(repo, PORT_A, NULL), 1);
	assert_int_equal(nwg_repo_load(repo, PORT_A, &back, NULL), -ENOENT);
	assert_int_equal(stat(path_in(dir, "repo/quarantine"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(path_in(dir, "repo/quarantine/" PORT_A ".conf"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	/* the walk does not see it */
	{
		struct seen s = {.n_ok = 0};

		assert_int_equal(nwg_repo_foreach(repo, collect, &s, NULL), 0);
		assert_int_equal(s.n_ok + s.n_bad, 0);
	}
	/* not old enough: kept */
	assert_int_equal(nwg_repo_purge_quarantine(repo, 7 * 86400, time(NULL), NULL), 0);
	/* back: the very same record (key, listen port) */
	assert_int_equal(nwg_repo_unquarantine(repo, PORT_A, NULL), 1);
	assert_int_equal(nwg_repo_load(repo, PORT_A, &back, NULL), 0);
	assert_memory_equal(back->private_key.b, rec->private_key.b, sizeof(rec->private_key.b));
	assert_int_equal(back->listen_port, rec->listen_port);
	nwg_hub_record_free(back);
	assert_int_equal(nwg_repo_unquarantine(repo, PORT_A, NULL), 0);
	/* purged once old enough */
	assert_int_equal(nwg_repo_quarantine(repo, PORT_A, NULL), 1);
	assert_int_equal(nwg_repo_purge_quarantine(repo, 7 * 86400, time(NULL) + 7 * 86400, NULL),
			 1);
	assert_int_equal(nwg_repo_unquarantine(repo, PORT_A, NULL), 0);
	assert_int_equal(nwg_repo_load(repo, PORT_A, &back, NULL), -ENOENT);
	assert_int_equal(nwg_repo_quarantine(repo, "../x", NULL), -EINVAL);
	nwg_hub_record_free(rec);
	nwg_repo_close(repo);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test(test_format_golden),
	    cmocka_unit_test(test_parse_fields),
	    cmocka_unit_test(test_round_trip_minimal),
	    cmocka_unit_test(test_corrupt),
	    cmocka_unit_test(test_parse_edge),
	    cmocka_unit_test(test_truncated),
	    cmocka_unit_test(test_format_rejects_invalid),
	    cmocka_unit_test_setup_teardown(test_save_load_perms, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_open_refuses, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_bad_ids, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_remove_idempotent, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_foreach, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_record_file_perms, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_load_key, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_remove_temp, setup_dir, teardown_dir),
	    cmocka_unit_test_setup_teardown(test_quarantine, setup_dir, teardown_dir),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
