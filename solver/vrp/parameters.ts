/**
 * Every tuned constant of the route search (solver/vrp/search/), in one place, each with where
 * it comes from. "Measured" names the runs that chose it; "from <paper>" means the published
 * value was taken as it is and not re-measured here; "not measured; set by hand in <commit>"
 * is exactly that, and a candidate for a measurement.
 *
 * The search is deterministic for a seed and an iteration budget: none of these depends on
 * the clock. Changing one changes the pinned results in test/solver/pinned.test.ts.
 */

// ---- defaults of the options --------------------------------------------------------------

/** Ruin-and-recreate steps when the caller gives no budget. Not measured; set by hand in c6784da. */
export const DEFAULT_MAX_ITERATIONS = 20000;
/**
 * Share of the steps (and of the time cap) spent removing vehicles when the objective is
 * vehicles first. Not measured; set by hand in c6784da (the Solomon figures in solver/README.md
 * were all run with it).
 */
export const DEFAULT_FLEET_SHARE = 0.4;
/** Routes kept for set partitioning at most (memory guard). Not measured; set by hand in c6784da. */
export const ROUTE_POOL_MAX = 20000;

// ---- neighbourhoods -------------------------------------------------------------------------

/**
 * Length of each task's neighbour list (nearest by travel distance both ways). Every user
 * below reads a prefix of it. Not measured; set by hand in 0148f3a.
 */
export const NEIGHBOUR_LIST = 150;
/**
 * Where windows bind, neighbours are ordered by HGS's correlation (neighbours.ts): travel time
 * plus these shares of the wait and of the lateness that serving one task after the other
 * costs. From Vidal et al. 2013 (0.2 and 1); not re-measured. The change from distance to this
 * correlation was measured with ROUTE_PAIR_MOVES_IN_EDUCATION (below).
 */
export const NEIGHBOUR_WAIT_WEIGHT = 0.2;
export const NEIGHBOUR_WARP_WEIGHT = 1;
/**
 * Neighbours by windows only above this many tasks; smaller problems keep neighbours by
 * distance. Measured with ROUTE_PAIR_MOVES_MIN_TASKS (below), together.
 */
export const WINDOW_NEIGHBOURS_MIN_TASKS = 200;
/** Local search tries each task against this many nearest tasks. Not measured; set by hand in c6784da. */
export const LS_NEIGHBOURS = 20;
/** Ejection insertion looks at the routes of this many nearest tasks. Not measured; set by hand in 6550bf8. */
export const EJECTION_NEIGHBOURS = 30;
/**
 * Above this many tasks, insertion is granular: only next to the nearest assigned tasks, and
 * a task already out before a step gets only that look. Set by hand at 400 in 31ced9b; lowered
 * to 350 so that the 400-customer Gehring & Homberger instances are granular, while every
 * classic set measured before (at most 302 customers) keeps the full scan. Measured on the
 * Homberger 400 quick subset (2 per class) at 5,000 steps each: 58.7 CPU s against 93.1 for the
 * full scan (same code otherwise), 293 vehicles against 295 (best known 284); see solver/README.md.
 */
export const GRANULAR_INSERTION_TASKS = 350;
/** Granular insertion looks next to this many nearest tasks. Not measured; set by hand in 31ced9b. */
export const GRANULAR_INSERTION_NEIGHBOURS = 40;
/**
 * Regret-2 construction up to this many tasks; above it, greedy by deadline (regret is
 * quadratic in practice). Set by hand at 400 in c6784da; lowered to 350 with
 * GRANULAR_INSERTION_TASKS: on the Homberger 400 quick subset at 5,000 steps each, greedy
 * construction gave 291 vehicles against 293 with regret (best known 284) and 43.7 CPU s against
 * 58.7 (regret took about 1.2 CPU s per 400-customer instance).
 */
export const REGRET_MAX_TASKS = 350;

// ---- SISR ruin and recreate (Christiaens & Vanden Berghe 2020) -----------------------------

