import { html } from 'htm/preact';
import { PageTitle } from '../../components/shell.js';
import { useSession } from '../../lib/hooks.js';
import { t } from '../../lib/i18n.js';
import { adminSections } from '../../lib/roles.js';
import { Redirect } from '../../components/redirect.js';
import { NotFoundPage, NotPermittedPage } from '../shells.js';
import { ProfileSection } from './profile.js';
import { RecordsSection } from './records.js';
import { TokensSection } from './tokens.js';
import { UsersSection } from './users.js';

const sections: Record<string, () => unknown> = {
  records: RecordsSection,
  profile: ProfileSection,
  users: UsersSection,
  tokens: TokensSection,
};

/** Admin: city records (admin, dispatcher), profile, users and tokens (admin), one tab each. */
export function AdminPage(props: { path: string }) {
  const role = useSession()!.user.role;
  const permitted = adminSections.filter((s) => s.roles.includes(role));
  const sectionId = props.path.split('/')[2];
  if (!sectionId) return html`<${Redirect} to=${`/admin/${permitted[0]?.id ?? 'records'}`} />`;
  const section = adminSections.find((s) => s.id === sectionId);
  if (!section) return html`<${NotFoundPage} home="/admin" />`;
  if (!section.roles.includes(role)) return html`<${NotPermittedPage} title=${t(`admin.${section.id}`)} home="/admin" />`;
  const Section = sections[section.id] as () => unknown;
  return html`<div class="page admin-page">
    <${PageTitle} id="admin" />
    <nav class="tabs" aria-label=${t('admin.sections')}>
      ${permitted.map((s) => html`<a key=${s.id} href=${`/admin/${s.id}`} aria-current=${s.id === section.id ? 'page' : undefined}>${t(`admin.${s.id}`)}</a>`)}
    </nav>
    <${Section} />
  </div>`;
}
