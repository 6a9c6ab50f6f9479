-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- fristvakt schema, version 2. Applied by the daemon inside one transaction that also
-- sets PRAGMA user_version = 2. Never edit a released migration: add the next number.
--
-- Listings show each deadline's rule and legal source. Reading them out of the stored
-- explanation parsed every row's JSON on every listing (measured: the largest part of a
-- "next 100 due" query); they are columns now, written with the explanation.
ALTER TABLE deadlines ADD COLUMN rule TEXT;
ALTER TABLE deadlines ADD COLUMN source TEXT;
UPDATE deadlines SET rule = explanation ->> '$.rule', source = explanation ->> '$.source';

-- What Status reports, counted as rows are written instead of by scanning the tables
-- (measured: seconds on the event loop for a million cases), in the transaction of the
-- change. The daemon adds what its inserts and the replacement of a case's deadlines change
-- (store.c count_delta: one statement per figure and request; per-row triggers cost a
-- quarter of a registration, measured); the triggers below count the rarer changes: a
-- reminder's state, a reminder deleted, an attempt that carried the built-in text.
CREATE TABLE counts (
	name TEXT PRIMARY KEY,
	n INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO counts (name, n)
	SELECT 'cases', count(*) FROM cases
	UNION ALL SELECT 'events', count(*) FROM events
	UNION ALL SELECT 'deadlines', count(*) FROM deadlines
	UNION ALL SELECT 'audit', count(*) FROM audit
	UNION ALL SELECT 'template_fallbacks', count(*) FROM attempts WHERE fallback = 1
	UNION ALL SELECT 'reminders.' || s.state, (SELECT count(*) FROM reminders r
						    WHERE r.state = s.state)
	FROM (SELECT 'pending' AS state UNION ALL SELECT 'failed' UNION ALL SELECT 'sent'
	      UNION ALL SELECT 'dead' UNION ALL SELECT 'cancelled') s;
CREATE TRIGGER fallbacks_counted AFTER INSERT ON attempts WHEN NEW.fallback = 1
BEGIN UPDATE counts SET n = n + 1 WHERE name = 'template_fallbacks'; END;
CREATE TRIGGER reminders_uncounted AFTER DELETE ON reminders
BEGIN UPDATE counts SET n = n - 1 WHERE name = 'reminders.' || OLD.state; END;
CREATE TRIGGER reminders_recounted AFTER UPDATE OF state ON reminders
WHEN OLD.state <> NEW.state
BEGIN
	UPDATE counts SET n = n - 1 WHERE name = 'reminders.' || OLD.state;
	UPDATE counts SET n = n + 1 WHERE name = 'reminders.' || NEW.state;
END;

-- CHECK constraints with an IN list of three or more values: SQLite 3.40 evaluates each
-- with a temporary b-tree built for every row written (measured: 14 per registration,
-- with their pages allocated and zeroed, a fifth of a registration's time). The same
-- constraints as comparisons. A CHECK constraint does not change how rows are stored, so
-- the table definitions are edited in place, the procedure of SQLite's "ALTER TABLE"
-- documentation (section "Making Other Kinds Of Table Schema Changes"); the migration
-- runner increments PRAGMA schema_version after every migration, so every connection
-- reads the new definitions.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
SET sql = replace(replace(sql,
	'channel IN (''written'', ''oral'', ''digital'')',
	'channel = ''written'' OR channel = ''oral'' OR channel = ''digital'''),
	'state IN (''open'', ''withdrawn'', ''closed'')',
	'state = ''open'' OR state = ''withdrawn'' OR state = ''closed''')
WHERE type = 'table' AND name = 'cases';
UPDATE sqlite_schema
SET sql = replace(sql, 'state IN (''open'', ''met'', ''missed'', ''cancelled'')',
	'state = ''open'' OR state = ''met'' OR state = ''missed'' OR state = ''cancelled''')
WHERE type = 'table' AND name = 'deadlines';
UPDATE sqlite_schema
SET sql = replace(sql, 'state IN (''pending'', ''failed'', ''sent'', ''dead'', ''cancelled'')',
	'state = ''pending'' OR state = ''failed'' OR state = ''sent'' OR state = ''dead'' OR '
	|| 'state = ''cancelled''')
WHERE type = 'table' AND name = 'reminders';
UPDATE sqlite_schema
SET sql = replace(sql, 'outcome IN (''ok'', ''retry'', ''gone'', ''aborted'')',
	'outcome = ''ok'' OR outcome = ''retry'' OR outcome = ''gone'' OR outcome = ''aborted''')
WHERE type = 'table' AND name = 'attempts';
PRAGMA writable_schema = OFF;