/** Average number of tasks removed per ruin (the paper's c-bar). From the paper; not re-measured. */
export const SISR_AVG_REMOVED = 10;
/** Longest removed string (the paper's L_max). From the paper; not re-measured. */
export const SISR_MAX_STRING = 10;
/** Share of ruined strings that keep a substring in place ("split string"). From the paper; not re-measured. */
export const SISR_SPLIT_SHARE = 0.5;
/** The kept substring grows while a draw exceeds this (the paper's beta). From the paper; not re-measured. */
export const SISR_SPLIT_BETA = 0.01;
/** Share of insertion positions skipped at random ("blinks", the paper's alpha). From the paper; not re-measured. */
export const SISR_BLINK_RATE = 0.01;
/**
 * Weights of the orders in which removed tasks are reinserted: random, largest demand first,
 * farthest from the depot first, closest first. The paper's 4 : 4 : 2 : 1; not re-measured.
 */
export const SISR_ORDER_WEIGHTS = { random: 4, demand: 4, far: 2, close: 1 } as const;

// ---- simulated annealing (the cost phase) --------------------------------------------------

/**
 * Start and end temperature, in multiples of the average variable cost of a task.
 * Measured in 6550bf8 on Solomon R2/RC2 ("tuned on Solomon R2/RC2"; it replaced 0.3 and
 * 0.003); the runs themselves are not recorded.
 */
export const ANNEAL_START_TASKS = 1;
export const ANNEAL_END_TASKS = 0.01;
/** A task left out while the search runs (fleet minimisation, packing): effectively "never". Set by hand in c6784da. */
export const UNASSIGNED_PENALTY = 1e9;
/**
 * In the cost phase a task left out costs this many average tasks, so a tight fleet can pass
 * through incomplete plans (only complete ones become the best). Not measured; set by hand in 90eb558.
 */
export const UNASSIGNED_TASK_PRICE = 10;

// ---- local search --------------------------------------------------------------------------

/** A descent makes at most this many moves per task. Not measured; set by hand in 0148f3a (whole routes) and 9cd5096 (focused). */
export const LS_MAX_MOVES_PER_TASK = 20;
/** Relocate moves strings of 1 task, or-opt strings of 2 up to this many. Not measured; set by hand in c6784da. */
export const OR_OPT_MAX_STRING = 3;
/** Cross-exchange trades strings of 1 up to this many tasks each way. Not compared with others; set by hand on 2 Dec 2026. */
export const CROSS_EXCHANGE_MAX_STRING = 3;
/**
 * SWAP* prices exactly (segments: windows, loads) at most this many of a route pair's exchanges,
 * the cheapest by distance first. Not compared with others; set by hand on 2 Dec 2026.
 */
export const SWAP_STAR_CANDIDATES = 4;
/**
 * The cost phase's education of each step (the focused descent around the reinserted tasks)
 * also tries cross-exchange and SWAP*; fleet minimisation, the repair of late steps and the
 * plain (unpenalised) walk do not. Measured 2 Dec 2026 at 60 s of wall time, one core each,
 * Homberger 400 (C1_4_2, R1_4_1-3, RC1_4_1-3, RC2_4_1), mean gap on the 8: 5.72% without, 3.58%
 * on 6 with SWAP* in every descent (two vehicles lost: fleet minimisation slowed down), 5.39% with
 * SWAP* alone in the education, 5.35% with both in a descent of each new best only, 5.23% with both
 * in the education, 4.37% adding the neighbours by windows (seed 2: 5.38% -> 3.37% on the 7 at the
 * fleet in both). Solomon (56, 10,000 steps): 418 -> 417 vehicles, 1.096% on 43 -> 0.911% on 45,
 * for 1.8x the CPU. Figures in solver/README.md.
 */
export const ROUTE_PAIR_MOVES_IN_EDUCATION = true;
/**
 * ... and only above this many tasks. On Solomon (100 customers) at 10 s of wall time, both
 * changes together gave 407 vehicles and 1.06% on the 54 at the best-known fleet against 408 and
 * 0.74% on 53 before (side by side, 2 Dec 2026): better per step (above), but a step costs up to
 * twice as much on the long routes of R2/RC2 and 10 s holds too few of them. 200 keeps every
 * problem of at most 200 tasks on its old path (the pinned results hold); the break-even between
 * 100 and 400 tasks was not looked for.
 */
export const ROUTE_PAIR_MOVES_MIN_TASKS = 200;
/**
 * Inside one route, a string moves at most this far (nodes between its old and new place,
 * itself included), so the evaluation stays short. Not measured; set by hand in 31ced9b.
 */
export const INTRA_RELOCATE_MAX_SPAN = 16;

// ---- fleet minimisation --------------------------------------------------------------------

