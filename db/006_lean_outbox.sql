-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- fristvakt schema, version 6. Applied by the daemon inside one transaction that also
-- sets PRAGMA user_version = 6. Never edit a released migration: add the next number.
--
-- The lean path: a registration wrote a case, an event, two deadlines with their
-- explanations and eight reminders, about 4.7 KiB a case (measured at 1M cases); most of
-- those reminders were cancelled unsent when the case was decided.
--
-- 1. Only what is next is planned (ops/plan.c): each deadline holds one reminder to send
-- for the staff and one for the applicant, the next planned at its first attempt.
-- Of the reminders a deadline holds for one recipient and that are still to be sent, the
-- earliest stays; the later ones that were never attempted go. Each is planned again in
-- its turn, under a new id: none of them was ever sent, so no receiver knows the old one.
-- A reminder with any attempt recorded (also one aborted when its channel was disabled
-- during the transfer, which does not count in attempts) stays, as do sent, dead and
-- cancelled ones. The counts follow through the triggers of db/002 and db/005.
DELETE FROM reminders AS r
WHERE r.case_id IS NOT NULL AND r.state = 'pending' AND r.attempts = 0
	AND NOT EXISTS (SELECT 1 FROM attempts a WHERE a.reminder_id = r.id)
	AND EXISTS (SELECT 1 FROM reminders o
		    WHERE o.case_id = r.case_id AND o.kind = r.kind AND o.subject = r.subject
			AND o.recipient = r.recipient AND (o.state = 'pending' OR o.state = 'failed')
			AND (o.not_before < r.not_before
			     OR (o.not_before = r.not_before AND o.id < r.id)));

-- reminders_case (case_id, state) duplicated the first column of the reminders' identity
-- index (case_id, kind, subject, stage, occurrence, recipient), which serves the same
-- lookups of a case's reminders.
DROP INDEX reminders_case;

-- 2. A deadline's explanation is derived data: computed from the case's events and the
-- rules whenever a reply or a message shows it (the rules' fingerprint in meta recomputes
-- the stored dates when the rules change). Stored, it was most of a deadline row. The
-- table is built anew without it rather than by ALTER TABLE DROP COLUMN, which rewrites
-- each row in place and leaves its pages as many as before, mostly empty (measured: 2.7
-- KiB a case before and after on 1M cases); the pages of the old table are free for
-- reuse (VACUUM, with the daemon stopped, gives them back to the file system).
CREATE TABLE deadlines_6 (
	id INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL REFERENCES cases (id),
	kind TEXT NOT NULL,
	subject INTEGER NOT NULL,
	state TEXT NOT NULL CHECK (state = 'open' OR state = 'met' OR state = 'missed' OR
				   state = 'cancelled' OR state = 'expired'),
	due TEXT,
	met_on TEXT,
	rule TEXT,
	source TEXT,
	UNIQUE (case_id, kind, subject)
) STRICT;
INSERT INTO deadlines_6 (id, case_id, kind, subject, state, due, met_on, rule, source)
	SELECT id, case_id, kind, subject, state, due, met_on, rule, source FROM deadlines
	ORDER BY id;
DROP TABLE deadlines;
ALTER TABLE deadlines_6 RENAME TO deadlines;
CREATE INDEX deadlines_state_due ON deadlines (state, due, id);
CREATE INDEX deadlines_due ON deadlines (due, id);

-- 3. JSON the daemon wrote itself is not checked again on every insert (json_valid in a
-- CHECK constraint parses every event and reminder written). The constraints are removed
-- from the table definitions in place, as in db/002: a CHECK does not change how rows are
-- stored.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema SET sql = replace(sql, 'data TEXT NOT NULL CHECK (json_valid(data))',
				       'data TEXT NOT NULL')
WHERE type = 'table' AND name = 'events';
UPDATE sqlite_schema SET sql = replace(sql, 'data TEXT CHECK (data IS NULL OR json_valid(data))',
				       'data TEXT')
WHERE type = 'table' AND name = 'reminders';
PRAGMA writable_schema = OFF;
