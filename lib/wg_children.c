/* SPDX-License-Identifier: Apache-2.0 */
/* The wireguard-go children a backend spawned, so it can reap them. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "wg_priv.h"

int nwg_children_add(struct nwg_backend *b, const char *ifname, pid_t pid)
{
	struct nwg_child *n;

	n = realloc(b->children, (b->n_children + 1) * sizeof(*n));
	if (!n)
		return -ENOMEM;
	b->children = n;
	n += b->n_children++;
	memset(n, 0, sizeof(*n));
	strncpy(n->ifname, ifname, sizeof(n->ifname) - 1);
	n->pid = pid;
	return 0;
}

pid_t nwg_children_find(const struct nwg_backend *b, const char *ifname)
{
	for (size_t i = 0; i < b->n_children; i++)
		if (strcmp(b->children[i].ifname, ifname) == 0)
			return b->children[i].pid;
	return 0;
}

static void drop(struct nwg_backend *b, size_t i)
{
	b->children[i] = b->children[--b->n_children];
}

void nwg_children_forget(struct nwg_backend *b, const char *ifname)
{
	for (size_t i = 0; i < b->n_children; i++) {
		if (strcmp(b->children[i].ifname, ifname) == 0) {
			drop(b, i);
			return;
		}
	}
}

void nwg_backend_reap(struct nwg_backend *b)
{
	if (!b)
		return;
	for (size_t i = 0; i < b->n_children;) {
		pid_t w = waitpid(b->children[i].pid, NULL, WNOHANG);

		if (w == b->children[i].pid || (w < 0 && errno == ECHILD))
			drop(b, i);
		else
			i++;
	}
}
