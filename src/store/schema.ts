/**
 * The schema, as an ordered list of migrations. A migration never changes once it has
 * shipped: add a new one. Each runs in its own transaction and is recorded in
 * schema_migrations, so running them again is a no-op.
 *
 * City-model tables keep the validated record as JSONB (`doc`) plus the columns that are
 * filtered, joined or constrained on; the bounding box columns serve ?bbox= filters
 * without PostGIS (PGlite has none).
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const geoColumns = `min_lon double precision, min_lat double precision, max_lon double precision, max_lat double precision`;
const stamps = `created_at timestamptz not null default now(), updated_at timestamptz not null default now()`;

export const migrations: Migration[] = [
  {
    version: 1,
    name: 'city model',
    sql: `
create table if not exists depots (
  id text primary key, district text, ${geoColumns}, doc jsonb not null, ${stamps});

create table if not exists facilities (
  id text primary key, kind text not null, district text, ${geoColumns}, doc jsonb not null, ${stamps});
create index if not exists facilities_kind on facilities (kind);

create table if not exists vehicles (
  id text primary key, kind text not null, district text,
  home_depot_id text not null constraint vehicles_home_depot_fk references depots(id),
  terminal_id text constraint vehicles_terminal_id_key unique,
  device_id text constraint vehicles_device_id_key unique,
  plate text not null constraint vehicles_plate_key unique,
  doc jsonb not null, ${stamps});
create index if not exists vehicles_kind on vehicles (kind);

create table if not exists collection_points (
  id text primary key, waste_class text not null, district text, ${geoColumns}, doc jsonb not null, ${stamps});
create index if not exists collection_points_class on collection_points (waste_class);

create table if not exists construction_sites (
  id text primary key, district text, ${geoColumns}, doc jsonb not null, ${stamps});

create table if not exists permits (
  id text primary key,
  number text not null constraint permits_number_key unique,
  site_id text not null constraint permits_site_fk references construction_sites(id),
  disposal_facility_id text not null constraint permits_disposal_fk references facilities(id),
  district text, ${geoColumns}, doc jsonb not null, ${stamps});

create table if not exists permit_vehicles (
  permit_id text not null references permits(id) on delete cascade,
  vehicle_id text not null constraint permit_vehicles_vehicle_fk references vehicles(id),
  primary key (permit_id, vehicle_id));
create index if not exists permit_vehicles_vehicle on permit_vehicles (vehicle_id);

create table if not exists road_segments (
  id text primary key, grade smallint not null, district text, osm_way_id bigint, ${geoColumns}, doc jsonb not null, ${stamps});
create index if not exists road_segments_grade on road_segments (grade);

create table if not exists restricted_zones (
  id text primary key, district text, ${geoColumns}, doc jsonb not null, ${stamps});

create table if not exists city_profile (
  id smallint primary key check (id = 1), doc jsonb not null, updated_at timestamptz not null default now());
`,
  },
  {
    version: 2,
    name: 'api tokens',
    sql: `
create table if not exists api_tokens (
  id text primary key,
  token_hash text not null constraint api_tokens_hash_key unique,
  role text not null check (role in ('admin', 'dispatcher', 'driver', 'enforcement', 'device')),
  vehicle_id text constraint api_tokens_vehicle_fk references vehicles(id) on delete cascade,
  label text,
  created_at timestamptz not null default now(),
  revoked_at timestamptz,
  -- a driver is bound to one vehicle, a device token may be (a phone) or not (an integrator)
  check ((role = 'driver' and vehicle_id is not null) or role = 'device' or vehicle_id is null));
`,
  },
  {
    version: 3,
    name: 'positions log',
    // Append-only, one row per (vehicle, fix time): the key doubles as the dedupe rule.
    // Partitioned by day so retention drops whole partitions; the default partition
    // catches fixes for days whose partition does not exist yet.
    sql: `
create table if not exists positions (
  vehicle_id text not null,
  fix_time timestamptz not null,
  received_at timestamptz not null default now(),
  lat double precision not null,
  lon double precision not null,
  speed_kmh real not null,
  heading_deg real not null,
  altitude_m real not null default 0,
  positioned boolean not null,
  acc_on boolean,
  load_state text,
  cover_closed boolean,
  body_lifted boolean,
  load_kg real,
  alarm_word bigint,
  status_word bigint,
  odometer_m double precision,
  satellites smallint,
  source text not null,
  blind_area boolean not null default false,
  alarms text[] not null default '{}',
  attributes jsonb,
  primary key (vehicle_id, fix_time)
) partition by range (fix_time);
create table if not exists positions_default partition of positions default;
`,
  },
  {
    version: 4,
    name: 'terminal auth codes',
    sql: `
create table if not exists terminal_auth (
  terminal_id text primary key,
  code_hash text not null,
  issued_at timestamptz not null default now());
`,
  },
  {
    version: 5,
    name: 'api token expiry and last use',
    // Expiry is optional (devices and integrations often run for years); last use is
    // stamped at most once a minute per token, so it tells a stale token from a live one.
    sql: `
alter table api_tokens add column if not exists expires_at timestamptz;
alter table api_tokens add column if not exists last_used_at timestamptz;
`,
  },
  {
    version: 6,
    name: 'positions: alarms as sent, implausible flag',
    // OsmAnd's alarm= used to land in attributes.alarm; it is an alarm (one, as sent), so
    // existing rows move it into alarms. (JSON alarms split at commas before this cannot be
    // told from two alarms, so they stay as stored.)
    // implausible: the fix implies a speed beyond the profile's limit from the previous
    // plausible one; kept as evidence, left out of distance and state. Rows stored before
    // are taken as plausible (a constant default: no rewrite of the log).
    sql: `
alter table positions add column if not exists implausible boolean not null default false;
update positions
  set alarms = array[attributes->>'alarm'],
      attributes = nullif(attributes - 'alarm', '{}'::jsonb)
  where source = 'osmand' and attributes ? 'alarm' and alarms = '{}'
    and jsonb_typeof(attributes->'alarm') in ('string', 'number', 'boolean') and attributes->>'alarm' <> '';
`,
  },
  {
    version: 7,
    name: 'canonical terminal and device ids',
    sql: canonicalDeviceIdsSql(),
  },
  {
    version: 8,
    name: 'users and sessions',
    // People log in by name (unique in any case) with a scrypt password hash; a driver is
    // bound to a vehicle, nobody else is. Sessions are stored as token hashes like API
    // tokens. The planner role joins the token roles too.
    sql: `
create table if not exists users (
  id text primary key,
  name text not null,
  display_name text not null,
  role text not null constraint users_role_check check (role in ('admin', 'dispatcher', 'driver', 'enforcement', 'planner')),
  vehicle_id text constraint users_vehicle_fk references vehicles(id),
  contractor text,
  district text,
  password_hash text not null,
  password_changed_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  disabled_at timestamptz,
  constraint users_driver_vehicle check ((role = 'driver') = (vehicle_id is not null)));
create unique index if not exists users_name_key on users (lower(name));

create table if not exists sessions (
  id text primary key,
  token_hash text not null constraint sessions_hash_key unique,
  user_id text not null constraint sessions_user_fk references users(id) on delete cascade,
  created_at timestamptz not null default now(),
  expires_at timestamptz not null,
  revoked_at timestamptz);
create index if not exists sessions_user on sessions (user_id);

alter table api_tokens drop constraint if exists api_tokens_role_check;
alter table api_tokens add constraint api_tokens_role_check check (role in ('admin', 'dispatcher', 'driver', 'enforcement', 'planner', 'device'));
`,
  },
  {
    version: 9,
    name: 'plans and plan jobs',
    // A plan is one version of one day's plan for a district ('' = the whole city); the
    // Problem it was solved from stays with it (matrices packed apart, see problem-codec.ts)
    // so it can be validated again. At most one plan per date and district is in force
    // (published or in progress); publishing another supersedes it.
    // Plan jobs are the queue: rows claimed with FOR UPDATE SKIP LOCKED by whichever
    // process has a free worker; a lease that runs out hands the job back.
    sql: `
create table if not exists plans (
  id text primary key,
  plan_date date not null,
  district text,
  district_key text not null,
  version integer not null,
  status text not null check (status in ('planning', 'failed', 'draft', 'published', 'in_progress', 'closed', 'superseded')),
  options jsonb not null default '{}',
  problem jsonb,
  problem_matrices bytea,
  mapping jsonb,
  solution jsonb,
  figures jsonb,
  validation jsonb,
  unserved jsonb,
  geometry jsonb,
  error text,
  created_by text,
  created_at timestamptz not null default now(),
  solved_at timestamptz,
  published_by text,
  published_at timestamptz,
  started_at timestamptz,
  closed_at timestamptz,
  superseded_by text,
  revalidated_at timestamptz,
  updated_at timestamptz not null default now(),
  constraint plans_version_key unique (plan_date, district_key, version));
create unique index if not exists plans_one_in_force on plans (plan_date, district_key) where status in ('published', 'in_progress');
create index if not exists plans_date on plans (plan_date, status);

create table if not exists plan_jobs (
  id text primary key,
  plan_id text not null constraint plan_jobs_plan_fk references plans(id) on delete cascade,
  status text not null check (status in ('queued', 'running', 'done', 'failed')),
  attempts integer not null default 0,
  max_attempts integer not null default 3,
  payload jsonb not null,
  progress jsonb,
  owner text,
  lease_until timestamptz,
  dedupe_key text constraint plan_jobs_dedupe_key unique,
  error text,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz);
create index if not exists plan_jobs_queue on plan_jobs (status, created_at);
`,
  },
  {
    version: 10,
    name: 'driver routes: problem reports, stops marked done, route texts to terminals',
    // What drivers send back from the road, and the route texts sent to in-cab terminals
    // (0x8300), one row per chunk with the terminal's 0x0001 reply. A chunk waits 'queued' until
    // its terminal is connected; rows stay with their plan (deleted with it).
    sql: `
create table if not exists driver_reports (
  id text primary key,
  vehicle_id text not null,
  plan_id text constraint driver_reports_plan_fk references plans(id) on delete set null,
  stop_id text,
  kind text not null check (kind in ('vehicle_breakdown', 'blocked_road', 'bin_overflow', 'point_not_accessible')),
  note text,
  lon double precision,
  lat double precision,
  reported_by text not null,
  reported_at timestamptz not null default now());
create index if not exists driver_reports_time on driver_reports (reported_at desc);
create index if not exists driver_reports_vehicle on driver_reports (vehicle_id, reported_at desc);

create table if not exists stop_marks (
  plan_id text not null constraint stop_marks_plan_fk references plans(id) on delete cascade,
  stop_id text not null,
  vehicle_id text not null,
  seq integer not null,
  status text not null check (status in ('done')),
  note text,
  marked_by text not null,
  marked_at timestamptz not null default now(),
  primary key (plan_id, stop_id));

create table if not exists terminal_messages (
  id text primary key,
  plan_id text not null constraint terminal_messages_plan_fk references plans(id) on delete cascade,
  vehicle_id text not null,
  terminal_id text not null,
  chunk_index integer not null,
  chunk_count integer not null,
  text text not null,
  gbk_bytes integer not null,
  status text not null check (status in ('queued', 'sent', 'replied', 'cancelled', 'undelivered')),
  attempts integer not null default 0,
  last_error text,
  reply_result integer,
  reply_serial integer,
  created_at timestamptz not null default now(),
  sent_at timestamptz,
  replied_at timestamptz,
  constraint terminal_messages_chunk_key unique (plan_id, vehicle_id, chunk_index));
create index if not exists terminal_messages_queue on terminal_messages (terminal_id, status);
`,
  },
  {
    version: 11,
    name: 'plan against actual',
    // What a plan's vehicles did (src/planning/actual/): one row per planned collection stop
    // (`<vehicle>#<seq>`) and per planned street (`segment:<task>`), rewritten as the fixes
    // come in; plan events (missed collection, sweeping gap) are raised once per stop and
    // kept in the shape of an alert so the compliance alerts can take them over. The
    // sweeping gear's state comes with each fix (`working`, from the terminal's profile).
    sql: `
alter table positions add column if not exists working boolean;

create table if not exists plan_actual (
  plan_id text not null constraint plan_actual_plan_fk references plans(id) on delete cascade,
  key text not null,
  kind text not null check (kind in ('stop', 'segment')),
  vehicle_ids text[] not null,
  record_id text not null,
  item_id text not null,
  visit integer,
  seq integer,
  status text not null check (status in ('pending', 'done', 'late', 'missed')),
  source text check (source in ('gps', 'driver')),
  from_at timestamptz not null,
  due_at timestamptz not null,
  planned_at timestamptz not null,
  arrival_at timestamptz,
  departure_at timestamptz,
  passes integer,
  required_passes integer,
  updated_at timestamptz not null default now(),
  primary key (plan_id, key));

create table if not exists plan_events (
  id text primary key,
  type text not null check (type in ('missed_collection', 'sweeping_gap')),
  plan_id text not null constraint plan_events_plan_fk references plans(id) on delete cascade,
  vehicle_id text,
  key text not null,
  record_id text not null,
  at timestamptz not null,
  details jsonb not null default '{}',
  created_at timestamptz not null default now(),
  constraint plan_events_once unique (plan_id, type, key));
create index if not exists plan_events_at on plan_events (at);
`,
  },
  {
    version: 12,
    name: 'incidents, incident log, spill reports, e-manifest trips',
    // Facility outlines live in the facility's doc (no column). An incident is one row per
    // violation, keyed by the detector's stable key so a repeated 'open' never duplicates it.
    // The officers' log is append-only: a trigger refuses every update and delete, so the
    // enforcement record (执法全过程记录) cannot be rewritten, whatever code runs against it.
    // Spill reports keep their ranked candidates; e-manifest trips (电子联单) one row per trip.
    sql: `
create table if not exists incidents (
  id text primary key,
  key text not null constraint incidents_key_key unique,
  type text not null,
  -- null: a spill reported where no truck passed (the report still has to be handled)
  vehicle_id text,
  permit_id text,
  zone_id text,
  contractor text,
  district text,
  start_at timestamptz not null,
  end_at timestamptz,
  last_event_at timestamptz not null,
  level integer not null default 1,
  status text not null default 'open' check (status in ('open', 'acknowledged', 'assigned', 'closed')),
  detection text not null default 'open' check (detection in ('open', 'closed')),
  assigned_to text,
  disposition text,
  fix_ids jsonb not null default '[]',
  thresholds jsonb not null default '{}',
  details jsonb not null default '{}',
  spill_report_id text,
  -- where it began (the first fix involved, or a spill report's spot), for the map
  lon double precision,
  lat double precision,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now());
create index if not exists incidents_start on incidents (start_at desc);
create index if not exists incidents_vehicle on incidents (vehicle_id, start_at desc);
create index if not exists incidents_status on incidents (status, type);

create table if not exists incident_log (
  seq bigint generated always as identity primary key,
  incident_id text not null constraint incident_log_incident_fk references incidents(id),
  at timestamptz not null default now(),
  actor text not null,
  actor_role text not null,
  action text not null check (action in ('acknowledge', 'assign', 'close', 'reopen')),
  note text,
  disposition text,
  assigned_to text);
create index if not exists incident_log_incident on incident_log (incident_id, seq);

create or replace function incident_log_append_only() returns trigger language plpgsql as $$
begin
  raise exception 'incident_log is append-only: % refused', tg_op using errcode = 'P0001';
end
$$;
drop trigger if exists incident_log_no_change on incident_log;
create trigger incident_log_no_change before update or delete on incident_log
  for each row execute function incident_log_append_only();
drop trigger if exists incident_log_no_truncate on incident_log;
create trigger incident_log_no_truncate before truncate on incident_log
  for each statement execute function incident_log_append_only();

create table if not exists spill_reports (
  id text primary key,
  reported_at timestamptz not null,
  lon double precision not null,
  lat double precision not null,
  reporter_kind text not null check (reporter_kind in ('sweeper', 'citizen', 'officer')),
  note text,
  photo text,
  reported_by text not null,
  radius_m double precision not null,
  window_s integer not null,
  candidates jsonb not null default '[]',
  incident_id text,
  created_at timestamptz not null default now());
create index if not exists spill_reports_time on spill_reports (reported_at desc);

create table if not exists manifest_trips (
  id text primary key,
  vehicle_id text not null,
  permit_id text not null,
  site_id text not null,
  disposal_facility_id text not null,
  night date not null,
  opened_at timestamptz not null,
  closed_at timestamptz,
  closed_facility_id text,
  status text not null check (status in ('open', 'closed', 'flagged')),
  flag text check (flag in ('ended_elsewhere', 'late')),
  load_kg real,
  open_fix_id text,
  close_fix_id text,
  updated_at timestamptz not null default now(),
  constraint manifest_trips_open_key unique (vehicle_id, opened_at));
create index if not exists manifest_trips_night on manifest_trips (night, permit_id, site_id);
`,
  },  {
    version: 13,
    name: 'capacity runs',
    // A Monte Carlo capacity study asked for through the API: its scenario, progress while it
    // runs (days planned of all), and the result (per fleet: share cleared, interval; the
    // recommendation; every day's outcome). One row per run; results are kept, never edited.
    sql: `
create table if not exists capacity_runs (
  id text primary key,
  status text not null check (status in ('queued', 'running', 'done', 'failed')),
  scenario jsonb not null,
  city text not null,
  done_jobs integer not null default 0,
  total_jobs integer not null,
  result jsonb,
  error text,
  created_by text not null,
  created_at timestamptz not null default now(),
  started_at timestamptz,
  finished_at timestamptz);
create index if not exists capacity_runs_status on capacity_runs (status, created_at);
`,
  },
  {
    version: 14,
    name: 'capacity days in the plan-job queue',
    // On a PostgreSQL server a capacity run's days are jobs of the plan queue (kind
    // 'capacity_day', no plan), so `npm run worker` processes on other machines take them and a
    // run outlives a restart. The run keeps the city it studies (every process plans the same
    // city), each day's outcome is stored as it comes (capacity_days), and the run carries the
    // per-fleet shares so far for the pages following it.
    sql: `
alter table plan_jobs alter column plan_id drop not null;
alter table plan_jobs add column if not exists kind text not null default 'plan';
alter table plan_jobs add column if not exists run_id text constraint plan_jobs_run_fk references capacity_runs(id) on delete cascade;
alter table plan_jobs drop constraint if exists plan_jobs_kind_check;
alter table plan_jobs add constraint plan_jobs_kind_check check (
  (kind = 'plan' and plan_id is not null and run_id is null) or (kind = 'capacity_day' and plan_id is null and run_id is not null));
alter table capacity_runs add column if not exists city_snapshot jsonb;
alter table capacity_runs add column if not exists shares jsonb;
create table if not exists capacity_days (
  run_id text not null constraint capacity_days_run_fk references capacity_runs(id) on delete cascade,
  seq integer not null,
  fleet text not null,
  day integer not null,
  cleared boolean not null,
  outcome jsonb not null,
  job_owner text not null,
  finished_at timestamptz not null default now(),
  primary key (run_id, seq));
`,
  },
];

/**
 * Migration 7: terminal ids (and numeric device ids) were compared as sent, so "13800001001"
 * and "013800001001" could be bound to two vehicles. Rewrites both columns and the record's doc
 * into the canonical form of src/domain/terminal-id.ts (leading zeros stripped), so the
 * existing unique constraints then hold on the canonical id.
 *
 * Rows that collide once canonical cannot all keep the id. The migration does not fail the
 * start (the whole fleet would stop reporting) and does not drop anything silently: the vehicle
 * the device directory resolved the id to until now keeps it — the greatest vehicle id, as the
 * directory was loaded in id order and the last binding won, so fixes keep going where they
 * went — and every other vehicle of the group is unbound from it and recorded in
 * terminal_id_conflicts (what it held, the canonical id, which vehicle kept it). The service
 * logs each unresolved row at warn at every start (src/store/device-keys.ts) until the
 * vehicle is bound to another id, deleted, or the row removed.
 *
 * The SQL is spelled out here, not built from a shared helper: a shipped migration never changes.
 */