/**
 * Share of the steps (and of the time cap) for packing in the tasks construction left out,
 * before the fleet and cost phases. Not measured; set by hand in b459907.
 */
export const PACKING_SHARE = 0.3;
/**
 * Share of fleet-minimisation steps that are ejection insertions (Nagata & Bräysy 2009 style)
 * rather than ruin and recreate. Not measured; set by hand in 6550bf8.
 */
export const EJECTION_STEP_SHARE = 0.5;
/**
 * A route-removal attempt gets this many steps per task before it restarts, and each restart
 * this much longer. Measured in 22cfa79 on the eight hardest Solomon R1/RC1 instances, four
 * seeds: 5 vehicles over the best known with restarts, 14 with one attempt to the end; all
 * 56 Solomon at 10 s: 405–408 vehicles against 410–412 (solver/README.md). The values 100
 * and 1.5 themselves were not compared with others.
 */
export const FLEET_ATTEMPT_TASKS = 100;
export const FLEET_ATTEMPT_GROWTH = 1.5;

// ---- penalised cost phase (time warp priced, after Vidal et al. 2013) ----------------------

/**
 * The time-warp price starts at this many times the cost of a second of driving. Measured in
 * 9cd5096 on Solomon R2/RC2 (the runs are not recorded).
 */
export const TW_WEIGHT_START = 10;
/** Steps between two adjustments of the time-warp price. Not measured; set by hand in 9cd5096. */
export const TW_WEIGHT_PERIOD = 50;
/**
 * The price goes up when fewer than the low share of the educated steps end without time
 * warp, down when more than the high share do. Not measured; set by hand in 9cd5096 (HGS aims
 * at 20% feasible).
 */
export const TW_FEASIBLE_LOW = 0.2;
export const TW_FEASIBLE_HIGH = 0.4;
/** Factors of a price adjustment, up and down. HGS's 1.2 and 0.85 (Vidal 2022); not re-measured. */
export const TW_WEIGHT_UP = 1.2;
export const TW_WEIGHT_DOWN = 0.85;
/**
 * The price stops rising at this many times the price of a task left out (past it lateness
 * costs more than leaving tasks out). Not measured; set by hand in 9cd5096.
 */
export const TW_WEIGHT_CAP_PENALTIES = 10;
/**
 * Load over capacity priced too (HGS prices both): where the routes the fleet minimisation
 * kept are at least this full on average, the penalised walk may overload a route at a price,
 * adjusted like the time-warp price (same shares, factors, period and cap) and repaired with
 * it. A price of a unit over capacity starts at LOAD_WEIGHT_START times a task's cost per unit
 * of the mean task's demand. Measured 2 Dec 2026 on Homberger 400 (solver/README.md, "Load
 * over capacity priced"): where 36 routes carry 99-99.9 % of their capacity (C1_4_2, R1_4_2,
 * RC1_4_1, RC1_4_2) a hard capacity leaves a removed task almost nowhere to go but back. The
 * start factors 0.3, 1 and 3 gave 5.74 %, 6.88 % and 5.95 % on C1_4_2, RC1_4_1 and RC1_4_2
 * (two seeds, 60 s) against 7.00 % with a hard capacity. The 0.95 keeps every problem measured
 * before whose fleet is not that full (Solomon: at most 90 %) on its old path.
 */
export const LOAD_PENALTY_MIN_UTILISATION = 0.95;
export const LOAD_WEIGHT_START = 0.3;
/**
 * Kicks of the penalised walk: on routes longer than KICK_ROUTE_TASKS tasks on average, in a
 * problem of at most KICK_MAX_TASKS tasks, a walk that has found no new best plan for KICK_AFTER
 * steps takes the next step whatever it costs (and again every KICK_AFTER steps while nothing
 * better is found). Measured 1 Dec 2026, equal step budgets, seed 1. Solomon R2/RC2 (18 at the
 * best-known fleet, 10,000 steps): mean gap 2.75% without kicks, 2.24% with kicks after 50 steps,
 * 2.69% after 200, 2.89% after 1,000. Homberger 400, where they hurt: R1/RC1 (about 11 tasks a
 * route, 100,000 steps) R1_4_2 9,408 without, 9,741 after 200 steps, 10,016 after 50, RC1_4_1
 * 9,916 / 9,904 / 10,431; long routes (R2_4_1, R2_4_2, RC2_4_1, C2_4_2, 60,000 steps) mean gap
 * 2.01% without, 2.17% after 200 steps, 3.12% after 50. Hence kicks only on long routes of small
 * problems; the thresholds (twice SISR_MAX_STRING; between the 100 tasks where kicks helped and
 * the 400 where they hurt) were set by that reasoning, not compared with others.
 */
