/* SPDX-License-Identifier: Apache-2.0 */
/* The record's peer journal (lib/repo_journal.c): appended changes load back
 * on top of the record; a torn change is ignored and forces a fold; a whole
 * save, a removal and the quarantine never leave a journal behind; a journal
 * that is not ours or breaks the record is refused. */
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
#include "repo_journal.h"

#define PORT_A	 "6f1c2a4e-9b1d-4c7e-8f3a-0d2b5c6e7f80"
#define PROJ	 "8d3f0c1a2b4e4f6a9c7d1e2f3a4b5c6d"
#define PRIV_B64 "dwdtCnMYpX08FsFyUbJmRd9ML4frwJkqsXf7pR25LCo="
#define PUB1_B64 "hSDwCYkwp1R0i33ctD73Wg2/Og0mOBr066SpjqqbTmo="
#define PUB2_B64 "3p7bfXt9wbTTW2HC7OQ1Nz+DQ8hbeGdNrfx+FG+IK08="
#define PUB3_B64 "mOo0Jw0qHhQkBd7pXj4n0t7f2dU6QhYb0mGgkQn8d2E="

struct fx {
	char dir[64], path[128];
	struct nwg_repo *repo;
};

static struct nwg_repo_peer *peer(struct nwg_hub_record *rec, const char *spoke, const char *pub,
				  const char *ip)
{
	struct nwg_repo_peer *p = nwg_hub_record_add_peer(rec);

	assert_non_null(p);
	snprintf(p->port_id, sizeof(p->port_id), "%s", spoke);
	assert_int_equal(nwg_key_from_b64(&p->public_key, pub, 44), 0);
	if (ip)
		assert_int_equal(nwg_repo_peer_add_allowed_ip(p, ip), 0);
	return p;
}

static struct nwg_hub_record *sample(void)
{
	struct nwg_hub_record *rec = nwg_hub_record_new();

	assert_non_null(rec);
	strcpy(rec->port_id, PORT_A);
	strcpy(rec->project_id, PROJ);
	strcpy(rec->ifname, "wg-6f1c2a4e-9b");
	assert_int_equal(nwg_key_from_b64(&rec->private_key, PRIV_B64, 44), 0);
	rec->listen_port = 51820;
	peer(rec, "spoke-1", PUB1_B64, "10.99.0.5/32");
	peer(rec, "spoke-2", PUB2_B64, "10.99.0.6/32");
	return rec;
}

static const char *jpath(struct fx *f)
{
	snprintf(f->path, sizeof(f->path), "%s/repo/%s.journal", f->dir, PORT_A);
	return f->path;
}

static off_t size_of(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? st.st_size : -1;
}

static int setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	struct nwg_hub_record *rec = sample();
	char p[128];

	assert_non_null(f);
	snprintf(f->dir, sizeof(f->dir), "/tmp/nwg-journal-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	snprintf(p, sizeof(p), "%s/repo", f->dir);
	assert_int_equal(nwg_repo_open(&f->repo, p, NULL), 0);
	assert_int_equal(nwg_repo_save(f->repo, rec, NULL), 0);
	nwg_hub_record_free(rec);
	*state = f;
	return 0;
}

static int teardown(void **state)
{
	struct fx *f = *state;

	fake_repo_remove(f->dir, f->repo);
	free(f);
	return 0;
}

/* spoke-1 moves to .9, spoke-2 goes, spoke-3 comes. */
static void append_change(struct fx *f)
{
	struct nwg_hub_record *set = nwg_hub_record_new(), *gone = nwg_hub_record_new();

	peer(set, "spoke-1", PUB1_B64, "10.99.0.9/32")->persistent_keepalive = 25;
	peer(set, "spoke-3", PUB3_B64, "10.99.0.7/32");
	peer(gone, "spoke-2", PUB2_B64, NULL);
	assert_int_equal(nwg_repo_append_peers(f->repo, PORT_A, set, gone, NULL), 0);
	nwg_hub_record_free(set);
	nwg_hub_record_free(gone);
}

static const struct nwg_repo_peer *find(const struct nwg_hub_record *rec, const char *spoke)
{
	for (size_t i = 0; i < rec->n_peers; i++) {
		if (!strcmp(rec->peers[i].port_id, spoke))
			return &rec->peers[i];
	}
	return NULL;
}

