-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- fristvakt schema, version 5. Applied by the daemon inside one transaction that also
-- sets PRAGMA user_version = 5. Never edit a released migration: add the next number.
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

-- Reminders per channel and state, for Status and ListChannels without reading the
-- reminders ("channel.NAME.STATE"): the daemon adds the reminders it plans (store.c, as for
-- the other counts), these triggers follow a reminder's state or channel as they change.
INSERT INTO counts (name, n)
	SELECT 'channel.' || channel || '.' || state, count(*) FROM reminders
	GROUP BY channel, state;
CREATE TRIGGER reminders_channel_recounted AFTER UPDATE OF state, channel ON reminders
WHEN OLD.state <> NEW.state OR OLD.channel <> NEW.channel
BEGIN
	UPDATE counts SET n = n - 1 WHERE name = 'channel.' || OLD.channel || '.' || OLD.state;
	INSERT OR IGNORE INTO counts (name, n)
		VALUES ('channel.' || NEW.channel || '.' || NEW.state, 0);
	UPDATE counts SET n = n + 1 WHERE name = 'channel.' || NEW.channel || '.' || NEW.state;
END;
CREATE TRIGGER reminders_channel_uncounted AFTER DELETE ON reminders
BEGIN
	UPDATE counts SET n = n - 1 WHERE name = 'channel.' || OLD.channel || '.' || OLD.state;
END;

-- Notices to the administrators that went to the log instead of the admin channel (it was
-- the channel that failed or was disabled, or the notice itself could not be delivered).
INSERT INTO counts (name, n) VALUES ('notices_to_log', 0);
