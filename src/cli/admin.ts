import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { tokenBindingProblem, TokenStore } from '../auth/api-tokens.js';
import { roles } from '../domain/principal.js';
import { ConfigError, loadConfig } from '../config.js';
import { entityId } from '../domain/model.js';
import { CityRepo } from '../store/city-repo.js';
import { DataDirLockedError } from '../store/data-dir-lock.js';
import { openDb, type Db } from '../store/db.js';
import { migrate } from '../store/migrate.js';
import { resources } from '../store/resources.js';

/**
 * The admin's way back in without wiping the store: issue, list and revoke API tokens
 * against the configured store (DATABASE_URL or DATA_DIR, validated as the service does).
 *
 *   npm run admin -- token create --role admin [--label x] [--expires-in-days N] [--vehicle ID]
 *   npm run admin -- token list
 *   npm run admin -- token revoke <id>
 *
 * On PGlite the store serves one process: while the service runs on the same DATA_DIR
 * this refuses with a clear message (the data-directory lock) instead of writing beside it.
 * Exit codes: 0 done, 1 refused or failed, 2 bad usage or configuration.
 */
export const USAGE = `usage:
  npm run admin -- token create --role <${roles.join('|')}> [--label <text>] [--expires-in-days <N>] [--vehicle <vehicle id>]
  npm run admin -- token list
  npm run admin -- token revoke <token id>`;

export interface CliIo {
  out(line: string): void;
  err(line: string): void;
}

class UsageError extends Error {}
/** The store said no (unknown id, locked store): exit 1 with the reason. */
class CliRefusal extends Error {}

const text = z.string().min(1).max(200).refine((s) => !s.includes('\u0000'), 'must not contain U+0000 (NUL)');
const createArgs = z.strictObject({
  role: z.enum(roles),
  label: text.optional(),
  'expires-in-days': z.coerce.number().int().min(1).max(3650).optional(),
  vehicle: entityId.optional(),
});

export async function runAdminCli(argv: string[], env: Record<string, string | undefined>, io: CliIo): Promise<number> {
  let db: Db | undefined;
  try {
    const [group, command, ...rest] = argv;
    if (group !== 'token' || !command) throw new UsageError('expected a command');
    const config = loadConfig(env);
    const run = async (fn: (tokens: TokenStore, db: Db) => Promise<void>): Promise<void> => {
      db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, purpose: 'the sanifleet admin CLI', pgliteSharedBuffers: config.pgliteSharedBuffers });
      await migrate(db);
      await fn(new TokenStore(db), db);
    };
    if (command === 'create') {
      const { values, positionals } = parseArgs({
        args: rest, strict: true, allowPositionals: true,
        options: { role: { type: 'string' }, label: { type: 'string' }, 'expires-in-days': { type: 'string' }, vehicle: { type: 'string' } },
      });
      if (positionals.length > 0) throw new UsageError(`unexpected argument "${positionals[0]}"`);
      const parsed = createArgs.safeParse(values);
      if (!parsed.success) throw new UsageError(parsed.error.issues.map((i) => `--${i.path.join('.') || 'role'}: ${i.message}`).join('; '));
      const a = parsed.data;
      const binding = tokenBindingProblem(a.role, a.vehicle);
      if (binding) throw new UsageError(`--vehicle: ${binding}`);
      await run(async (tokens, store) => {
        if (a.vehicle && !(await new CityRepo(store).exists(resources.vehicles, a.vehicle))) {
          throw new CliRefusal(`no vehicle with id "${a.vehicle}" in the store`);
        }
        const expiresAt = a['expires-in-days'] ? new Date(Date.now() + a['expires-in-days'] * 86_400_000) : undefined;
        const issued = await tokens.issue({ role: a.role, label: a.label, vehicleId: a.vehicle, expiresAt });
        const facts = [`role ${issued.role}`, issued.vehicleId ? `vehicle ${issued.vehicleId}` : '', issued.label ? `label "${issued.label}"` : '',
          issued.expiresAt ? `expires ${issued.expiresAt}` : 'no expiry'].filter(Boolean).join(', ');
        io.out(`Issued token ${issued.tokenId} (${facts}). The secret is shown this once; only its hash is stored:`);
        io.out(issued.token);
      });
    } else if (command === 'list') {
      if (rest.length > 0) throw new UsageError(`unexpected argument "${rest[0]}"`);
      await run(async (tokens) => {
        const nowMs = Date.now();
        io.out(['id', 'role', 'vehicle', 'label', 'created', 'expires', 'last used', 'state'].join('\t'));
        for (const t of await tokens.list()) {
          const state = t.revokedAt ? 'revoked' : t.expiresAt && Date.parse(t.expiresAt) <= nowMs ? 'expired' : 'active';
          io.out([t.tokenId, t.role, t.vehicleId ?? '-', t.label ?? '-', t.createdAt, t.expiresAt ?? '-', t.lastUsedAt ?? '-', state].join('\t'));
        }
      });
    } else if (command === 'revoke') {
      if (rest.length !== 1) throw new UsageError('token revoke takes one token id');
      const id = entityId.safeParse(rest[0]);
      if (!id.success) throw new UsageError(`"${rest[0]}" is not a token id`);
      await run(async (tokens) => {
        if (!(await tokens.revoke(id.data))) throw new CliRefusal(`no active token "${id.data}"`);
        io.out(`Revoked token ${id.data}.`);
      });
    } else {
      throw new UsageError(`unknown command "token ${command}"`);
    }
    return 0;
  } catch (err) {
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      io.err(`sanifleet admin: ${(err as Error).message}\n${USAGE}`);
      return 2;
    }
    if (err instanceof ConfigError) {
      io.err(`sanifleet admin: ${err.message}`);
      return 2;
    }
    if (err instanceof DataDirLockedError || err instanceof CliRefusal) {
      io.err(`sanifleet admin: ${err.message}`);
      return 1;
    }
    io.err(`sanifleet admin: failed: ${(err as Error).stack ?? String(err)}`);
    return 1;
  } finally {
    await (db as Db | undefined)?.close();
  }
}


if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  process.exitCode = await runAdminCli(process.argv.slice(2), process.env, {
    out: (line) => process.stdout.write(`${line}\n`),
    err: (line) => process.stderr.write(`${line}\n`),
  });
}
