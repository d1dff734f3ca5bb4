import type { Vehicle } from '../domain/model.js';
import type { StoredFix } from '../tracking/position-writer.js';
import type { ComplianceCity } from './city.js';
import type { Detector, Rule, RuleDeps } from './detector.js';
import type { IncidentEvent } from './incident-event.js';
import type { LaneContext } from './lane-context.js';
import { VehicleLedger } from './ledger.js';
import { slimFix, VehicleContext, type ComplianceFix } from './vehicle-context.js';

/**
 * One vehicle's path through the detectors, in fix-time order whatever the arrival order:
 *  - a reorder buffer holds each fix until `reorderWindowS` of later fix time or `reorderFixes`
 *    later fixes have arrived, or it has waited `reorderHoldMs` (so a live fix is judged within
 *    about a second);
 *  - a fix already held or judged (same fix time) is a duplicate and dropped; an implausible
 *    one (a GPS jump, flagged before commit) is no place the vehicle was and is left out, as is
 *    one without a GNSS position (a terminal in a tunnel repeats its last place);
 *  - a fix older than the last judged one (a blind-area upload) joins the history, and the
 *    detectors are re-run over the history from fresh state; the ledger reconciles the re-run's
 *    incidents with those already raised, so none is raised twice and none is hidden.
 */
export interface LaneStats {
  judged: number;
  duplicates: number;
  implausible: number;
  /** Fixes without a GNSS position (the terminal repeats its last one): their place and speed are no evidence. */
  unpositioned: number;
  replays: number;
}

export class VehicleLane {
  private buffer: Array<{ fix: ComplianceFix; arrivedMs: number }> = [];
  /** Judged fixes, fix-time order, for re-runs. */
  private history: ComplianceFix[] = [];
  /** The oldest fix the lane held when a stretch older than it came: the context reaches to it. */
  private contextToMs: number | undefined;
  private watermarkMs = -Infinity;
  private context: VehicleContext;
  private detectors: Detector[];
  private readonly ledger: VehicleLedger;
  private replayNeeded = false;
  private lastLateArrivalMs = 0;
  /** The newest fix time taken in (judged, held or late). */
  private newestFixMs: number | undefined;
  /** Closed for silence: the detectors start afresh with the next fix. */
  private silent = false;
  /** The silence that closed it (`tracking.offlineAfterS` then). */
  private offlineAfterMs = 0;
  /** The oldest late fix older than all the lane holds: its context is to be read back from the store. */
  private lateBeforeHistoryMs: number | undefined;
  /** Reading that context: nothing is judged until it is in. */
  private loadingContext = false;

  constructor(
    private vehicle: Vehicle,
    private readonly rules: readonly Rule[],
    private readonly deps: RuleDeps,
    emit: (e: IncidentEvent) => void,
    private readonly stats: LaneStats,
    private readonly onFixJudged?: (fix: ComplianceFix) => void,
  ) {
    this.ledger = new VehicleLedger(emit);
    this.context = new VehicleContext(vehicle);
    this.detectors = this.freshDetectors();
  }

  get vehicleId(): string {
    return this.vehicle.id;
  }

  /** The vehicle record changed (kind, sensors): later fixes are judged by it. */
  setVehicle(v: Vehicle): void {
    const rulesChange = v.kind !== this.vehicle.kind || v.sensors.cover !== this.vehicle.sensors.cover;
    this.vehicle = v;
    this.context.vehicle = v;
    if (rulesChange) this.detectors = this.freshDetectors();
  }

  /** Fixes held, or a late stretch waiting to be re-run. */
  get pending(): boolean {
    return this.buffer.length > 0 || this.replayNeeded || this.loadingContext;
  }

  /**
   * A late stretch older than the history kept wants its context: the range to read back (from
   * `historyS` before its first fix to where the history begins), once; then judging waits for
   * `addContext`.
   */
  takeContextWanted(historyMs: number): { fromMs: number; toMs: number } | undefined {
    const lateMs = this.lateBeforeHistoryMs;
    if (lateMs === undefined || this.loadingContext) return undefined;
    this.lateBeforeHistoryMs = undefined;
    this.loadingContext = true;
    const toMs = this.contextToMs ?? this.watermarkMs;
    this.contextToMs = undefined;
    return { fromMs: lateMs - historyMs, toMs };
  }

  /** The stretch's context read back: its fixes join the history (the lane's own win), its incidents the ledger. */
  addContext(context: LaneContext | undefined): void {
    this.loadingContext = false;
    if (!context) return;
    for (const fix of context.fixes) {
      const i = lowerBound(this.history, fix.fixTimeMs);
      if (this.history[i]?.fixTimeMs !== fix.fixTimeMs) this.history.splice(i, 0, fix);
    }
    this.ledger.remember(context.incidents);
    this.replayNeeded = true;
  }

