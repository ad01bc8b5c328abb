-- The province's central database (PostgreSQL), made and migrated by
-- `camwatch upstream init`. Every commune's camwatchd ships its history
-- here; the rows keep the edge's own ids, keyed by (instance, epoch,
-- local id): the epoch is a random id made with each edge database, so a
-- restored or recreated edge database never overwrites its predecessor.
--
-- An edge's role may do one thing: call camwatch.apply_batch for its own
-- instance (SECURITY DEFINER; the instance a role may write is in
-- camwatch.edge_roles). It cannot read or write any table, another
-- commune's rows least of all. Readers (reports, the province console) get
-- camwatch_reader: SELECT on the tables.
--
-- Versioned like the local schema: camwatch.meta's 'schema' is the number
-- of steps applied; each step below runs once, in order, in one
-- transaction with the version's update. A step is never edited once
-- released: a change is a new step.

-- @step 1
CREATE SCHEMA IF NOT EXISTS camwatch;
CREATE TABLE camwatch.meta (key text PRIMARY KEY, value text NOT NULL);
-- one row per edge database: what it has sent and when
CREATE TABLE camwatch.edges (
  instance text NOT NULL, epoch text NOT NULL,
  acked_seq bigint NOT NULL DEFAULT 0,          -- the edge's change log, applied up to here
  complete_until_us bigint NOT NULL DEFAULT 0,  -- the edge's data is whole up to here
  installed_us bigint NOT NULL,                 -- its first run: nothing before it is believed
  edge_clock_us bigint,                         -- the edge's clock when it sent its last batch
  skew_us bigint,                               -- received minus the edge's clock (latency included)
  first_seen_us bigint NOT NULL, last_batch_us bigint,
  batches bigint NOT NULL DEFAULT 0, rows bigint NOT NULL DEFAULT 0,
  PRIMARY KEY (instance, epoch));
-- which login role sends for which instance
CREATE TABLE camwatch.edge_roles (role name PRIMARY KEY, instance text NOT NULL UNIQUE);
CREATE TABLE camwatch.cameras (
  instance text NOT NULL, epoch text NOT NULL, id text NOT NULL,
  name text NOT NULL, site text NOT NULL, site_name text NOT NULL, commune text NOT NULL,
  commune_name text NOT NULL, district text NOT NULL, district_name text NOT NULL, url text NOT NULL,
  enabled integer NOT NULL, added_us bigint NOT NULL, updated_us bigint NOT NULL, plugins text NOT NULL,
  province text NOT NULL, province_name text NOT NULL, commune_formerly text NOT NULL,
  PRIMARY KEY (instance, epoch, id));
CREATE INDEX cameras_id ON camwatch.cameras (id);
CREATE TABLE camwatch.spans (
  instance text NOT NULL, epoch text NOT NULL, local_id bigint NOT NULL,
  camera text NOT NULL, state text NOT NULL, cause text NOT NULL, detail text NOT NULL,
  start_us bigint NOT NULL, end_us bigint, PRIMARY KEY (instance, epoch, local_id));
CREATE INDEX spans_camera_start ON camwatch.spans (camera, start_us);
CREATE INDEX spans_start ON camwatch.spans (start_us);
CREATE TABLE camwatch.conditions (
  instance text NOT NULL, epoch text NOT NULL, local_id bigint NOT NULL,
  camera text NOT NULL, condition text NOT NULL, start_us bigint NOT NULL, end_us bigint,
  PRIMARY KEY (instance, epoch, local_id));
CREATE INDEX conditions_camera_start ON camwatch.conditions (camera, start_us);
-- snapshots stay at the edge: their path, size and hash travel, not the JPEG
CREATE TABLE camwatch.events (
  instance text NOT NULL, epoch text NOT NULL, local_id bigint NOT NULL,
  camera text NOT NULL, kind text NOT NULL, start_us bigint NOT NULL, end_us bigint NOT NULL,
  peak_score double precision NOT NULL, regions text NOT NULL, snapshot text NOT NULL,
  snapshot_size bigint, snapshot_hash text, PRIMARY KEY (instance, epoch, local_id));
CREATE INDEX events_camera_start ON camwatch.events (camera, start_us);
CREATE INDEX events_start ON camwatch.events (start_us);
CREATE TABLE camwatch.alerts (
  instance text NOT NULL, epoch text NOT NULL, local_id bigint NOT NULL,
  key text NOT NULL, created_us bigint NOT NULL, camera text NOT NULL, kind text NOT NULL,
  severity text NOT NULL, body text NOT NULL, PRIMARY KEY (instance, epoch, local_id));