export const KICK_AFTER = 50;
export const KICK_ROUTE_TASKS = 20;
export const KICK_MAX_TASKS = 200;
/**
 * Cluster ruins of the penalised walk on large problems (more than CLUSTER_RUIN_MIN_TASKS
 * tasks): once the walk has found no new best plan for CLUSTER_RUIN_AFTER steps, each step
 * with probability CLUSTER_RUIN_SHARE removes a random task and its CLUSTER_RUIN_TASKS nearest
 * (a geographic cluster across routes, ruinRecreate.ts radialRuin) instead of SISR's strings,
 * and is accepted like any step. Measured 1 Dec 2026, equal step budgets, seed 1, Homberger
 * 400 (solver/README.md): at 150,000 steps C1_4_2 +11.67% -> +5.41%, RC1_4_1 +18.12% ->
 * +11.50%, R1_4_2 +8.13% -> +4.56%; the quick subset (2 per class) at 150,000 steps 4.73% ->
 * 3.64% on the 11 at the best-known fleet (better on 8, C2_4_2 worse 0.06% -> 6.42%); at 60,000
 * steps (cost phase 36,000 steps) mixed, 4.06% -> 4.42% on 10. At 120 s on five instances side
 * by side: mean 5.07% -> 4.17% (RC1_4_2 worse, 1.84% -> 3.34%). Larger SISR ruins on stall
 * (c-bar 30) were worse at 60,000 steps. The values 2,000 / 0.1 / 40 were set by hand, not
 * compared with others; the 200 keeps every problem measured before (Solomon, CVRP X up to
 * 302 tasks is not penalised) on its old path.
 */
export const CLUSTER_RUIN_AFTER = 2000;
export const CLUSTER_RUIN_SHARE = 0.1;
export const CLUSTER_RUIN_TASKS = 40;
export const CLUSTER_RUIN_MIN_TASKS = 200;
/** Share of time-warped steps that get a repair. Vidal et al. 2013 repair half; not re-measured. */
export const REPAIR_SHARE = 0.5;
/** A repair runs descents at these multiples of the current price, in turn. Not measured; set by hand in 9cd5096. */
export const REPAIR_PRICE_FACTORS: readonly number[] = [10, 100];
/** A repair looks at the late task and this many tasks before it. Not measured; set by hand in 9cd5096. */
export const REPAIR_SPAN = 3;
/**
 * Steps a penalised walk may stay late (or short of tasks) before it goes back to the best
 * plan, with the price divided by RESTART_PRICE_DIVISOR (not below the start price). Not
 * measured; set by hand in 9cd5096.
 */
export const RESTART_AFTER = 1000;
export const RESTART_PRICE_DIVISOR = 10;
/**
 * The speed that converts a second into metres for the start price is sampled on a grid of
 * about this many locations per side of the matrix (engineering, not tuning). Set in 9cd5096.
 */
export const TW_SPEED_SAMPLE = 50;

// ---- cadence (engineering, not tuning) -----------------------------------------------------

/** The wall-clock cap, when given, is read every 32 steps (mask). */
export const CLOCK_CHECK_MASK = 31;
/** Progress is reported every 256 steps (mask). */
export const PROGRESS_MASK = 255;

// ---- parallel search (vrp/parallel/) -------------------------------------------------------

/**
 * Rounds of the parallel search (threads > 1): every thread runs its share of the budget,
 * the routes of all threads go to set partitioning, and every thread restarts from the best
 * plan, cooling on where the last round stopped. Measured 1 Dec 2026 on six Solomon R1/RC1
 * instances, 2 threads x 3,000 iterations (solver/README.md, "Several cores"): total cost
 * 8,764.6 with 1 round, 8,760.4 with 2, 8,774.8 with 4 (one thread: 8,792.6). One round keeps
 * thread 0 exactly the one-thread search, so two threads are never worse than one at the same
 * budget per thread; 2 rounds were as good on average but worse on some instances.
 */
export const PARALLEL_ROUNDS = 1;
