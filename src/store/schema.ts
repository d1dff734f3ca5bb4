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
];

export const latestMigrationVersion = Math.max(...migrations.map((m) => m.version));