CREATE TABLE camwatch.deliveries (
  instance text NOT NULL, epoch text NOT NULL, alert_key text NOT NULL, target text NOT NULL,
  state text NOT NULL, attempts integer NOT NULL, next_us bigint NOT NULL, last_error text NOT NULL,
  delivered_us bigint, PRIMARY KEY (instance, epoch, alert_key, target));
CREATE TABLE camwatch.maintenance (
  instance text NOT NULL, epoch text NOT NULL, local_id bigint NOT NULL,
  scope text NOT NULL, target text NOT NULL, from_us bigint NOT NULL, to_us bigint NOT NULL,
  note text NOT NULL, created_by text NOT NULL, created_us bigint NOT NULL, ended_by text, ended_us bigint,
  PRIMARY KEY (instance, epoch, local_id));
CREATE TABLE camwatch.acks (
  instance text NOT NULL, epoch text NOT NULL, local_id bigint NOT NULL,
  camera text NOT NULL, note text NOT NULL, created_by text NOT NULL, created_us bigint NOT NULL,
  PRIMARY KEY (instance, epoch, local_id));
CREATE TABLE camwatch.clock_steps (
  instance text NOT NULL, epoch text NOT NULL, local_id bigint NOT NULL,
  at_us bigint NOT NULL, step_us bigint NOT NULL, PRIMARY KEY (instance, epoch, local_id));
CREATE TABLE camwatch.runs (
  instance text NOT NULL, epoch text NOT NULL, local_id bigint NOT NULL,
  started_us bigint NOT NULL, heartbeat_us bigint NOT NULL, stopped_us bigint, crashed integer NOT NULL,
  PRIMARY KEY (instance, epoch, local_id));
-- per camera and month, the edge's own figures (seconds by state and
-- cause, outages) up to a moment, to check against what is held here
CREATE TABLE camwatch.digests (
  instance text NOT NULL, epoch text NOT NULL, camera text NOT NULL, month text NOT NULL,
  upto_us bigint NOT NULL, figures jsonb NOT NULL, received_us bigint NOT NULL,
  checked_us bigint, agrees boolean, central jsonb,
  PRIMARY KEY (instance, epoch, camera, month));
-- a camera whose history did not agree: the edge sends it again
CREATE TABLE camwatch.resend (
  instance text NOT NULL, epoch text NOT NULL, camera text NOT NULL, asked_us bigint NOT NULL,
  PRIMARY KEY (instance, epoch, camera));
-- rows refused, with why: the stream goes on without them
CREATE TABLE camwatch.quarantine (
  id bigserial PRIMARY KEY, instance text NOT NULL, epoch text NOT NULL, tbl text NOT NULL, rkey text NOT NULL,
  row jsonb, reason text NOT NULL, received_us bigint NOT NULL);

-- The time now, in microseconds since 1970 (UTC).
CREATE FUNCTION camwatch.now_us() RETURNS bigint LANGUAGE sql STABLE AS
$$ SELECT (extract(epoch FROM clock_timestamp()) * 1000000)::bigint $$;

-- Why a row's time cannot be believed, or NULL: before the edge was
-- installed (boxes do boot in 1970) or more than a day ahead of the
-- centre's clock (or in 2071).
CREATE FUNCTION camwatch.bad_time(t bigint, installed bigint) RETURNS text LANGUAGE sql STABLE AS $$
  SELECT CASE
    WHEN t IS NULL THEN NULL
    WHEN t < installed THEN 'time ' || to_char(to_timestamp(t / 1e6) AT TIME ZONE 'UTC', 'YYYY-MM-DD HH24:MI:SS')
                           || ' UTC is before the edge was installed'
    WHEN t > camwatch.now_us() + 86400000000 THEN 'time ' || to_char(to_timestamp(t / 1e6) AT TIME ZONE 'UTC',
                           'YYYY-MM-DD HH24:MI:SS') || ' UTC is more than a day in the future'
  END $$;

