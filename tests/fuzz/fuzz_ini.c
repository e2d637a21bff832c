/* SPDX-License-Identifier: Apache-2.0 */
/* libFuzzer: nwg_ini_load_string, the typed getters, transport_url. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "conf/ini.h"
#include "conf/msg_opts.h"
#include "msg/msg.h"
#include "nwg/rtnl.h"

static void getters(const struct nwg_ini *ini)
{
	static const char *const keys[] = {"transport_url", "host", "ssl", "list", "k"};
	static const char *const secs[] = {"DEFAULT", "oslo_messaging_rabbit", "s"};
	struct nwg_err err;
	struct nwg_msg_opts o;

	for (size_t s = 0; s < 3; s++) {
		for (size_t k = 0; k < 5; k++) {
			const char *v;
			bool b;
			long n;
			char **l;

			nwg_ini_get_str(ini, secs[s], keys[k], NULL, &v, &err);
			nwg_ini_get_bool(ini, secs[s], keys[k], false, &b, &err);
			nwg_ini_get_int(ini, secs[s], keys[k], 0, -5, 5, &n, &err);
			if (nwg_ini_get_list(ini, secs[s], keys[k], &l, &err) == 0)
				nwg_strv_free(l);
		}
	}
	if (nwg_msg_opts_from_ini(&o, ini, &err) == 0)
		nwg_msg_opts_clear(&o);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct nwg_ini *ini;
	struct nwg_err err;

	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	if (nwg_ini_load_string(&ini, text, "fuzz.ini", &err) == 0) {
		getters(ini);
		nwg_ini_free(ini);
	}
	free(text);
	return 0;
}
