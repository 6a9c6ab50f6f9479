-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- fristvakt schema, version 3. Applied by the daemon inside one transaction that also
-- sets PRAGMA user_version = 3. Never edit a released migration: add the next number.
--
-- The installation id: 128 random bits, made once when the database is created (or when
-- an older one migrates) and never changed. Every message id the daemon sends (webhook-id,
-- e-mail Message-ID, the thread ids) carries it, so that two installations, or a
-- reinstallation with a new database, never send the same id for different reminders,
-- while a restored copy of the same database keeps sending the ids it sent before.
-- SQLite's randomblob() draws from the operating system's random source.
INSERT INTO meta (key, value) VALUES ('installation', lower(hex(randomblob(16))));

-- Channel health (Status, ListChannels): when a channel last delivered, and since when its
-- attempts fail (cleared by the next success), written with each recorded attempt.
CREATE TABLE channel_health (
	channel TEXT PRIMARY KEY,
	last_success INTEGER,
	failing_since INTEGER,
	last_error TEXT
) STRICT, WITHOUT ROWID;

-- Dead reminders per channel, counted without reading the sent ones (few rows: only the
-- dead are in the index).
CREATE INDEX reminders_dead ON reminders (channel) WHERE state = 'dead';

-- Notices to the administrators that went to the log instead of the admin channel (it was
-- the channel that failed or was disabled, or the notice itself could not be delivered).
INSERT INTO counts (name, n) VALUES ('notices_to_log', 0);
