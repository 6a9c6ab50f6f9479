// SPDX-License-Identifier: GPL-3.0-or-later
/*
 * fuzz_validate: the method-parameter validation of every write method, fed with decoded
 * Varlink calls as the daemon decodes them (proto_call_parse), without a socket or a
 * database. The input is one message without its NUL. Properties: those of event_check.c,
 * and a call that decodes names an interface that is a prefix of its method.
 */
#include "fuzz.h"
#include "core/proto.h"

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	fuzz_event_conf();
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct proto_call call;
	struct proto_fault f;

	if (proto_call_parse((const char *)data, size, &call, &f) < 0)
		return 0;
	json_decref(fuzz_event_check(call.method, call.params));
	proto_call_deinit(&call);
	return 0;
}