-- One batch of an edge's change log: each row's current state (or null:
-- deleted at the edge), in log order, with the log's range. Applied in one
-- transaction (the function's statement): the rows upserted, the edge's
-- acknowledged sequence advanced. A batch whose range is already
-- acknowledged (re-sent after its reply was lost) changes nothing. A
-- batch that does not follow what is here (this database was restored from
-- a dump older than the edge's acknowledged sequence) is not applied:
-- "gap" tells the edge to send everything again from p_whole_from, the
-- point from which its log holds every row (its last backfill). Returns
-- {"acked": the sequence applied up to, "gap": bool, "resend": [cameras to
-- send again]}.
CREATE FUNCTION camwatch.apply_batch(p_instance text, p_epoch text, p_whole_from bigint, p_first bigint,
                                     p_last bigint, p_complete_until bigint, p_edge_clock bigint,
                                     p_installed bigint, p_rows jsonb)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = camwatch, pg_temp AS $$
DECLARE
  e camwatch.edges;
  r jsonb;
  d jsonb;
  t text;
  k text;
  why text;
  n bigint := 0;
  now_ bigint := camwatch.now_us();
  owner text;
BEGIN
  -- the caller's role may send for its own instance only (the owner, for
  -- `camwatch upstream sync` run by the province's administrator, for any)
  SELECT instance INTO owner FROM camwatch.edge_roles WHERE role = session_user;
  IF owner IS DISTINCT FROM p_instance AND NOT pg_has_role(session_user, 'camwatch_owner', 'MEMBER') THEN
    RAISE EXCEPTION 'role % may not send for instance %', session_user, p_instance USING ERRCODE = '42501';
  END IF;
  IF p_instance !~ '^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$' OR p_epoch !~ '^[0-9a-f]{32}$' THEN
    RAISE EXCEPTION 'malformed instance or epoch' USING ERRCODE = '22023';
  END IF;
  INSERT INTO camwatch.edges (instance, epoch, installed_us, first_seen_us)
  VALUES (p_instance, p_epoch, greatest(p_installed, 1577836800000000), now_)  -- never before 2020
  ON CONFLICT DO NOTHING;
  SELECT * INTO e FROM camwatch.edges WHERE instance = p_instance AND epoch = p_epoch FOR UPDATE;
  IF p_last <= e.acked_seq THEN
    -- already applied (a reply lost after COMMIT): nothing changes; or
    -- nothing new (no rows): the edge says how far its data is whole
    IF p_last = e.acked_seq AND jsonb_array_length(p_rows) = 0 THEN
      UPDATE camwatch.edges SET complete_until_us = greatest(complete_until_us, coalesce(p_complete_until, 0)),
        edge_clock_us = p_edge_clock, skew_us = now_ - p_edge_clock, last_batch_us = now_
        WHERE instance = p_instance AND epoch = p_epoch;
    END IF;
    RETURN jsonb_build_object('acked', e.acked_seq, 'gap', false, 'resend', '[]'::jsonb);
  END IF;
  IF p_first > e.acked_seq + 1 AND p_first <> p_whole_from THEN
    RETURN jsonb_build_object('acked', e.acked_seq, 'gap', true, 'resend', '[]'::jsonb);
  END IF;
  FOR r IN SELECT * FROM jsonb_array_elements(p_rows) LOOP
    t := r->>'t';
    k := r->>'k';
    d := r->'d';
    why := NULL;
    IF d IS NOT NULL AND jsonb_typeof(d) = 'object' THEN
      why := coalesce(camwatch.bad_time((d->>'start_us')::bigint, e.installed_us),
                      camwatch.bad_time((d->>'created_us')::bigint, e.installed_us),
                      camwatch.bad_time((d->>'at_us')::bigint, e.installed_us),
                      camwatch.bad_time((d->>'started_us')::bigint, e.installed_us),
                      camwatch.bad_time((d->>'end_us')::bigint, e.installed_us));
      IF why IS NULL AND t = 'cameras' AND EXISTS (SELECT 1 FROM camwatch.cameras c WHERE c.id = d->>'id'
                                                   AND c.instance <> p_instance) THEN
        why := 'camera id ' || (d->>'id') || ' belongs to another instance';
      END IF;
    END IF;
    IF why IS NOT NULL THEN
      INSERT INTO camwatch.quarantine (instance, epoch, tbl, rkey, row, reason, received_us)
      VALUES (p_instance, p_epoch, t, k, d, why, now_);
      CONTINUE;
    END IF;
    n := n + 1;
    IF t = 'cameras' THEN
      IF d IS NULL OR jsonb_typeof(d) = 'null' THEN
        DELETE FROM camwatch.cameras WHERE instance = p_instance AND epoch = p_epoch AND id = k;
      ELSE
        INSERT INTO camwatch.cameras VALUES (p_instance, p_epoch, d->>'id', d->>'name', d->>'site', d->>'site_name',
          d->>'commune', d->>'commune_name', d->>'district', d->>'district_name', d->>'url', (d->>'enabled')::int,
          (d->>'added_us')::bigint, (d->>'updated_us')::bigint, d->>'plugins', d->>'province', d->>'province_name',
          d->>'commune_formerly')
        ON CONFLICT (instance, epoch, id) DO UPDATE SET name = excluded.name, site = excluded.site,
          site_name = excluded.site_name, commune = excluded.commune, commune_name = excluded.commune_name,
          district = excluded.district, district_name = excluded.district_name, url = excluded.url,
          enabled = excluded.enabled, added_us = excluded.added_us, updated_us = excluded.updated_us,
          plugins = excluded.plugins, province = excluded.province, province_name = excluded.province_name,
          commune_formerly = excluded.commune_formerly;
      END IF;
    ELSIF t = 'spans' THEN
      IF d IS NULL OR jsonb_typeof(d) = 'null' THEN
        DELETE FROM camwatch.spans WHERE instance = p_instance AND epoch = p_epoch AND local_id = k::bigint;
      ELSE
        INSERT INTO camwatch.spans VALUES (p_instance, p_epoch, k::bigint, d->>'camera', d->>'state', d->>'cause',
          d->>'detail', (d->>'start_us')::bigint, (d->>'end_us')::bigint)
        ON CONFLICT (instance, epoch, local_id) DO UPDATE SET camera = excluded.camera, state = excluded.state,
          cause = excluded.cause, detail = excluded.detail, start_us = excluded.start_us, end_us = excluded.end_us;
      END IF;
    ELSIF t = 'conditions' THEN
      IF d IS NULL OR jsonb_typeof(d) = 'null' THEN
        DELETE FROM camwatch.conditions WHERE instance = p_instance AND epoch = p_epoch AND local_id = k::bigint;
      ELSE
        INSERT INTO camwatch.conditions VALUES (p_instance, p_epoch, k::bigint, d->>'camera', d->>'condition',
          (d->>'start_us')::bigint, (d->>'end_us')::bigint)
        ON CONFLICT (instance, epoch, local_id) DO UPDATE SET camera = excluded.camera,
          condition = excluded.condition, start_us = excluded.start_us, end_us = excluded.end_us;
      END IF;
    ELSIF t = 'events' THEN
      IF d IS NULL OR jsonb_typeof(d) = 'null' THEN
        DELETE FROM camwatch.events WHERE instance = p_instance AND epoch = p_epoch AND local_id = k::bigint;
      ELSE
        INSERT INTO camwatch.events VALUES (p_instance, p_epoch, k::bigint, d->>'camera', d->>'kind',
          (d->>'start_us')::bigint, (d->>'end_us')::bigint, (d->>'peak_score')::double precision, d->>'regions',
          d->>'snapshot', (d->>'snapshot_size')::bigint, d->>'snapshot_hash')
        ON CONFLICT (instance, epoch, local_id) DO UPDATE SET camera = excluded.camera, kind = excluded.kind,
          start_us = excluded.start_us, end_us = excluded.end_us, peak_score = excluded.peak_score,
          regions = excluded.regions, snapshot = excluded.snapshot, snapshot_size = excluded.snapshot_size,
          snapshot_hash = excluded.snapshot_hash;
      END IF;
    ELSIF t = 'alerts' THEN
      IF d IS NULL OR jsonb_typeof(d) = 'null' THEN
        DELETE FROM camwatch.alerts WHERE instance = p_instance AND epoch = p_epoch AND local_id = k::bigint;
      ELSE
        INSERT INTO camwatch.alerts VALUES (p_instance, p_epoch, k::bigint, d->>'key', (d->>'created_us')::bigint,
          d->>'camera', d->>'kind', d->>'severity', d->>'body')
        ON CONFLICT (instance, epoch, local_id) DO UPDATE SET key = excluded.key, created_us = excluded.created_us,
          camera = excluded.camera, kind = excluded.kind, severity = excluded.severity, body = excluded.body;
      END IF;
    ELSIF t = 'deliveries' THEN
      IF d IS NULL OR jsonb_typeof(d) = 'null' THEN
        DELETE FROM camwatch.deliveries WHERE instance = p_instance AND epoch = p_epoch
          AND alert_key = split_part(k, E'\t', 1) AND target = split_part(k, E'\t', 2);
      ELSE
        INSERT INTO camwatch.deliveries VALUES (p_instance, p_epoch, d->>'alert_key', d->>'target', d->>'state',
          (d->>'attempts')::int, (d->>'next_us')::bigint, d->>'last_error', (d->>'delivered_us')::bigint)
        ON CONFLICT (instance, epoch, alert_key, target) DO UPDATE SET state = excluded.state,
          attempts = excluded.attempts, next_us = excluded.next_us, last_error = excluded.last_error,
          delivered_us = excluded.delivered_us;
      END IF;
    ELSIF t = 'maintenance' THEN
      IF d IS NULL OR jsonb_typeof(d) = 'null' THEN
        DELETE FROM camwatch.maintenance WHERE instance = p_instance AND epoch = p_epoch AND local_id = k::bigint;
      ELSE
        INSERT INTO camwatch.maintenance VALUES (p_instance, p_epoch, k::bigint, d->>'scope', d->>'target',
          (d->>'from_us')::bigint, (d->>'to_us')::bigint, d->>'note', d->>'created_by', (d->>'created_us')::bigint,
          d->>'ended_by', (d->>'ended_us')::bigint)
        ON CONFLICT (instance, epoch, local_id) DO UPDATE SET scope = excluded.scope, target = excluded.target,
          from_us = excluded.from_us, to_us = excluded.to_us, note = excluded.note, created_by = excluded.created_by,
          created_us = excluded.created_us, ended_by = excluded.ended_by, ended_us = excluded.ended_us;
      END IF;
    ELSIF t = 'acks' THEN
      IF d IS NULL OR jsonb_typeof(d) = 'null' THEN
        DELETE FROM camwatch.acks WHERE instance = p_instance AND epoch = p_epoch AND local_id = k::bigint;
      ELSE
        INSERT INTO camwatch.acks VALUES (p_instance, p_epoch, k::bigint, d->>'camera', d->>'note', d->>'created_by',
          (d->>'created_us')::bigint)
        ON CONFLICT (instance, epoch, local_id) DO UPDATE SET camera = excluded.camera, note = excluded.note,
          created_by = excluded.created_by, created_us = excluded.created_us;
      END IF;
    ELSIF t = 'clock_steps' THEN
      IF d IS NULL OR jsonb_typeof(d) = 'null' THEN
        DELETE FROM camwatch.clock_steps WHERE instance = p_instance AND epoch = p_epoch AND local_id = k::bigint;
      ELSE
        INSERT INTO camwatch.clock_steps VALUES (p_instance, p_epoch, k::bigint, (d->>'at_us')::bigint,
          (d->>'step_us')::bigint)
        ON CONFLICT (instance, epoch, local_id) DO UPDATE SET at_us = excluded.at_us, step_us = excluded.step_us;
      END IF;
    ELSIF t = 'runs' THEN
      IF d IS NULL OR jsonb_typeof(d) = 'null' THEN
        DELETE FROM camwatch.runs WHERE instance = p_instance AND epoch = p_epoch AND local_id = k::bigint;
      ELSE
        INSERT INTO camwatch.runs VALUES (p_instance, p_epoch, k::bigint, (d->>'started_us')::bigint,
          (d->>'heartbeat_us')::bigint, (d->>'stopped_us')::bigint, (d->>'crashed')::int)
        ON CONFLICT (instance, epoch, local_id) DO UPDATE SET started_us = excluded.started_us,
          heartbeat_us = excluded.heartbeat_us, stopped_us = excluded.stopped_us, crashed = excluded.crashed;
      END IF;
    ELSIF t = 'resent' THEN
      n := n - 1; -- a camera's history sent again: its request is answered below
    ELSIF t = 'digests' THEN
      INSERT INTO camwatch.digests (instance, epoch, camera, month, upto_us, figures, received_us)
      VALUES (p_instance, p_epoch, d->>'camera', d->>'month', (d->>'upto_us')::bigint, d->'figures', now_)
      ON CONFLICT (instance, epoch, camera, month) DO UPDATE SET upto_us = excluded.upto_us,
        figures = excluded.figures, received_us = excluded.received_us, checked_us = NULL, agrees = NULL,
        central = NULL;
    ELSE
      INSERT INTO camwatch.quarantine (instance, epoch, tbl, rkey, row, reason, received_us)
      VALUES (p_instance, p_epoch, t, k, d, 'unknown table', now_);
      n := n - 1;
    END IF;
  END LOOP;
  -- a camera sent again after a mismatch: its request is answered
  DELETE FROM camwatch.resend WHERE instance = p_instance AND epoch = p_epoch
    AND camera IN (SELECT x->'d'->>'camera' FROM jsonb_array_elements(p_rows) x WHERE x->>'t' = 'resent');
  UPDATE camwatch.edges SET acked_seq = p_last,
    complete_until_us = greatest(complete_until_us, coalesce(p_complete_until, 0)),
    installed_us = least(installed_us, greatest(p_installed, 1577836800000000)),
    edge_clock_us = p_edge_clock, skew_us = now_ - p_edge_clock, last_batch_us = now_,
    batches = batches + 1, rows = rows + n
    WHERE instance = p_instance AND epoch = p_epoch;
  RETURN jsonb_build_object('acked', p_last, 'gap', false,
    'resend', coalesce((SELECT jsonb_agg(camera) FROM camwatch.resend WHERE instance = p_instance AND epoch = p_epoch),
                       '[]'::jsonb));
END $$;

-- Roles: the owner (the schema's administrators), the edges (one login
-- role per commune, made by `camwatch upstream add-edge`, member of
-- camwatch_edge: apply_batch and nothing else), the readers.
DO $$ BEGIN
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'camwatch_owner') THEN CREATE ROLE camwatch_owner NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'camwatch_edge') THEN CREATE ROLE camwatch_edge NOLOGIN; END IF;
  IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'camwatch_reader') THEN CREATE ROLE camwatch_reader NOLOGIN; END IF;
