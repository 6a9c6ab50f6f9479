/* SPDX-License-Identifier: GPL-3.0-or-later */
/*
 * cli_complete: the hidden `fristvakt completion` commands. `completion bash` writes the
 * bash completion script, generated from the command table and the options each command's
 * synopsis and help name, so that the completion follows the CLI; `completion cases` and
 * `completion services` print what the running daemon knows, one word a line, for that
 * script to offer.
 */
#ifndef FV_CLI_COMPLETE_H
#define FV_CLI_COMPLETE_H

#include "cli/cli.h"

extern const struct cli_command cli_complete_cmd_completion;

#endif
