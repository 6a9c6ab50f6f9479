-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- fristvakt schema, version 7. Applied by the daemon inside one transaction that also
-- sets PRAGMA user_version = 7. Never edit a released migration: add the next number.
--
-- The metrics (ops/metrics.c) report cases by state and deadlines by kind and state at
-- every scrape, on the event loop, so they are kept as figures of the counts table rather
-- than grouped at the scrape. Measured on 100,000 cases (200,000 deadlines): grouping the
-- cases by scanning the table took 68 ms, the deadlines 100 ms.
--
-- 1. Cases that are no longer open ("cases.closed", "cases.withdrawn"), counted by
-- triggers: a case changes its state rarely (closed, withdrawn), is inserted open (the
-- daemon counts it in "cases", store.c), and the open ones are "cases" less these. A case
-- deleted leaves its state's count.
INSERT INTO counts (name, n)
	SELECT 'cases.' || s.state, (SELECT count(*) FROM cases c WHERE c.state = s.state)
	FROM (SELECT 'closed' AS state UNION ALL SELECT 'withdrawn') s;
CREATE TRIGGER cases_state_recounted AFTER UPDATE OF state ON cases
WHEN OLD.state <> NEW.state
BEGIN
	UPDATE counts SET n = n - 1 WHERE name = 'cases.' || OLD.state;
	UPDATE counts SET n = n + 1 WHERE name = 'cases.' || NEW.state;
END;
CREATE TRIGGER cases_state_uncounted AFTER DELETE ON cases
BEGIN
	UPDATE counts SET n = n - 1 WHERE name = 'cases.' || OLD.state;
END;

-- 2. Deadlines by kind and state ("deadlines.KIND.STATE"): the deadlines of a case are
-- replaced whenever it changes, and the daemon notes what it deletes and inserts with the
-- other figures (store/deadlines.c; a trigger per row would cost every registration).
-- Grouping them at a scrape instead took 0.14 s of CPU on 2,000,000 deadlines even on an
-- index of their own, on the event loop at every scrape.
INSERT INTO counts (name, n)
	SELECT 'deadlines.' || kind || '.' || state, count(*) FROM deadlines GROUP BY kind, state;
-- The daemon never changes a deadline's kind or state in place, but a later migration or a
-- repair by hand may: this trigger keeps the figures right for that (no cost to the daemon).
CREATE TRIGGER deadlines_recounted AFTER UPDATE OF kind, state ON deadlines
WHEN OLD.kind <> NEW.kind OR OLD.state <> NEW.state
BEGIN
	UPDATE counts SET n = n - 1 WHERE name = 'deadlines.' || OLD.kind || '.' || OLD.state;
	INSERT INTO counts (name, n) VALUES ('deadlines.' || NEW.kind || '.' || NEW.state, 1)
		ON CONFLICT (name) DO UPDATE SET n = n + 1;
END;

-- 3. Attempts that fell back to the built-in text ("template_fallbacks") leave the count
-- when they are deleted, which only the retention purge does (store/purge.c): the count is
-- of the rows kept, as fristvakt check compares it.
CREATE TRIGGER fallbacks_uncounted AFTER DELETE ON attempts WHEN OLD.fallback = 1
BEGIN
	UPDATE counts SET n = n - 1 WHERE name = 'template_fallbacks';
END;

-- 4. An office duty missed and then ended unmet (the application withdrawn or the case
-- closed after its day) keeps its breach (state missed) but is owed no more: ended_on is
-- that day (core/deadline.c). Reminders, the overdue work list and its metric, and the
-- retention purge leave such a duty alone. The stored deadlines are computed again after
-- the start (the rules' fingerprint forgotten, as migration 3 did), which fills it in.
ALTER TABLE deadlines ADD COLUMN ended_on TEXT;
DELETE FROM meta WHERE key = 'rules_fingerprint';