static void assert_changed(struct fx *f)
{
	struct nwg_hub_record *rec = NULL;
	struct nwg_err err = {{0}};

	assert_int_equal(nwg_repo_load(f->repo, PORT_A, &rec, &err), 0);
	assert_int_equal(rec->n_peers, 2);
	assert_non_null(find(rec, "spoke-1"));
	assert_string_equal(find(rec, "spoke-1")->allowed_ips[0], "10.99.0.9/32");
	assert_int_equal(find(rec, "spoke-1")->persistent_keepalive, 25);
	assert_null(find(rec, "spoke-2"));
	assert_string_equal(find(rec, "spoke-3")->allowed_ips[0], "10.99.0.7/32");
	assert_int_equal(rec->listen_port, 51820); /* the rest of the record as it was */
	nwg_hub_record_free(rec);
}

static void test_append_loads_back(void **state)
{
	struct fx *f = *state;
	char conf[160];
	off_t before;

	snprintf(conf, sizeof(conf), "%s/repo/%s.conf", f->dir, PORT_A);
	before = size_of(conf);
	append_change(f);
	assert_int_equal(size_of(conf), before); /* the record is not rewritten */
	assert_true(size_of(jpath(f)) > 0 && size_of(jpath(f)) < 512);
	assert_changed(f);
	before = size_of(jpath(f));
	append_change(f); /* a second change goes after the first */
	assert_true(size_of(jpath(f)) > before);
	assert_changed(f);
}

/* A spoke re-keyed: its old key removed and its new key added in one change
 * (the same spoke id twice in one change). */
static void test_rekey_in_one_change(void **state)
{
	struct fx *f = *state;
	struct nwg_hub_record *set = nwg_hub_record_new(), *gone = nwg_hub_record_new(),
			      *rec = NULL;
	struct nwg_err err = {{0}};

	peer(gone, "spoke-2", PUB2_B64, NULL);
	peer(set, "spoke-2", PUB3_B64, "10.99.0.6/32");
	assert_int_equal(nwg_repo_append_peers(f->repo, PORT_A, set, gone, NULL), 0);
	assert_int_equal(nwg_repo_load(f->repo, PORT_A, &rec, &err), 0);
	assert_int_equal(rec->n_peers, 2);
	assert_non_null(find(rec, "spoke-2"));
	assert_memory_equal(find(rec, "spoke-2")->public_key.b, set->peers[0].public_key.b, 32);
	nwg_hub_record_free(rec);
	nwg_hub_record_free(set);
	nwg_hub_record_free(gone);
}

static void test_torn_change_ignored_then_folded(void **state)
{
	struct fx *f = *state;
	struct nwg_hub_record *rec = NULL, *set = nwg_hub_record_new();
	FILE *j;

	append_change(f);
	j = fopen(jpath(f), "a"); /* a crash in the middle of the next change */
	assert_non_null(j);
	fputs("\n[Peer]\n#@ spoke = spoke-9\nPublicKey = hSDw", j);
	fclose(j);
	assert_changed(f);
	peer(set, "spoke-4", PUB2_B64, "10.99.0.8/32");
	assert_int_equal(nwg_repo_append_peers(f->repo, PORT_A, set, NULL, NULL), -EAGAIN);
	/* the caller then saves the whole record: the journal goes */
	assert_int_equal(nwg_repo_load(f->repo, PORT_A, &rec, NULL), 0);
	assert_int_equal(nwg_repo_save(f->repo, rec, NULL), 0);
	assert_int_equal(size_of(jpath(f)), -1);
	assert_changed(f);
	nwg_hub_record_free(rec);
	nwg_hub_record_free(set);
}

static void test_remove_and_quarantine_take_it(void **state)
{
	struct fx *f = *state;
	struct nwg_hub_record *rec = NULL;
	char q[160];

	append_change(f);
	assert_int_equal(nwg_repo_quarantine(f->repo, PORT_A, NULL), 1);
	assert_int_equal(size_of(jpath(f)), -1);
	assert_int_equal(nwg_repo_unquarantine(f->repo, PORT_A, NULL), 1);
	assert_changed(f); /* folded into the quarantined record */
	append_change(f);
	assert_int_equal(nwg_repo_remove(f->repo, PORT_A, NULL), 0);
	assert_int_equal(size_of(jpath(f)), -1);
	assert_int_equal(nwg_repo_load(f->repo, PORT_A, &rec, NULL), -ENOENT);
	snprintf(q, sizeof(q), "%s/repo/quarantine/%s.journal", f->dir, PORT_A);
	assert_int_equal(size_of(q), -1);
	/* no record: nothing to append to */
	rec = nwg_hub_record_new();
	peer(rec, "spoke-1", PUB1_B64, NULL);
	assert_int_equal(nwg_repo_append_peers(f->repo, PORT_A, rec, NULL, NULL), -EAGAIN);
	nwg_hub_record_free(rec);
}

