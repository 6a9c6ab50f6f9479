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

-- Status counts the delivery attempts that carried the built-in text instead of a
-- template: a partial index keeps that count from scanning every attempt.
CREATE INDEX attempts_fallback ON attempts (id) WHERE fallback = 1;
