-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- fristvakt schema, version 1. Applied by the daemon inside one transaction that also
-- sets PRAGMA user_version = 1. Never edit a released migration: add the next number.
--
-- Privacy (taushetsplikt): a case is known by the case system's reference only; no names
-- or national identity numbers are stored. Instants are unix seconds (UTC); legal days are
-- civil dates 'YYYY-MM-DD' in the configured zone.

-- One case per application, keyed by the case system's reference.
CREATE TABLE cases (
	id INTEGER PRIMARY KEY,
	ref TEXT NOT NULL UNIQUE,
	service TEXT NOT NULL,
	handler TEXT,
	unit TEXT,
	received INTEGER NOT NULL,
	channel TEXT NOT NULL CHECK (channel IN ('written', 'oral', 'digital')),
	emergency INTEGER NOT NULL CHECK (emergency IN (0, 1)),
	state TEXT NOT NULL DEFAULT 'open' CHECK (state IN ('open', 'withdrawn', 'closed')),
	created INTEGER NOT NULL,
	updated INTEGER NOT NULL
) STRICT;
CREATE INDEX cases_service ON cases (service, id);
CREATE INDEX cases_handler ON cases (handler, id);
CREATE INDEX cases_unit ON cases (unit, id);

-- Applicant contact details, kept only with the applicant's consent to reminders.
CREATE TABLE contacts (
	case_id INTEGER PRIMARY KEY REFERENCES cases (id),
	email TEXT,
	phone TEXT,
	consent_at INTEGER NOT NULL
) STRICT;

-- Events are the truth and are never changed: a correction is a new event that names the
-- one it supersedes. client_id makes a re-sent event idempotent.
CREATE TABLE events (
	id INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL REFERENCES cases (id),
	client_id TEXT UNIQUE,
	type TEXT NOT NULL,
	occurred INTEGER NOT NULL,
	recorded INTEGER NOT NULL,
	data TEXT NOT NULL CHECK (json_valid(data)),
	supersedes INTEGER REFERENCES events (id),
	uid INTEGER NOT NULL
) STRICT;
CREATE INDEX events_case ON events (case_id, id);
CREATE INDEX events_supersedes ON events (supersedes) WHERE supersedes IS NOT NULL;

-- Deadlines are derived from events and the rules in force, each with its explanation.
CREATE TABLE deadlines (
	id INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL REFERENCES cases (id),
	kind TEXT NOT NULL,
	subject INTEGER NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('open', 'met', 'missed', 'cancelled')),
	due TEXT,
	met_on TEXT,
	explanation TEXT NOT NULL CHECK (json_valid(explanation)),
	UNIQUE (case_id, kind, subject)
) STRICT;
CREATE INDEX deadlines_state_due ON deadlines (state, due, id);
CREATE INDEX deadlines_due ON deadlines (due, id);

-- Every change, attributed to the control-socket peer that made it.
CREATE TABLE audit (
	id INTEGER PRIMARY KEY,
	at INTEGER NOT NULL,
	method TEXT NOT NULL,
	case_ref TEXT,
	uid INTEGER NOT NULL,
	gid INTEGER NOT NULL,
	pid INTEGER NOT NULL,
	outcome TEXT NOT NULL
) STRICT;
CREATE INDEX audit_case ON audit (case_ref, id);

-- The outbox: every reminder to send, planned in the same transaction as the event that
-- causes it and cancelled in the same transaction as the event that meets its deadline.
-- A reminder's id is its stable identity: it is the webhook-id and the e-mail Message-ID
-- of every attempt, so a receiver can drop repeats. case_id is NULL for digests and
-- notices to the administrators.
CREATE TABLE reminders (
	id INTEGER PRIMARY KEY,
	case_id INTEGER REFERENCES cases (id),
	kind TEXT NOT NULL,
	subject INTEGER NOT NULL,
	stage TEXT NOT NULL,
	occurrence TEXT NOT NULL,
	recipient TEXT NOT NULL DEFAULT '',
	due TEXT,
	recipients INTEGER NOT NULL,
	channel TEXT NOT NULL,
	state TEXT NOT NULL CHECK (state IN ('pending', 'failed', 'sent', 'dead', 'cancelled')),
	planned INTEGER NOT NULL,
	not_before INTEGER NOT NULL,
	attempts INTEGER NOT NULL DEFAULT 0,
	first_attempt INTEGER,
	sent_at INTEGER,
	last_error TEXT,
	data TEXT CHECK (data IS NULL OR json_valid(data)),
	created INTEGER NOT NULL,
	UNIQUE (case_id, kind, subject, stage, occurrence, recipient)
) STRICT;
CREATE INDEX reminders_next ON reminders (not_before) WHERE state IN ('pending', 'failed');
CREATE INDEX reminders_case ON reminders (case_id, state);

-- Every delivery attempt: when, on which channel, what the receiver answered.
CREATE TABLE attempts (
	id INTEGER PRIMARY KEY,
	reminder_id INTEGER NOT NULL REFERENCES reminders (id),
	at INTEGER NOT NULL,
	channel TEXT NOT NULL,
	outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'retry', 'gone', 'aborted')),
	code INTEGER,
	error TEXT,
	fallback INTEGER NOT NULL DEFAULT 0
) STRICT;
CREATE INDEX attempts_reminder ON attempts (reminder_id, id);

-- Channels a receiver disabled (HTTP 410 Gone) until an administrator retries.
CREATE TABLE disabled_channels (
	channel TEXT PRIMARY KEY,
	at INTEGER NOT NULL,
	reason TEXT NOT NULL
) STRICT;
-- Digests and notices have no case: one per recipient, stage and day.
CREATE UNIQUE INDEX reminders_caseless ON reminders (kind, stage, occurrence, recipient)
	WHERE case_id IS NULL;

-- Small facts about the database itself, e.g. the fingerprint of the rules its stored
-- deadlines were computed with (a change triggers a recompute at start-up or reload).
CREATE TABLE meta (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;
