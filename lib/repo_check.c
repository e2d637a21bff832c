/* SPDX-License-Identifier: Apache-2.0 */
/* Field validation for hub records. */
#include <errno.h>
#include <string.h>

#include "num.h"
#include "nwg/wg.h"
#include "repo_check.h"

/* Printable ASCII other than space, at most max bytes, none of bad[]. */
static bool word_valid(const char *s, size_t max, const char *bad)
{
	size_t n;

	if (!s)
		return false;
	n = strnlen(s, max + 1);
	if (n == 0 || n > max || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (size_t i = 0; i < n; i++) {
		if (s[i] <= ' ' || s[i] > '~' || strchr(bad, s[i]))
			return false;
	}
	return true;
}

bool nwg_repo_id_valid(const char *id)
{
	return word_valid(id, NWG_ID_MAX, "/") && id[0] != '.';
}

bool nwg_repo_ifname_valid(const char *name)
{
	return word_valid(name, IFNAMSIZ - 1, "/:");
}

bool nwg_repo_netns_valid(const char *name)
{
	return word_valid(name, NWG_NETNS_NAME_MAX, "/");
}

/* Letters, digits, '-' and '.', with at least one letter (so that a bad
 * dotted quad such as "1.2.3.999" is not taken for a name). */
static bool hostname_valid(const char *s, size_t n)
{
	bool letter = false;

	if (n == 0 || s[0] == '-' || s[0] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		bool alpha = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');

		if (!alpha && !(c >= '0' && c <= '9') && c != '-' && c != '.')
			return false;
		letter |= alpha;
	}
	return letter;
}

bool nwg_repo_endpoint_valid(const char *s)
{
	union nwg_endpoint e;
	const char *colon;
	uint32_t port;

	if (!s || strnlen(s, sizeof(((struct nwg_repo_peer *)0)->endpoint)) >=
		      sizeof(((struct nwg_repo_peer *)0)->endpoint))
		return false;
	if (nwg_endpoint_parse(&e, s) == 0)
		return true;
	colon = strrchr(s, ':');
	return colon && hostname_valid(s, (size_t)(colon - s)) &&
	       nwg_parse_u32(colon + 1, strlen(colon + 1), 65535, &port) == 0 && port != 0;
}
