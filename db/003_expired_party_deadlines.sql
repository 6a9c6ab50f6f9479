-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- fristvakt schema, version 3. Applied by the daemon inside one transaction that also
-- sets PRAGMA user_version = 3. Never edit a released migration: add the next number.
--
-- A party's deadline (complaint, late_complaint, documentation) that passes without what it
-- waits for has expired: normal, and no breach by the office, so it gets a state of its own
-- beside the office's "missed". The CHECK constraint is edited in place as in migration 2
-- (a CHECK does not change how rows are stored).
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(sql,
	'state = ''open'' OR state = ''met'' OR state = ''missed'' OR state = ''cancelled''',
	'state = ''open'' OR state = ''met'' OR state = ''missed'' OR state = ''cancelled'' OR '
	|| 'state = ''expired''')
WHERE type = 'table' AND name = 'deadlines';
PRAGMA writable_schema = OFF;

-- The stored deadlines and planned reminders were computed by the older engine (party
-- deadlines stored as missed, pauses that ran until today, no promised dates): forgetting
-- which rules they follow makes the daemon recompute every case after it starts, in chunks,
-- with the engine and rules in force.
DELETE FROM meta WHERE key = 'rules_fingerprint';