  accept(stored: StoredFix, nowMs: number): void {
    if (stored.implausible) {
      this.stats.implausible++;
      return;
    }
    if (!stored.positioned) {
      this.stats.unpositioned++;
      return;
    }
    const fix = slimFix(stored);
    const t = fix.fixTimeMs;
    this.newestFixMs = Math.max(this.newestFixMs ?? -Infinity, t);
    // Closed for silence, but the fixes go on from where they stopped: a blind area's upload, not a
    // vehicle that was off. What was closed is not raised again: the detectors are re-run from the
    // history (the ledger reconciles) before these fixes are judged.
    if (this.silent && t > this.watermarkMs && t - this.watermarkMs < this.offlineAfterMs) this.replayNeeded = true;
    this.silent = false;
    if (t <= this.watermarkMs) {
      const i = lowerBound(this.history, t);
      if (this.history[i]?.fixTimeMs === t) {
        this.stats.duplicates++;
        return;
      }
      // older than all the lane held: what came before it was let go (or never seen, before a restart)
      const heldFromMs = this.contextToMs ?? this.history[0]?.fixTimeMs;
      if (heldFromMs !== undefined && t < heldFromMs) {
        this.lateBeforeHistoryMs = Math.min(this.lateBeforeHistoryMs ?? Infinity, t);
        this.contextToMs = heldFromMs;
      }
      this.history.splice(i, 0, fix);
      this.replayNeeded = true;
      this.lastLateArrivalMs = nowMs;
      return;
    }
    let i = this.buffer.length;
    while (i > 0 && this.buffer[i - 1]!.fix.fixTimeMs > t) i--;
    if (this.buffer[i - 1]?.fix.fixTimeMs === t) {
      this.stats.duplicates++;
      return;
    }
    this.buffer.splice(i, 0, { fix, arrivedMs: nowMs });
  }

  /** Judges the held fixes that are due (all of them with `all`), and re-runs a late stretch. */
  release(nowMs: number, city: ComplianceCity, all = false): void {
    const c = city.profile.compliance;
    const headDue = () => {
      const head = this.buffer[0];
      if (!head) return false;
      const newest = this.buffer[this.buffer.length - 1]!.fix.fixTimeMs;
      return all || newest - head.fix.fixTimeMs >= c.reorderWindowS * 1000 || this.buffer.length - 1 >= c.reorderFixes
        || nowMs - head.arrivedMs >= c.reorderHoldMs;
    };
    // A blind-area upload comes in many frames: one re-run once they stop coming — or before any
    // newer fix is judged, so that live judgement goes on from the corrected state.
    if (this.loadingContext) return;
    if (this.replayNeeded && (all || nowMs - this.lastLateArrivalMs >= c.reorderHoldMs || headDue())) this.replay(city);
    while (headDue()) {
      const head = this.buffer[0]!;
      this.buffer.shift();
      this.history.push(head.fix);
      this.watermarkMs = head.fix.fixTimeMs;
      this.judge(head.fix, city);
      this.onFixJudged?.(head.fix);
    }
    this.prune(city);
  }

  /**
   * A vehicle with no fix for `tracking.offlineAfterS` of the fleet's fix-time clock (terminal off,
   * out of coverage): what is open closes as of its last fix (`details.closedBy: 'offline'`), and
   * its detectors start afresh with its next fix. A blind-area upload of the silence later is
   * reconciled as usual.
   */
  expireIfSilent(clockMs: number, city: ComplianceCity): void {
    if (this.silent || this.buffer.length > 0 || this.replayNeeded || !this.silentAt(clockMs, city)) return;
    this.silent = true;
    this.offlineAfterMs = city.profile.tracking.offlineAfterS * 1000;
    if (this.ledger.openCount() === 0) return;
    this.ledger.closeOpen(this.watermarkMs, 'offline');
    this.context = new VehicleContext(this.vehicle);
    this.detectors = this.freshDetectors();
  }

  /** No fix for `tracking.offlineAfterS` of the fleet's clock. */
  silentAt(clockMs: number, city: ComplianceCity): boolean {
    return this.newestFixMs !== undefined && clockMs - this.newestFixMs >= city.profile.tracking.offlineAfterS * 1000;
  }

  private judge(fix: ComplianceFix, city: ComplianceCity): void {
    this.stats.judged++;
    const j = this.context.judge(fix, city);
    for (const d of this.detectors) d.step(j, this.ledger);
  }

  private replay(city: ComplianceCity): void {
    this.replayNeeded = false;
    this.stats.replays++;
    this.context = new VehicleContext(this.vehicle);
    this.detectors = this.freshDetectors();
    this.ledger.beginReplay();
    for (const fix of this.history) this.judge(fix, city);
    this.ledger.endReplay(this.watermarkMs);
  }

  private freshDetectors(): Detector[] {
    return this.rules.filter((r) => r.appliesTo(this.vehicle)).map((r) => r.create(this.deps));
  }

  private prune(city: ComplianceCity): void {
    const keepFromMs = this.watermarkMs - city.profile.compliance.historyS * 1000;
    // A minute of slack: the history is cut once a minute, not shifted on every fix. Late fixes
    // older than the history wait for their re-run before they may go.
    if (!this.replayNeeded && this.history.length > 0 && this.history[0]!.fixTimeMs < keepFromMs - 60_000) {
      this.history = this.history.slice(lowerBound(this.history, keepFromMs));
      this.ledger.prune(keepFromMs - city.profile.compliance.historyS * 1000);
    }
  }
}

function lowerBound(list: ComplianceFix[], t: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (list[mid]!.fixTimeMs < t) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
