/* SPDX-License-Identifier: Apache-2.0 */
/*
 * libFuzzer harness for the privsep messages (agent/privsep): the input is
 * one datagram from a peer that cannot be trusted. Properties:
 *  - nothing crashes or leaks on any input;
 *  - what decodes also passes the field checks and encodes again, and the
 *    encoding is stable (encode(decode(encode(m))) == encode(m));
 *  - the executor's dispatch runs an operation only for a request that
 *    decodes, answers every datagram with exactly one RESULT last, and
 *    never answers with anything that fails to encode.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "privsep/proto.h"
#include "privsep/server.h"

static uint8_t out1[NWG_PS_MAX_MSG], out2[NWG_PS_MAX_MSG];

struct seen {
	int ops, results, others;
	uint16_t last;
};

static int op_read(void *ctx, uint16_t type, const struct nwg_ps_ids *ids, nwg_ps_emit_fn emit,
		   void *ectx, uint32_t seq, struct nwg_ps_result *out, struct nwg_err *err)
{
	(void)out;
	(void)type;
	(void)ids;
	(void)emit;
	(void)ectx;
	(void)seq;
	(void)err;
	((struct seen *)ctx)->ops++;
	return 0;
}

static int op_apply(void *ctx, const struct nwg_ps_apply *a, struct nwg_ps_result *out,
		    struct nwg_err *err)
{
	(void)a;
	(void)out;
	(void)err;
	((struct seen *)ctx)->ops++;
	return 0;
}

static int op_place(void *ctx, const struct nwg_ps_place *p, struct nwg_ps_result *out,
		    struct nwg_err *err)
{
	(void)p;
	(void)out;
	(void)err;
	((struct seen *)ctx)->ops++;
	return 0;
}

static int op_repo(void *ctx, uint16_t type, const char *id, uint32_t age,
		   struct nwg_ps_result *out, struct nwg_err *err)
{
	(void)out;
	(void)type;
	(void)id;
	(void)age;
	(void)err;
	((struct seen *)ctx)->ops++;
	return 0;
}

static int sink(void *ectx, const struct nwg_ps_msg *m)
{
	struct seen *s = ectx;

	if (nwg_ps_encode(m, out2, sizeof(out2), NULL) < 0)
		abort(); /* the executor never answers outside the grammar */
	if (m->type == NWG_PS_RESULT)
		s->results++;
	else
		s->others++;
	s->last = m->type;
	return 0;
}

static int op_netns(void *ctx, const char *netns, struct nwg_ps_result *out, struct nwg_err *err)
{
	(void)netns;
	(void)out;
	(void)err;
	((struct seen *)ctx)->ops++;
	return 0;
}

static int op_seal(void *ctx, const struct nwg_ps_seal *s, struct nwg_ps_result *out,
		   struct nwg_err *err)
{
	(void)s;
	(void)out;
	(void)err;
	((struct seen *)ctx)->ops++;
	return 0;
}

static int op_ha(void *ctx, const struct nwg_ps_ha *h, struct nwg_ps_result *out,
		 struct nwg_err *err)
{
	(void)h;
	(void)out;
	(void)err;
	((struct seen *)ctx)->ops++;
	return 0;
}

static int op_stream(void *ctx, const struct nwg_ps_stream *st, struct nwg_ps_result *out,
		     struct nwg_err *err)
{
	(void)st;
	(void)out;
	(void)err;
	((struct seen *)ctx)->ops++;
	return 0;
}

static int op_vrrp(void *ctx, const struct nwg_ps_vrrp *v, struct nwg_ps_result *out,
		   struct nwg_err *err)
{
	(void)v;
	(void)out;
	(void)err;
	((struct seen *)ctx)->ops++;
	return 0;
}

static int op_ovn_plug(void *ctx, const struct nwg_ps_ovn *o, struct nwg_ps_result *out,
		       struct nwg_err *err)
{
	(void)o;
	(void)out;
	(void)err;
	((struct seen *)ctx)->ops++;
	return 0;
}

static int op_ovn_sweep(void *ctx, struct nwg_ps_result *out, struct nwg_err *err)
{
	(void)out;
	(void)err;
	((struct seen *)ctx)->ops++;
	return 0;
}

static const struct nwg_ps_ops ops = {op_read,	op_apply,    op_place,	  op_repo,
				      op_netns, op_seal,     op_ha,	  op_stream,
				      op_vrrp,	op_ovn_plug, op_ovn_sweep};
static const struct nwg_ps_policy pol = {.ns_prefix = "tun-"};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct nwg_ps_msg a, b;
	struct seen s = {0};
	int ok, n1, n2;

	ok = nwg_ps_decode(data, size, &a, NULL) == 0;
	if (ok) {
		if (nwg_ps_check(&a, NULL) != 0)
			abort();
		n1 = nwg_ps_encode(&a, out1, sizeof(out1), NULL);
		if (n1 < 0 || nwg_ps_decode(out1, (size_t)n1, &b, NULL) != 0)
			abort();
		n2 = nwg_ps_encode(&b, out2, sizeof(out2), NULL);
		if (n2 != n1 || memcmp(out1, out2, (size_t)n1) != 0)
			abort();
		nwg_ps_msg_clear(&b);
	}
	nwg_ps_serve(&pol, &ops, &s, data, size, sink, &s);
	if (s.results != 1 || s.last != NWG_PS_RESULT || s.others)
		abort(); /* the stub read emits nothing: exactly one RESULT */
	if (!ok && s.ops)
		abort();
	nwg_ps_msg_clear(&a);
	return 0;
}
