-- SPDX-License-Identifier: GPL-3.0-or-later
--
-- A database of schema version 5 made by the release c49dc3a on its shipped
-- configuration with the test clock, by tests/integration/data/make_schema5.py
-- (which says what each case holds), dumped with `sqlite3 DB .dump` (and the
-- schema version, which .dump leaves out). Read by test_migration.py. Not to be
-- edited by hand: make it again with the script.
-- fristvaktd 0.1.0 (source revision c49dc3a09797)
PRAGMA foreign_keys=OFF;
BEGIN TRANSACTION;
CREATE TABLE cases (
	id INTEGER PRIMARY KEY,
	ref TEXT NOT NULL UNIQUE,
	service TEXT NOT NULL,
	handler TEXT,
	unit TEXT,
	received INTEGER NOT NULL,
	channel TEXT NOT NULL CHECK (channel = 'written' OR channel = 'oral' OR channel = 'digital'),
	emergency INTEGER NOT NULL CHECK (emergency IN (0, 1)),
	state TEXT NOT NULL DEFAULT 'open' CHECK (state = 'open' OR state = 'withdrawn' OR state = 'closed'),
	created INTEGER NOT NULL,
	updated INTEGER NOT NULL
) STRICT;
INSERT INTO cases VALUES(1,'REL5/2','okonomisk-stonad','kari','nav-sentrum',2209701600,'written',0,'open',2209701600,2209701600);
INSERT INTO cases VALUES(2,'REL5/4','okonomisk-stonad','kari','nav-sentrum',2209701600,'written',0,'open',2209701600,2209701600);
INSERT INTO cases VALUES(3,'REL5/6','okonomisk-stonad','ola','nav-sentrum',2209788000,'written',0,'open',2209788000,2209788000);
INSERT INTO cases VALUES(4,'REL5/3','okonomisk-stonad','kari','nav-sentrum',2210497200,'written',0,'open',2210497200,2210500800);
INSERT INTO cases VALUES(5,'REL5/5','nodhjelp','kari','nav-sentrum',2210562000,'written',0,'open',2210562000,2210562000);
INSERT INTO cases VALUES(6,'REL5/1','okonomisk-stonad','kari','nav-sentrum',2210565600,'written',0,'open',2210565600,2210565600);
CREATE TABLE contacts (
	case_id INTEGER PRIMARY KEY REFERENCES cases (id),
	email TEXT,
	phone TEXT,
	consent_at INTEGER NOT NULL
) STRICT;
INSERT INTO contacts VALUES(4,'soker@example.org',NULL,2210497200);
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
INSERT INTO events VALUES(1,1,NULL,'received',2209701600,2209701600,'{"channel":"written","handler":"kari","received":"2040-01-09T06:00:00Z","service":"okonomisk-stonad","unit":"nav-sentrum"}',NULL,0);
INSERT INTO events VALUES(2,2,NULL,'received',2209701600,2209701600,'{"channel":"written","handler":"kari","received":"2040-01-09T06:00:00Z","service":"okonomisk-stonad","unit":"nav-sentrum"}',NULL,0);
INSERT INTO events VALUES(3,3,NULL,'received',2209788000,2209788000,'{"channel":"written","handler":"ola","received":"2040-01-10T06:00:00Z","service":"okonomisk-stonad","unit":"nav-sentrum"}',NULL,0);
INSERT INTO events VALUES(4,4,NULL,'received',2210497200,2210497200,'{"channel":"written","handler":"kari","received":"2040-01-18T11:00:00Z","service":"okonomisk-stonad","unit":"nav-sentrum"}',NULL,0);
INSERT INTO events VALUES(5,4,NULL,'decision',2210500800,2210500800,'{"made":"2040-01-18T12:00:00Z","outcome":"avslatt","reached":"2040-01-17T23:00:00Z","reasoned":true,"written":true}',NULL,0);
INSERT INTO events VALUES(6,5,NULL,'received',2210562000,2210562000,'{"channel":"written","handler":"kari","received":"2040-01-19T05:00:00Z","service":"nodhjelp","unit":"nav-sentrum"}',NULL,0);
INSERT INTO events VALUES(7,6,NULL,'received',2210565600,2210565600,'{"channel":"written","handler":"kari","received":"2040-01-19T06:00:00Z","service":"okonomisk-stonad","unit":"nav-sentrum"}',NULL,0);
CREATE TABLE deadlines (
	id INTEGER PRIMARY KEY,
	case_id INTEGER NOT NULL REFERENCES cases (id),
	kind TEXT NOT NULL,
	subject INTEGER NOT NULL,
	state TEXT NOT NULL CHECK (state = 'open' OR state = 'met' OR state = 'missed' OR state = 'cancelled' OR state = 'expired'),
	due TEXT,
	met_on TEXT,
	explanation TEXT NOT NULL CHECK (json_valid(explanation)), rule TEXT, source TEXT,
	UNIQUE (case_id, kind, subject)
) STRICT;
INSERT INTO deadlines VALUES(1,1,'processing',1,'open','2040-01-23',NULL,'{"kind":"processing","label":"saksbehandlingsfrist","duty":"office","subject":1,"state":"open","due":"2040-01-23","met_on":null,"met_by":null,"cancelled_on":null,"cancelled_by":null,"rule":"okonomisk-stonad/processing@1970-01-01","source":"kommunens tjenesteerklæring for økonomisk stønad (lokal norm, sosialtjenesteloven § 18)","start":{"event":1,"type":"received","date":"2040-01-09"},"period":"14d","period_words":"14 dager","rollover":"next_working_day","calendar":null,"raw_end":"2040-01-23","pause_days":0,"paused_end":"2040-01-23","steps":[],"rule_due":"2040-01-23","pauses":[],"extensions":[],"overrides":[],"restart":null,"promised_on":null,"complaint_body":null,"extension":"kommunens tjenesteerklæring (ny svartid meldes parten)","notes":[],"text":"Saksbehandlingsfrist på 14 dager regnet fra 2040-01-09 (søknaden mottatt): 2040-01-23. Hjemmel: kommunens tjenesteerklæring for økonomisk stønad (lokal norm, sosialtjenesteloven § 18).\nFrist: 2040-01-23. Status: åpen.\nRegel: okonomisk-stonad/processing@1970-01-01.\n"}','okonomisk-stonad/processing@1970-01-01','kommunens tjenesteerklæring for økonomisk stønad (lokal norm, sosialtjenesteloven § 18)');
INSERT INTO deadlines VALUES(2,1,'preliminary_reply',1,'open','2040-02-09',NULL,'{"kind":"preliminary_reply","label":"frist for foreløpig svar","duty":"office","subject":1,"state":"open","due":"2040-02-09","met_on":null,"met_by":null,"cancelled_on":null,"cancelled_by":null,"rule":"sotjl/preliminary_reply@1970-01-01","source":"forvaltningsloven § 11 a tredje ledd","start":{"event":1,"type":"received","date":"2040-01-09"},"period":"1m","period_words":"1 måned","rollover":"next_working_day","calendar":null,"raw_end":"2040-02-09","pause_days":0,"paused_end":"2040-02-09","steps":[],"rule_due":"2040-02-09","pauses":[],"extensions":[],"overrides":[],"restart":null,"promised_on":null,"complaint_body":null,"extension":null,"notes":[],"text":"Frist for foreløpig svar på 1 måned regnet fra 2040-01-09 (søknaden mottatt): 2040-02-09. Hjemmel: forvaltningsloven § 11 a tredje ledd.\nFrist: 2040-02-09. Status: åpen.\nRegel: sotjl/preliminary_reply@1970-01-01.\n"}','sotjl/preliminary_reply@1970-01-01','forvaltningsloven § 11 a tredje ledd');
INSERT INTO deadlines VALUES(3,2,'processing',2,'open','2040-01-23',NULL,'{"kind":"processing","label":"saksbehandlingsfrist","duty":"office","subject":2,"state":"open","due":"2040-01-23","met_on":null,"met_by":null,"cancelled_on":null,"cancelled_by":null,"rule":"okonomisk-stonad/processing@1970-01-01","source":"kommunens tjenesteerklæring for økonomisk stønad (lokal norm, sosialtjenesteloven § 18)","start":{"event":2,"type":"received","date":"2040-01-09"},"period":"14d","period_words":"14 dager","rollover":"next_working_day","calendar":null,"raw_end":"2040-01-23","pause_days":0,"paused_end":"2040-01-23","steps":[],"rule_due":"2040-01-23","pauses":[],"extensions":[],"overrides":[],"restart":null,"promised_on":null,"complaint_body":null,"extension":"kommunens tjenesteerklæring (ny svartid meldes parten)","notes":[],"text":"Saksbehandlingsfrist på 14 dager regnet fra 2040-01-09 (søknaden mottatt): 2040-01-23. Hjemmel: kommunens tjenesteerklæring for økonomisk stønad (lokal norm, sosialtjenesteloven § 18).\nFrist: 2040-01-23. Status: åpen.\nRegel: okonomisk-stonad/processing@1970-01-01.\n"}','okonomisk-stonad/processing@1970-01-01','kommunens tjenesteerklæring for økonomisk stønad (lokal norm, sosialtjenesteloven § 18)');
INSERT INTO deadlines VALUES(4,2,'preliminary_reply',2,'open','2040-02-09',NULL,'{"kind":"preliminary_reply","label":"frist for foreløpig svar","duty":"office","subject":2,"state":"open","due":"2040-02-09","met_on":null,"met_by":null,"cancelled_on":null,"cancelled_by":null,"rule":"sotjl/preliminary_reply@1970-01-01","source":"forvaltningsloven § 11 a tredje ledd","start":{"event":2,"type":"received","date":"2040-01-09"},"period":"1m","period_words":"1 måned","rollover":"next_working_day","calendar":null,"raw_end":"2040-02-09","pause_days":0,"paused_end":"2040-02-09","steps":[],"rule_due":"2040-02-09","pauses":[],"extensions":[],"overrides":[],"restart":null,"promised_on":null,"complaint_body":null,"extension":null,"notes":[],"text":"Frist for foreløpig svar på 1 måned regnet fra 2040-01-09 (søknaden mottatt): 2040-02-09. Hjemmel: forvaltningsloven § 11 a tredje ledd.\nFrist: 2040-02-09. Status: åpen.\nRegel: sotjl/preliminary_reply@1970-01-01.\n"}','sotjl/preliminary_reply@1970-01-01','forvaltningsloven § 11 a tredje ledd');
INSERT INTO deadlines VALUES(5,3,'processing',3,'open','2040-01-24',NULL,'{"kind":"processing","label":"saksbehandlingsfrist","duty":"office","subject":3,"state":"open","due":"2040-01-24","met_on":null,"met_by":null,"cancelled_on":null,"cancelled_by":null,"rule":"okonomisk-stonad/processing@1970-01-01","source":"kommunens tjenesteerklæring for økonomisk stønad (lokal norm, sosialtjenesteloven § 18)","start":{"event":3,"type":"received","date":"2040-01-10"},"period":"14d","period_words":"14 dager","rollover":"next_working_day","calendar":null,"raw_end":"2040-01-24","pause_days":0,"paused_end":"2040-01-24","steps":[],"rule_due":"2040-01-24","pauses":[],"extensions":[],"overrides":[],"restart":null,"promised_on":null,"complaint_body":null,"extension":"kommunens tjenesteerklæring (ny svartid meldes parten)","notes":[],"text":"Saksbehandlingsfrist på 14 dager regnet fra 2040-01-10 (søknaden mottatt): 2040-01-24. Hjemmel: kommunens tjenesteerklæring for økonomisk stønad (lokal norm, sosialtjenesteloven § 18).\nFrist: 2040-01-24. Status: åpen.\nRegel: okonomisk-stonad/processing@1970-01-01.\n"}','okonomisk-stonad/processing@1970-01-01','kommunens tjenesteerklæring for økonomisk stønad (lokal norm, sosialtjenesteloven § 18)');
INSERT INTO deadlines VALUES(6,3,'preliminary_reply',3,'open','2040-02-10',NULL,'{"kind":"preliminary_reply","label":"frist for foreløpig svar","duty":"office","subject":3,"state":"open","due":"2040-02-10","met_on":null,"met_by":null,"cancelled_on":null,"cancelled_by":null,"rule":"sotjl/preliminary_reply@1970-01-01","source":"forvaltningsloven § 11 a tredje ledd","start":{"event":3,"type":"received","date":"2040-01-10"},"period":"1m","period_words":"1 måned","rollover":"next_working_day","calendar":null,"raw_end":"2040-02-10","pause_days":0,"paused_end":"2040-02-10","steps":[],"rule_due":"2040-02-10","pauses":[],"extensions":[],"overrides":[],"restart":null,"promised_on":null,"complaint_body":null,"extension":null,"notes":[],"text":"Frist for foreløpig svar på 1 måned regnet fra 2040-01-10 (søknaden mottatt): 2040-02-10. Hjemmel: forvaltningsloven § 11 a tredje ledd.\nFrist: 2040-02-10. Status: åpen.\nRegel: sotjl/preliminary_reply@1970-01-01.\n"}','sotjl/preliminary_reply@1970-01-01','forvaltningsloven § 11 a tredje ledd');
INSERT INTO deadlines VALUES(7,4,'processing',4,'met','2040-02-01','2040-01-18','{"kind":"processing","label":"saksbehandlingsfrist","duty":"office","subject":4,"state":"met","due":"2040-02-01","met_on":"2040-01-18","met_by":5,"cancelled_on":null,"cancelled_by":null,"rule":"okonomisk-stonad/processing@1970-01-01","source":"kommunens tjenesteerklæring for økonomisk stønad (lokal norm, sosialtjenesteloven § 18)","start":{"event":4,"type":"received","date":"2040-01-18"},"period":"14d","period_words":"14 dager","rollover":"next_working_day","calendar":null,"raw_end":"2040-02-01","pause_days":0,"paused_end":"2040-02-01","steps":[],"rule_due":"2040-02-01","pauses":[],"extensions":[],"overrides":[],"restart":null,"promised_on":null,"complaint_body":null,"extension":"kommunens tjenesteerklæring (ny svartid meldes parten)","notes":[],"text":"Saksbehandlingsfrist på 14 dager regnet fra 2040-01-18 (søknaden mottatt): 2040-02-01. Hjemmel: kommunens tjenesteerklæring for økonomisk stønad (lokal norm, sosialtjenesteloven § 18).\nFrist: 2040-02-01. Status: overholdt 2040-01-18 (hendelse 5).\nRegel: okonomisk-stonad/processing@1970-01-01.\n"}','okonomisk-stonad/processing@1970-01-01','kommunens tjenesteerklæring for økonomisk stønad (lokal norm, sosialtjenesteloven § 18)');
INSERT INTO deadlines VALUES(8,4,'preliminary_reply',4,'met','2040-02-20','2040-01-18','{"kind":"preliminary_reply","label":"frist for foreløpig svar","duty":"office","subject":4,"state":"met","due":"2040-02-20","met_on":"2040-01-18","met_by":5,"cancelled_on":null,"cancelled_by":null,"rule":"sotjl/preliminary_reply@1970-01-01","source":"forvaltningsloven § 11 a tredje ledd","start":{"event":4,"type":"received","date":"2040-01-18"},"period":"1m","period_words":"1 måned","rollover":"next_working_day","calendar":null,"raw_end":"2040-02-18","pause_days":0,"paused_end":"2040-02-18","steps":[{"day":"2040-02-18","why":"lørdag","to":"2040-02-19"},{"day":"2040-02-19","why":"søndag","to":"2040-02-20"}],"rule_due":"2040-02-20","pauses":[],"extensions":[],"overrides":[],"restart":null,"promised_on":null,"complaint_body":null,"extension":null,"notes":["Vedtaket 2040-01-18 gjorde et foreløpig svar unødvendig."],"text":"Frist for foreløpig svar på 1 måned regnet fra 2040-01-18 (søknaden mottatt): 2040-02-18. Hjemmel: forvaltningsloven § 11 a tredje ledd.\nSiste dag er ikke en virkedag og flyttes til nærmeste virkedag: 2040-02-18 lørdag, 2040-02-19 søndag → 2040-02-20.\nVedtaket 2040-01-18 gjorde et foreløpig svar unødvendig.\nFrist: 2040-02-20. Status: overholdt 2040-01-18 (hendelse 5).\nRegel: sotjl/preliminary_reply@1970-01-01.\n"}','sotjl/preliminary_reply@1970-01-01','forvaltningsloven § 11 a tredje ledd');
INSERT INTO deadlines VALUES(9,4,'complaint',5,'open','2040-02-08',NULL,'{"kind":"complaint","label":"klagefrist","duty":"party","subject":5,"state":"open","due":"2040-02-08","met_on":null,"met_by":null,"cancelled_on":null,"cancelled_by":null,"rule":"sotjl/complaint@1970-01-01","source":"forvaltningsloven § 29","start":{"event":5,"type":"decision_reached","date":"2040-01-18"},"period":"3w","period_words":"3 uker","rollover":"next_working_day","calendar":null,"raw_end":"2040-02-08","pause_days":0,"paused_end":"2040-02-08","steps":[],"rule_due":"2040-02-08","pauses":[],"extensions":[],"overrides":[],"restart":null,"promised_on":null,"complaint_body":null,"extension":"forvaltningsloven § 29","notes":[],"text":"Klagefrist på 3 uker regnet fra 2040-01-18 (vedtaket kom fram): 2040-02-08. Hjemmel: forvaltningsloven § 29.\nFrist: 2040-02-08. Status: åpen.\nRegel: sotjl/complaint@1970-01-01.\n"}','sotjl/complaint@1970-01-01','forvaltningsloven § 29');
INSERT INTO deadlines VALUES(10,4,'late_complaint',5,'open','2041-01-18',NULL,'{"kind":"late_complaint","label":"ytre frist for sen klage","duty":"party","subject":5,"state":"open","due":"2041-01-18","met_on":null,"met_by":null,"cancelled_on":null,"cancelled_by":null,"rule":"sotjl/late_complaint@1970-01-01","source":"forvaltningsloven § 31","start":{"event":5,"type":"decision_made","date":"2040-01-18"},"period":"1y","period_words":"1 år","rollover":"next_working_day","calendar":null,"raw_end":"2041-01-18","pause_days":0,"paused_end":"2041-01-18","steps":[],"rule_due":"2041-01-18","pauses":[],"extensions":[],"overrides":[],"restart":null,"promised_on":null,"complaint_body":null,"extension":null,"notes":[],"text":"Ytre frist for sen klage på 1 år regnet fra 2040-01-18 (vedtaket truffet): 2041-01-18. Hjemmel: forvaltningsloven § 31.\nFrist: 2041-01-18. Status: åpen.\nRegel: sotjl/late_complaint@1970-01-01.\n"}','sotjl/late_complaint@1970-01-01','forvaltningsloven § 31');
INSERT INTO deadlines VALUES(11,5,'processing',6,'open','2040-01-20',NULL,'{"kind":"processing","label":"saksbehandlingsfrist","duty":"office","subject":6,"state":"open","due":"2040-01-20","met_on":null,"met_by":null,"cancelled_on":null,"cancelled_by":null,"rule":"nodhjelp/processing@1970-01-01","source":"praksis for nødhjelp: samme dag, senest påfølgende dag (sosialtjenesteloven § 18)","start":{"event":6,"type":"received","date":"2040-01-19"},"period":"1d","period_words":"1 dag","rollover":"none","calendar":null,"raw_end":"2040-01-20","pause_days":0,"paused_end":"2040-01-20","steps":[],"rule_due":"2040-01-20","pauses":[],"extensions":[],"overrides":[],"restart":null,"promised_on":null,"complaint_body":null,"extension":null,"notes":[],"text":"Saksbehandlingsfrist på 1 dag regnet fra 2040-01-19 (søknaden mottatt): 2040-01-20. Hjemmel: praksis for nødhjelp: samme dag, senest påfølgende dag (sosialtjenesteloven § 18).\nFrist: 2040-01-20. Status: åpen.\nRegel: nodhjelp/processing@1970-01-01.\n"}','nodhjelp/processing@1970-01-01','praksis for nødhjelp: samme dag, senest påfølgende dag (sosialtjenesteloven § 18)');
INSERT INTO deadlines VALUES(12,5,'preliminary_reply',6,'open','2040-02-20',NULL,'{"kind":"preliminary_reply","label":"frist for foreløpig svar","duty":"office","subject":6,"state":"open","due":"2040-02-20","met_on":null,"met_by":null,"cancelled_on":null,"cancelled_by":null,"rule":"sotjl/preliminary_reply@1970-01-01","source":"forvaltningsloven § 11 a tredje ledd","start":{"event":6,"type":"received","date":"2040-01-19"},"period":"1m","period_words":"1 måned","rollover":"next_working_day","calendar":null,"raw_end":"2040-02-19","pause_days":0,"paused_end":"2040-02-19","steps":[{"day":"2040-02-19","why":"søndag","to":"2040-02-20"}],"rule_due":"2040-02-20","pauses":[],"extensions":[],"overrides":[],"restart":null,"promised_on":null,"complaint_body":null,"extension":null,"notes":[],"text":"Frist for foreløpig svar på 1 måned regnet fra 2040-01-19 (søknaden mottatt): 2040-02-19. Hjemmel: forvaltningsloven § 11 a tredje ledd.\nSiste dag er ikke en virkedag og flyttes til nærmeste virkedag: 2040-02-19 søndag → 2040-02-20.\nFrist: 2040-02-20. Status: åpen.\nRegel: sotjl/preliminary_reply@1970-01-01.\n"}','sotjl/preliminary_reply@1970-01-01','forvaltningsloven § 11 a tredje ledd');
INSERT INTO deadlines VALUES(13,6,'processing',7,'open','2040-02-02',NULL,'{"kind":"processing","label":"saksbehandlingsfrist","duty":"office","subject":7,"state":"open","due":"2040-02-02","met_on":null,"met_by":null,"cancelled_on":null,"cancelled_by":null,"rule":"okonomisk-stonad/processing@1970-01-01","source":"kommunens tjenesteerklæring for økonomisk stønad (lokal norm, sosialtjenesteloven § 18)","start":{"event":7,"type":"received","date":"2040-01-19"},"period":"14d","period_words":"14 dager","rollover":"next_working_day","calendar":null,"raw_end":"2040-02-02","pause_days":0,"paused_end":"2040-02-02","steps":[],"rule_due":"2040-02-02","pauses":[],"extensions":[],"overrides":[],"restart":null,"promised_on":null,"complaint_body":null,"extension":"kommunens tjenesteerklæring (ny svartid meldes parten)","notes":[],"text":"Saksbehandlingsfrist på 14 dager regnet fra 2040-01-19 (søknaden mottatt): 2040-02-02. Hjemmel: kommunens tjenesteerklæring for økonomisk stønad (lokal norm, sosialtjenesteloven § 18).\nFrist: 2040-02-02. Status: åpen.\nRegel: okonomisk-stonad/processing@1970-01-01.\n"}','okonomisk-stonad/processing@1970-01-01','kommunens tjenesteerklæring for økonomisk stønad (lokal norm, sosialtjenesteloven § 18)');
INSERT INTO deadlines VALUES(14,6,'preliminary_reply',7,'open','2040-02-20',NULL,'{"kind":"preliminary_reply","label":"frist for foreløpig svar","duty":"office","subject":7,"state":"open","due":"2040-02-20","met_on":null,"met_by":null,"cancelled_on":null,"cancelled_by":null,"rule":"sotjl/preliminary_reply@1970-01-01","source":"forvaltningsloven § 11 a tredje ledd","start":{"event":7,"type":"received","date":"2040-01-19"},"period":"1m","period_words":"1 måned","rollover":"next_working_day","calendar":null,"raw_end":"2040-02-19","pause_days":0,"paused_end":"2040-02-19","steps":[{"day":"2040-02-19","why":"søndag","to":"2040-02-20"}],"rule_due":"2040-02-20","pauses":[],"extensions":[],"overrides":[],"restart":null,"promised_on":null,"complaint_body":null,"extension":null,"notes":[],"text":"Frist for foreløpig svar på 1 måned regnet fra 2040-01-19 (søknaden mottatt): 2040-02-19. Hjemmel: forvaltningsloven § 11 a tredje ledd.\nSiste dag er ikke en virkedag og flyttes til nærmeste virkedag: 2040-02-19 søndag → 2040-02-20.\nFrist: 2040-02-20. Status: åpen.\nRegel: sotjl/preliminary_reply@1970-01-01.\n"}','sotjl/preliminary_reply@1970-01-01','forvaltningsloven § 11 a tredje ledd');
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
INSERT INTO audit VALUES(1,2209701600,'no.fristvakt.testing.SetClock',NULL,0,0,22118,'ok');
INSERT INTO audit VALUES(2,2209701600,'no.fristvakt.RegisterApplication','REL5/2',0,0,22118,'ok');
INSERT INTO audit VALUES(3,2209701600,'no.fristvakt.RegisterApplication','REL5/4',0,0,22118,'ok');
INSERT INTO audit VALUES(4,2209788000,'no.fristvakt.testing.SetClock',NULL,0,0,22118,'ok');
INSERT INTO audit VALUES(5,2209788000,'no.fristvakt.RegisterApplication','REL5/6',0,0,22118,'ok');
INSERT INTO audit VALUES(6,2210482740,'no.fristvakt.testing.SetClock',NULL,0,0,22118,'ok');
INSERT INTO audit VALUES(7,2210482800,'no.fristvakt.testing.SetClock',NULL,0,0,22118,'ok');
INSERT INTO audit VALUES(8,2210484001,'no.fristvakt.testing.AdvanceClock',NULL,0,0,22118,'ok');
INSERT INTO audit VALUES(9,2210485201,'no.fristvakt.testing.AdvanceClock',NULL,0,0,22118,'ok');
INSERT INTO audit VALUES(10,2210486401,'no.fristvakt.testing.AdvanceClock',NULL,0,0,22118,'ok');
INSERT INTO audit VALUES(11,2210487601,'no.fristvakt.testing.AdvanceClock',NULL,0,0,22118,'ok');
INSERT INTO audit VALUES(12,2210488801,'no.fristvakt.testing.AdvanceClock',NULL,0,0,22118,'ok');
INSERT INTO audit VALUES(13,2210490001,'no.fristvakt.testing.AdvanceClock',NULL,0,0,22118,'ok');
INSERT INTO audit VALUES(14,2210491201,'no.fristvakt.testing.AdvanceClock',NULL,0,0,22118,'ok');
INSERT INTO audit VALUES(15,2210497200,'no.fristvakt.testing.SetClock',NULL,0,0,22118,'ok');
INSERT INTO audit VALUES(16,2210497200,'no.fristvakt.RegisterApplication','REL5/3',0,0,22118,'ok');
INSERT INTO audit VALUES(17,2210500800,'no.fristvakt.testing.SetClock',NULL,0,0,22118,'ok');
INSERT INTO audit VALUES(18,2210500800,'no.fristvakt.RecordDecision','REL5/3',0,0,22118,'ok');
INSERT INTO audit VALUES(19,2210562000,'no.fristvakt.testing.SetClock',NULL,0,0,22118,'ok');
INSERT INTO audit VALUES(20,2210562000,'no.fristvakt.RegisterApplication','REL5/5',0,0,22118,'ok');
INSERT INTO audit VALUES(21,2210565600,'no.fristvakt.testing.SetClock',NULL,0,0,22118,'ok');
INSERT INTO audit VALUES(22,2210565600,'no.fristvakt.RegisterApplication','REL5/1',0,0,22118,'ok');
INSERT INTO audit VALUES(23,2210569200,'no.fristvakt.testing.SetClock',NULL,0,0,22118,'ok');
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
	state TEXT NOT NULL CHECK (state = 'pending' OR state = 'failed' OR state = 'sent' OR state = 'dead' OR state = 'cancelled'),
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
INSERT INTO reminders VALUES(1,1,'processing',1,'before-3','2040-01-18','','2040-01-23',1,'hook','sent',2210482800,2210482800,1,2210482800,2210482800,NULL,NULL,2209701600);
INSERT INTO reminders VALUES(2,1,'processing',1,'due','2040-01-23','','2040-01-23',1,'hook','pending',2210914800,2210914800,0,NULL,NULL,NULL,NULL,2209701600);
INSERT INTO reminders VALUES(3,1,'processing',1,'overdue','2040-01-24','','2040-01-23',1,'hook','pending',2211001200,2211001200,0,NULL,NULL,NULL,NULL,2209701600);
INSERT INTO reminders VALUES(4,1,'processing',1,'escalation','2040-01-28','','2040-01-23',6,'hook','pending',2211346800,2211346800,0,NULL,NULL,NULL,NULL,2209701600);
INSERT INTO reminders VALUES(5,1,'preliminary_reply',1,'before-5','2040-02-02','','2040-02-09',1,'hook','pending',2211778800,2211778800,0,NULL,NULL,NULL,NULL,2209701600);
INSERT INTO reminders VALUES(6,1,'preliminary_reply',1,'due','2040-02-09','','2040-02-09',1,'hook','pending',2212383600,2212383600,0,NULL,NULL,NULL,NULL,2209701600);
INSERT INTO reminders VALUES(7,1,'preliminary_reply',1,'overdue','2040-02-10','','2040-02-09',1,'hook','pending',2212470000,2212470000,0,NULL,NULL,NULL,NULL,2209701600);
INSERT INTO reminders VALUES(8,1,'preliminary_reply',1,'escalation','2040-02-14','','2040-02-09',6,'hook','pending',2212815600,2212815600,0,NULL,NULL,NULL,NULL,2209701600);
INSERT INTO reminders VALUES(9,2,'processing',2,'before-3','2040-01-18','','2040-01-23',1,'hook','dead',2210482800,2210490612,7,2210482800,NULL,'HTTP 500',NULL,2209701600);
INSERT INTO reminders VALUES(10,2,'processing',2,'due','2040-01-23','','2040-01-23',1,'hook','pending',2210914800,2210914800,0,NULL,NULL,NULL,NULL,2209701600);
INSERT INTO reminders VALUES(11,2,'processing',2,'overdue','2040-01-24','','2040-01-23',1,'hook','pending',2211001200,2211001200,0,NULL,NULL,NULL,NULL,2209701600);
INSERT INTO reminders VALUES(12,2,'processing',2,'escalation','2040-01-28','','2040-01-23',6,'hook','pending',2211346800,2211346800,0,NULL,NULL,NULL,NULL,2209701600);
INSERT INTO reminders VALUES(13,2,'preliminary_reply',2,'before-5','2040-02-02','','2040-02-09',1,'hook','pending',2211778800,2211778800,0,NULL,NULL,NULL,NULL,2209701600);
INSERT INTO reminders VALUES(14,2,'preliminary_reply',2,'due','2040-02-09','','2040-02-09',1,'hook','pending',2212383600,2212383600,0,NULL,NULL,NULL,NULL,2209701600);
INSERT INTO reminders VALUES(15,2,'preliminary_reply',2,'overdue','2040-02-10','','2040-02-09',1,'hook','pending',2212470000,2212470000,0,NULL,NULL,NULL,NULL,2209701600);
INSERT INTO reminders VALUES(16,2,'preliminary_reply',2,'escalation','2040-02-14','','2040-02-09',6,'hook','pending',2212815600,2212815600,0,NULL,NULL,NULL,NULL,2209701600);
INSERT INTO reminders VALUES(17,3,'processing',3,'before-3','2040-01-19','','2040-01-24',1,'hook','failed',2210569200,2210569257,1,2210569200,NULL,'HTTP 500',NULL,2209788000);
INSERT INTO reminders VALUES(18,3,'processing',3,'due','2040-01-24','','2040-01-24',1,'hook','pending',2211001200,2211001200,0,NULL,NULL,NULL,NULL,2209788000);
INSERT INTO reminders VALUES(19,3,'processing',3,'overdue','2040-01-25','','2040-01-24',1,'hook','pending',2211087600,2211087600,0,NULL,NULL,NULL,NULL,2209788000);
INSERT INTO reminders VALUES(20,3,'processing',3,'escalation','2040-01-29','','2040-01-24',6,'hook','pending',2211433200,2211433200,0,NULL,NULL,NULL,NULL,2209788000);
INSERT INTO reminders VALUES(21,3,'preliminary_reply',3,'before-5','2040-02-03','','2040-02-10',1,'hook','pending',2211865200,2211865200,0,NULL,NULL,NULL,NULL,2209788000);
INSERT INTO reminders VALUES(22,3,'preliminary_reply',3,'due','2040-02-10','','2040-02-10',1,'hook','pending',2212470000,2212470000,0,NULL,NULL,NULL,NULL,2209788000);
INSERT INTO reminders VALUES(23,3,'preliminary_reply',3,'overdue','2040-02-11','','2040-02-10',1,'hook','pending',2212556400,2212556400,0,NULL,NULL,NULL,NULL,2209788000);
INSERT INTO reminders VALUES(24,3,'preliminary_reply',3,'escalation','2040-02-15','','2040-02-10',6,'hook','pending',2212902000,2212902000,0,NULL,NULL,NULL,NULL,2209788000);
INSERT INTO reminders VALUES(25,NULL,'admin',0,'dead','2040-01-18','reminder:9',NULL,0,'log','sent',2210491201,2210491201,1,2210491201,2210491201,NULL,'{"reminder":9,"reference":"REL5/4","kind":"processing","stage":"before-3","kind_label":"saksbehandlingsfrist","due":"2040-01-23","channel":"hook","error":"HTTP 500"}',2210491201);
INSERT INTO reminders VALUES(26,4,'processing',4,'before-3','2040-01-27','','2040-02-01',1,'hook','cancelled',2211260400,2211260400,0,NULL,NULL,NULL,NULL,2210497200);
INSERT INTO reminders VALUES(27,4,'processing',4,'due','2040-02-01','','2040-02-01',1,'hook','cancelled',2211692400,2211692400,0,NULL,NULL,NULL,NULL,2210497200);
INSERT INTO reminders VALUES(28,4,'processing',4,'overdue','2040-02-02','','2040-02-01',1,'hook','cancelled',2211778800,2211778800,0,NULL,NULL,NULL,NULL,2210497200);
INSERT INTO reminders VALUES(29,4,'processing',4,'escalation','2040-02-06','','2040-02-01',6,'hook','cancelled',2212124400,2212124400,0,NULL,NULL,NULL,NULL,2210497200);
INSERT INTO reminders VALUES(30,4,'preliminary_reply',4,'before-5','2040-02-13','','2040-02-20',1,'hook','cancelled',2212729200,2212729200,0,NULL,NULL,NULL,NULL,2210497200);
INSERT INTO reminders VALUES(31,4,'preliminary_reply',4,'due','2040-02-20','','2040-02-20',1,'hook','cancelled',2213334000,2213334000,0,NULL,NULL,NULL,NULL,2210497200);
INSERT INTO reminders VALUES(32,4,'preliminary_reply',4,'overdue','2040-02-21','','2040-02-20',1,'hook','cancelled',2213420400,2213420400,0,NULL,NULL,NULL,NULL,2210497200);
INSERT INTO reminders VALUES(33,4,'preliminary_reply',4,'escalation','2040-02-25','','2040-02-20',6,'hook','cancelled',2213766000,2213766000,0,NULL,NULL,NULL,NULL,2210497200);
INSERT INTO reminders VALUES(34,4,'complaint',5,'before-7','2040-01-30','applicant','2040-02-08',8,'hook','pending',2211519600,2211519600,0,NULL,NULL,NULL,NULL,2210500800);
INSERT INTO reminders VALUES(35,4,'complaint',5,'before-7','2040-01-30','','2040-02-08',1,'hook','pending',2211519600,2211519600,0,NULL,NULL,NULL,NULL,2210500800);
INSERT INTO reminders VALUES(36,4,'complaint',5,'before-1','2040-02-07','applicant','2040-02-08',8,'hook','pending',2212210800,2212210800,0,NULL,NULL,NULL,NULL,2210500800);
INSERT INTO reminders VALUES(37,4,'complaint',5,'due','2040-02-08','applicant','2040-02-08',8,'hook','pending',2212297200,2212297200,0,NULL,NULL,NULL,NULL,2210500800);
INSERT INTO reminders VALUES(38,4,'complaint',5,'due','2040-02-08','','2040-02-08',1,'hook','pending',2212297200,2212297200,0,NULL,NULL,NULL,NULL,2210500800);
INSERT INTO reminders VALUES(39,5,'processing',6,'now','2040-01-19T05:00:00Z','','2040-01-20',3,'hook','sent',2210562000,2210562000,1,2210562000,2210562000,NULL,NULL,2210562000);
INSERT INTO reminders VALUES(40,5,'processing',6,'hours','2040-01-19T08:00:00Z','','2040-01-20',1,'hook','pending',2210572800,2210572800,0,NULL,NULL,NULL,NULL,2210562000);
INSERT INTO reminders VALUES(41,5,'processing',6,'overdue','2040-01-21','','2040-01-20',5,'hook','pending',2210742000,2210742000,0,NULL,NULL,NULL,NULL,2210562000);
INSERT INTO reminders VALUES(42,5,'preliminary_reply',6,'before-5','2040-02-13','','2040-02-20',1,'hook','pending',2212729200,2212729200,0,NULL,NULL,NULL,NULL,2210562000);
INSERT INTO reminders VALUES(43,5,'preliminary_reply',6,'due','2040-02-20','','2040-02-20',1,'hook','pending',2213334000,2213334000,0,NULL,NULL,NULL,NULL,2210562000);
INSERT INTO reminders VALUES(44,5,'preliminary_reply',6,'overdue','2040-02-21','','2040-02-20',1,'hook','pending',2213420400,2213420400,0,NULL,NULL,NULL,NULL,2210562000);
INSERT INTO reminders VALUES(45,5,'preliminary_reply',6,'escalation','2040-02-25','','2040-02-20',6,'hook','pending',2213766000,2213766000,0,NULL,NULL,NULL,NULL,2210562000);
INSERT INTO reminders VALUES(46,6,'processing',7,'before-3','2040-01-30','','2040-02-02',1,'hook','pending',2211519600,2211519600,0,NULL,NULL,NULL,NULL,2210565600);
INSERT INTO reminders VALUES(47,6,'processing',7,'due','2040-02-02','','2040-02-02',1,'hook','pending',2211778800,2211778800,0,NULL,NULL,NULL,NULL,2210565600);
INSERT INTO reminders VALUES(48,6,'processing',7,'overdue','2040-02-03','','2040-02-02',1,'hook','pending',2211865200,2211865200,0,NULL,NULL,NULL,NULL,2210565600);
INSERT INTO reminders VALUES(49,6,'processing',7,'escalation','2040-02-07','','2040-02-02',6,'hook','pending',2212210800,2212210800,0,NULL,NULL,NULL,NULL,2210565600);
INSERT INTO reminders VALUES(50,6,'preliminary_reply',7,'before-5','2040-02-13','','2040-02-20',1,'hook','pending',2212729200,2212729200,0,NULL,NULL,NULL,NULL,2210565600);
INSERT INTO reminders VALUES(51,6,'preliminary_reply',7,'due','2040-02-20','','2040-02-20',1,'hook','pending',2213334000,2213334000,0,NULL,NULL,NULL,NULL,2210565600);
INSERT INTO reminders VALUES(52,6,'preliminary_reply',7,'overdue','2040-02-21','','2040-02-20',1,'hook','pending',2213420400,2213420400,0,NULL,NULL,NULL,NULL,2210565600);
INSERT INTO reminders VALUES(53,6,'preliminary_reply',7,'escalation','2040-02-25','','2040-02-20',6,'hook','pending',2213766000,2213766000,0,NULL,NULL,NULL,NULL,2210565600);
CREATE TABLE attempts (
	id INTEGER PRIMARY KEY,
	reminder_id INTEGER NOT NULL REFERENCES reminders (id),
	at INTEGER NOT NULL,
	channel TEXT NOT NULL,
	outcome TEXT NOT NULL CHECK (outcome = 'ok' OR outcome = 'retry' OR outcome = 'gone' OR outcome = 'aborted'),
	code INTEGER,
	error TEXT,
	fallback INTEGER NOT NULL DEFAULT 0
) STRICT;
INSERT INTO attempts VALUES(1,1,2210482800,'hook','ok',200,NULL,0);
INSERT INTO attempts VALUES(2,9,2210482800,'hook','retry',500,'HTTP 500',0);
INSERT INTO attempts VALUES(3,9,2210484001,'hook','retry',500,'HTTP 500',0);
INSERT INTO attempts VALUES(4,9,2210485201,'hook','retry',500,'HTTP 500',0);
INSERT INTO attempts VALUES(5,9,2210486401,'hook','retry',500,'HTTP 500',0);
INSERT INTO attempts VALUES(6,9,2210487601,'hook','retry',500,'HTTP 500',0);
INSERT INTO attempts VALUES(7,9,2210488801,'hook','retry',500,'HTTP 500',0);
INSERT INTO attempts VALUES(8,9,2210491201,'hook','retry',500,'HTTP 500',0);
INSERT INTO attempts VALUES(9,25,2210491201,'log','ok',NULL,NULL,0);
INSERT INTO attempts VALUES(10,39,2210562000,'hook','ok',200,NULL,0);
INSERT INTO attempts VALUES(11,17,2210569200,'hook','retry',500,'HTTP 500',0);
CREATE TABLE disabled_channels (
	channel TEXT PRIMARY KEY,
	at INTEGER NOT NULL,
	reason TEXT NOT NULL
) STRICT;
CREATE TABLE meta (
	key TEXT PRIMARY KEY,
	value TEXT NOT NULL
) STRICT;
INSERT INTO meta VALUES('installation','4f4cf42b83616d40669dd5802260b97b');
INSERT INTO meta VALUES('rules_fingerprint','a2f57f778f370a61');
CREATE TABLE counts (
	name TEXT PRIMARY KEY,
	n INTEGER NOT NULL
) STRICT, WITHOUT ROWID;
INSERT INTO counts VALUES('audit',23);
INSERT INTO counts VALUES('cases',6);
INSERT INTO counts VALUES('channel.hook.cancelled',8);
INSERT INTO counts VALUES('channel.hook.dead',1);
INSERT INTO counts VALUES('channel.hook.failed',1);
INSERT INTO counts VALUES('channel.hook.pending',40);
INSERT INTO counts VALUES('channel.hook.sent',2);
INSERT INTO counts VALUES('channel.log.pending',0);
INSERT INTO counts VALUES('channel.log.sent',1);
INSERT INTO counts VALUES('deadlines',14);
INSERT INTO counts VALUES('events',7);
INSERT INTO counts VALUES('notices_to_log',0);
INSERT INTO counts VALUES('reminders.cancelled',8);
INSERT INTO counts VALUES('reminders.dead',1);
INSERT INTO counts VALUES('reminders.failed',1);
INSERT INTO counts VALUES('reminders.pending',40);
INSERT INTO counts VALUES('reminders.sent',3);
INSERT INTO counts VALUES('template_fallbacks',0);
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
INSERT INTO deadline_versions VALUES(1,'preliminary_reply',1,'2040-02-09','open',0,1796630789);
INSERT INTO deadline_versions VALUES(1,'processing',1,'2040-01-23','open',0,1796630789);
INSERT INTO deadline_versions VALUES(2,'preliminary_reply',2,'2040-02-09','open',0,1796630789);
INSERT INTO deadline_versions VALUES(2,'processing',2,'2040-01-23','open',0,1796630789);
INSERT INTO deadline_versions VALUES(3,'preliminary_reply',3,'2040-02-10','open',0,1796630789);
INSERT INTO deadline_versions VALUES(3,'processing',3,'2040-01-24','open',0,1796630789);
INSERT INTO deadline_versions VALUES(4,'complaint',5,'2040-02-08','open',0,1796630790);
INSERT INTO deadline_versions VALUES(4,'late_complaint',5,'2041-01-18','open',0,1796630790);
INSERT INTO deadline_versions VALUES(4,'preliminary_reply',4,'2040-02-20','met',1,1796630790);
INSERT INTO deadline_versions VALUES(4,'processing',4,'2040-02-01','met',1,1796630790);
INSERT INTO deadline_versions VALUES(5,'preliminary_reply',6,'2040-02-20','open',0,1796630790);
INSERT INTO deadline_versions VALUES(5,'processing',6,'2040-01-20','open',0,1796630790);
INSERT INTO deadline_versions VALUES(6,'preliminary_reply',7,'2040-02-20','open',0,1796630790);
INSERT INTO deadline_versions VALUES(6,'processing',7,'2040-02-02','open',0,1796630790);
CREATE TABLE channel_health (
	channel TEXT PRIMARY KEY,
	last_success INTEGER,
	failing_since INTEGER,
	last_error TEXT
) STRICT, WITHOUT ROWID;
INSERT INTO channel_health VALUES('hook',2210562000,2210569200,'HTTP 500');
INSERT INTO channel_health VALUES('log',2210491201,NULL,NULL);
CREATE INDEX cases_service ON cases (service, id);
CREATE INDEX cases_handler ON cases (handler, id);
CREATE INDEX cases_unit ON cases (unit, id);
CREATE INDEX events_case ON events (case_id, id);
CREATE INDEX events_supersedes ON events (supersedes) WHERE supersedes IS NOT NULL;
CREATE INDEX deadlines_state_due ON deadlines (state, due, id);
CREATE INDEX deadlines_due ON deadlines (due, id);
CREATE INDEX audit_case ON audit (case_ref, id);
CREATE INDEX reminders_next ON reminders (not_before) WHERE state IN ('pending', 'failed');
CREATE INDEX reminders_case ON reminders (case_id, state);
CREATE INDEX attempts_reminder ON attempts (reminder_id, id);
CREATE UNIQUE INDEX reminders_caseless ON reminders (kind, stage, occurrence, recipient)
	WHERE case_id IS NULL;
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
PRAGMA user_version = 5;
COMMIT;
