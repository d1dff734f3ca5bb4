/**
 * Which role opens which page. This mirrors the server's route roles (the server is the
 * authority; the page only avoids showing what would be refused): the live fleet is for
 * admin, dispatcher and enforcement (src/live/scope.ts), planners get the city map without
 * it, a driver sees only their own vehicle, users and tokens are admin-only, city records are written by admin and dispatcher.
 */
export const staffRoles = ['admin', 'dispatcher', 'driver', 'enforcement', 'planner'] as const;
export type Role = (typeof staffRoles)[number];

export interface PageDef {
  id: string;
  path: string;
  roles: readonly Role[];
  /** Shown in the navigation (the account page is reached from the user menu). */
  nav: boolean;
}

export const pages: PageDef[] = [
  { id: 'dispatch', path: '/dispatch', roles: ['admin', 'dispatcher', 'enforcement'], nav: true },
  // The city without the live fleet, for planners (dispatch already shows the city to the others).
  { id: 'city', path: '/city', roles: ['planner'], nav: true },
  { id: 'driver', path: '/driver', roles: ['driver'], nav: true },
  { id: 'plans', path: '/plans', roles: ['admin', 'dispatcher', 'planner'], nav: true },
  { id: 'incidents', path: '/incidents', roles: ['admin', 'dispatcher', 'enforcement'], nav: true },
  { id: 'reports', path: '/reports', roles: ['admin', 'dispatcher', 'enforcement', 'planner'], nav: true },
  { id: 'simulations', path: '/simulations', roles: ['admin', 'planner'], nav: true },
  { id: 'admin', path: '/admin', roles: ['admin', 'dispatcher'], nav: true },
  { id: 'account', path: '/account', roles: staffRoles, nav: false },
];

/** The admin page's sections, each with its own roles (records: writers; the rest: admin). */
export const adminSections: Array<{ id: string; roles: readonly Role[] }> = [
  { id: 'records', roles: ['admin', 'dispatcher'] },
  { id: 'profile', roles: ['admin'] },
  { id: 'users', roles: ['admin'] },
  { id: 'tokens', roles: ['admin'] },
];

export function isStaffRole(role: string): role is Role {
  return (staffRoles as readonly string[]).includes(role);
}

export function pageFor(path: string): PageDef | undefined {
  return pages.find((p) => path === p.path || path.startsWith(`${p.path}/`));
}

export function mayOpen(page: PageDef, role: Role): boolean {
  return page.roles.includes(role);
}

/** Where "/" leads a role: its first page in the navigation. */
export function homePath(role: Role): string {
  return pages.find((p) => p.nav && mayOpen(p, role))?.path ?? '/account';
}
