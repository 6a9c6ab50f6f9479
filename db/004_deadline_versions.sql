-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- fristvakt schema, version 4. Applied by the daemon inside one transaction that also
-- sets PRAGMA user_version = 4. Never edit a released migration: add the next number.
--
-- A deadline's version, for calendars that subscribe to the export (RFC 5545 SEQUENCE and
-- LAST-MODIFIED): raised, in the transaction that stores the case's deadlines, whenever
-- the due date or the stored state of the deadline changes. The deadlines of a case are
-- replaced as a whole when it changes, so the versions live beside them, and stay when a
-- deadline goes away: should it come back, its sequence goes on from where it was.
-- subject: the first version of the deadline's subject event. A correction supersedes
-- the event with a new one, and the deadline then runs from that, but it is still the same
-- deadline (the same UID in a calendar), so its versions go on.
-- modified: unix seconds of the wall clock (never the test clock: calendars compare it
-- with real time).
CREATE TABLE deadline_versions (
	case_id INTEGER NOT NULL REFERENCES cases (id),
	kind TEXT NOT NULL,
	subject INTEGER NOT NULL,
	due TEXT,
	state TEXT NOT NULL,
	sequence INTEGER NOT NULL CHECK (sequence >= 0),
	modified INTEGER NOT NULL,
	PRIMARY KEY (case_id, kind, subject)
) STRICT, WITHOUT ROWID;
WITH RECURSIVE roots (id, root) AS (
	SELECT id, id FROM events WHERE supersedes IS NULL
	UNION ALL
	SELECT e.id, r.root FROM events e JOIN roots r ON e.supersedes = r.id
)
INSERT OR IGNORE INTO deadline_versions (case_id, kind, subject, due, state, sequence,
					 modified)
	SELECT d.case_id, d.kind, coalesce(r.root, d.subject), d.due, d.state, 0, unixepoch()
	FROM deadlines d LEFT JOIN roots r ON r.id = d.subject;