END $$;
REVOKE ALL ON SCHEMA camwatch FROM PUBLIC;
REVOKE ALL ON ALL TABLES IN SCHEMA camwatch FROM PUBLIC;
REVOKE ALL ON ALL FUNCTIONS IN SCHEMA camwatch FROM PUBLIC;
GRANT USAGE ON SCHEMA camwatch TO camwatch_edge, camwatch_reader;
GRANT EXECUTE ON FUNCTION camwatch.apply_batch(text, text, bigint, bigint, bigint, bigint, bigint, bigint, jsonb)
  TO camwatch_edge;
GRANT SELECT ON ALL TABLES IN SCHEMA camwatch TO camwatch_reader;
GRANT EXECUTE ON FUNCTION camwatch.now_us(), camwatch.bad_time(bigint, bigint) TO camwatch_reader;

-- @step 2
-- Step 1's apply_batch answered "resend: []" to a batch that brought
-- nothing new: a commune with nothing to send never heard that the
-- province's check (`camwatch upstream check`) wants a camera again. It
-- stays as apply_batch_v1 (the owner's; no edge may call it) and the new
-- apply_batch, the edges' one function still, answers the cameras asked
-- for whatever the batch held.
ALTER FUNCTION camwatch.apply_batch(text, text, bigint, bigint, bigint, bigint, bigint, bigint, jsonb)
  RENAME TO apply_batch_v1;
REVOKE ALL ON FUNCTION camwatch.apply_batch_v1(text, text, bigint, bigint, bigint, bigint, bigint, bigint, jsonb)
  FROM PUBLIC, camwatch_edge;
CREATE FUNCTION camwatch.apply_batch(p_instance text, p_epoch text, p_whole_from bigint, p_first bigint,
                                     p_last bigint, p_complete_until bigint, p_edge_clock bigint,
                                     p_installed bigint, p_rows jsonb)
RETURNS jsonb LANGUAGE plpgsql SECURITY DEFINER SET search_path = camwatch, pg_temp AS $$
DECLARE
  r jsonb;
BEGIN
  -- v1 checks the caller (session_user is still the edge's role here)
  r := camwatch.apply_batch_v1(p_instance, p_epoch, p_whole_from, p_first, p_last, p_complete_until, p_edge_clock,
                               p_installed, p_rows);
  IF (r->>'gap')::boolean THEN
    RETURN r;
  END IF;
  RETURN jsonb_set(r, '{resend}',
    coalesce((SELECT jsonb_agg(camera ORDER BY camera) FROM camwatch.resend
              WHERE instance = p_instance AND epoch = p_epoch), '[]'::jsonb));
END $$;
REVOKE ALL ON FUNCTION camwatch.apply_batch(text, text, bigint, bigint, bigint, bigint, bigint, bigint, jsonb)
  FROM PUBLIC;
GRANT EXECUTE ON FUNCTION camwatch.apply_batch(text, text, bigint, bigint, bigint, bigint, bigint, bigint, jsonb)
  TO camwatch_edge;