function canonicalDeviceIdsSql(): string {
  const canonical = (column: string) =>
    `(case when ${column} ~ '^[0-9]+$' then coalesce(nullif(ltrim(${column}, '0'), ''), '0') else ${column} end)`;
  const perColumn = (column: string, field: string) => `
insert into terminal_id_conflicts (vehicle_id, field, stored_value, canonical_value, kept_by_vehicle_id)
select v.id, '${field}', v.${column}, k.canonical, k.keeper
from vehicles v
join (select ${canonical(column)} as canonical, max(id) as keeper
      from vehicles where ${column} is not null group by 1 having count(*) > 1) k
  on ${canonical(`v.${column}`)} = k.canonical
where v.id <> k.keeper;

update vehicles set ${column} = null, doc = doc - '${field}', updated_at = now()
where id in (select vehicle_id from terminal_id_conflicts where field = '${field}');

update vehicles set ${column} = ${canonical(column)}, doc = jsonb_set(doc, '{${field}}', to_jsonb(${canonical(column)})), updated_at = now()
where ${column} is not null and ${column} <> ${canonical(column)};
`;
  return `
create table if not exists terminal_id_conflicts (
  vehicle_id text not null,
  field text not null check (field in ('terminalId', 'deviceId')),
  stored_value text not null,
  canonical_value text not null,
  kept_by_vehicle_id text not null,
  detected_at timestamptz not null default now(),
  primary key (vehicle_id, field));
${perColumn('terminal_id', 'terminalId')}
${perColumn('device_id', 'deviceId')}
`;
}

export const latestMigrationVersion = Math.max(...migrations.map((m) => m.version));