static void test_refused_journals(void **state)
{
	struct fx *f = *state;
	struct nwg_hub_record *rec = NULL, *set = nwg_hub_record_new();
	struct nwg_err err = {{0}};

	/* a change that breaks the record (spoke-1's id on a second key): the
	 * record loads as last written whole (its key is never lost to a journal) */
	peer(set, "spoke-1", PUB3_B64, NULL);
	assert_int_equal(nwg_repo_append_peers(f->repo, PORT_A, set, NULL, NULL), 0);
	assert_int_equal(nwg_repo_load(f->repo, PORT_A, &rec, &err), 0);
	assert_int_equal(rec->n_peers, 2);
	assert_string_equal(find(rec, "spoke-1")->allowed_ips[0], "10.99.0.5/32");
	nwg_hub_record_free(rec);
	rec = NULL;
	/* a journal others may read or write is never used */
	assert_int_equal(unlink(jpath(f)), 0);
	append_change(f);
	assert_changed(f);
	assert_int_equal(chmod(jpath(f), 0644), 0);
	assert_int_equal(nwg_repo_load(f->repo, PORT_A, &rec, &err), 0);
	assert_non_null(find(rec, "spoke-2")); /* the journal's removal not applied */
	nwg_hub_record_free(rec);
	nwg_hub_record_free(set);
}

/* The record replaced whole after the journal's last change (an older agent
 * that knows no journal, a restored backup): the journal is stale, never
 * applied, and the next change saves whole instead of appending to it. */
static void test_stale_journal_ignored(void **state)
{
	struct fx *f = *state;
	struct nwg_hub_record *rec = NULL, *set = nwg_hub_record_new();
	struct timespec later[2];
	char conf[160];

	append_change(f);
	assert_changed(f);
	assert_int_equal(clock_gettime(CLOCK_REALTIME, &later[0]), 0);
	later[0].tv_sec += 2;
	later[1] = later[0];
	snprintf(conf, sizeof(conf), "%s/repo/%s.conf", f->dir, PORT_A);
	assert_int_equal(utimensat(AT_FDCWD, conf, later, 0), 0);
	assert_int_equal(nwg_repo_load(f->repo, PORT_A, &rec, NULL), 0);
	assert_int_equal(rec->n_peers, 2);
	assert_non_null(find(rec, "spoke-2")); /* the record as last written whole */
	assert_null(find(rec, "spoke-3"));
	nwg_hub_record_free(rec);
	peer(set, "spoke-4", PUB2_B64, "10.99.0.8/32");
	assert_int_equal(nwg_repo_append_peers(f->repo, PORT_A, set, NULL, NULL), -EAGAIN);
	nwg_hub_record_free(set);
}

static void test_grammar(void **state)
{
	static const char base[] = "[Interface]\n#@ port_id = " PORT_A "\n#@ project_id = " PROJ
				   "\n#@ ifname = wg0\n#@ up = true\nPrivateKey = " PRIV_B64
				   "\nListenPort = 1\n[Peer]\n#@ spoke = s\nPublicKey = " PUB1_B64
				   "\n#@ removed = true\n#@ end\n";
	struct nwg_hub_record *rec = NULL;
	struct nwg_err err = {{0}};
	struct fx *f = *state;
	FILE *j;

	/* "#@ removed" is a journal word only */
	assert_int_equal(nwg_repo_parse(base, strlen(base), "t", &rec, &err), -EBADMSG);
	assert_non_null(strstr(err.msg, "removed"));
	/* a journal holds [Peer] sections and commits, nothing else */
	j = fopen(jpath(f), "w");
	assert_non_null(j);
	fputs("[Interface]\nListenPort = 2\n#@ commit\n", j);
	fclose(j);
	assert_int_equal(chmod(jpath(f), 0600), 0);
	{
		struct nwg_repo_journal jr;
		char text[] = "[Interface]\nListenPort = 2\n#@ commit\n";

		assert_int_equal(nwg_repo_parse_journal(text, strlen(text), "j", &jr, &err),
				 -EBADMSG);
		assert_non_null(strstr(err.msg, "[Interface] in a journal"));
	}
	assert_int_equal(nwg_repo_load(f->repo, PORT_A, &rec, &err), 0); /* record alone */
	assert_int_equal(rec->listen_port, 51820);
	nwg_hub_record_free(rec);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
	    cmocka_unit_test_setup_teardown(test_append_loads_back, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_rekey_in_one_change, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_torn_change_ignored_then_folded, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_remove_and_quarantine_take_it, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_refused_journals, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_stale_journal_ignored, setup, teardown),
	    cmocka_unit_test_setup_teardown(test_grammar, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
