/**
 * The console's shell: sign-in, then role-aware navigation over hash routes (#/jobs,
 * #/jobs/<id>, #/review, #/audit, #/privacy, #/subjects, #/settings). A page the role cannot use is not offered; the API refuses
 * it anyway.
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import type { ComponentChildren } from 'preact';
import { AuditPage } from './pages/audit.js';
import { JobPage } from './pages/job.js';
import { JobsPage } from './pages/jobs.js';
import { PrivacyPage } from './pages/privacy.js';
import { ReviewPage } from './pages/review.js';
import { SettingsPage } from './pages/settings.js';
import { SignIn } from './pages/sign-in.js';
import { SubjectsPage } from './pages/subjects.js';
import { can } from './session.js';
import type { Session } from './session.js';

function useHash(): string {
  const [hash, setHash] = useState(window.location.hash);
  useEffect(() => {
    const onChange = (): void => setHash(window.location.hash);
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return hash;
}

/** A page's frame: its heading takes focus when the page opens, so keyboard and screen-reader users land on it. */
export function Page({ title, children }: { title: string; children: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · Veil console`;
    heading.current?.focus();
  }, [title]);
  return (
    <>
      <h1 tabIndex={-1} ref={heading}>
        {title}
      </h1>
      {children}
    </>
  );
}

const seesPrivacy = (s: Session): boolean =>
  can(s, 'privacy-metrics:read') || can(s, 'alerts:read') || can(s, 'analytics:read') || can(s, 'audit:read');
const seesSubjects = (s: Session): boolean => can(s, 'dsr:manage') || can(s, 'consent:withdraw');

function NotAllowed() {
  return (
    <Page title="Not available">
      <p>Your role cannot use this page.</p>
    </Page>
  );
}

export function App() {
  const [session, setSession] = useState<Session | undefined>(undefined);
  const hash = useHash();
  if (session === undefined)
    return (
      <main id="main">
        <SignIn
          onSignedIn={(s, returnTo) => {
            setSession(s);
            if (returnTo?.startsWith('#/')) window.location.hash = returnTo;
            else if (!window.location.hash.startsWith('#/'))
              window.location.hash = can(s, 'job:read') ? '#/jobs' : '#/settings';
          }}
        />
      </main>
    );

  const route = hash.replace(/^#/, '') || '/jobs';
  const jobMatch = /^\/jobs\/([^/]+)$/.exec(route);
  let page;
  if (jobMatch !== null)
    page = can(session, 'job:read') ? (
      <JobPage session={session} jobId={decodeURIComponent(jobMatch[1]!)} />
    ) : (
      <NotAllowed />
    );
  else if (route.startsWith('/review'))
    page = can(session, 'review:decide') ? <ReviewPage session={session} /> : <NotAllowed />;
  else if (route.startsWith('/audit'))
    page = can(session, 'audit:read') ? <AuditPage session={session} /> : <NotAllowed />;
  else if (route.startsWith('/privacy'))
    page = seesPrivacy(session) ? <PrivacyPage session={session} /> : <NotAllowed />;
  else if (route.startsWith('/subjects'))
    page = seesSubjects(session) ? <SubjectsPage session={session} /> : <NotAllowed />;
  else if (route.startsWith('/settings')) page = <SettingsPage session={session} />;
  else page = can(session, 'job:read') ? <JobsPage session={session} /> : <NotAllowed />;

  const links: Array<[string, string, boolean]> = [
    ['#/jobs', 'Jobs', can(session, 'job:read')],
    ['#/review', 'Review', can(session, 'review:decide')],
    ['#/audit', 'Audit', can(session, 'audit:read')],
    ['#/privacy', 'Privacy', seesPrivacy(session)],
    ['#/subjects', 'Data subjects', seesSubjects(session)],
    ['#/settings', 'Settings', true],
  ];
  const current = links.find(([href]) => route.startsWith(href.slice(1)))?.[0];
  return (
    <>
      <a
        class="skip"
        href="#main"
        onClick={(e) => {
          e.preventDefault();
          document.getElementById('main')?.focus();
        }}
      >
        Skip to content
      </a>
      <header>
        <span class="brand">Veil console</span>
        <nav aria-label="Main">
          <ul>
            {links
              .filter(([, , shown]) => shown)
              .map(([href, label]) => (
                <li key={href}>
                  <a href={href} aria-current={href === current ? 'page' : undefined}>
                    {label}
                  </a>
                </li>
              ))}
          </ul>
        </nav>
        <span class="who">
          {session.me.tenant_id} · {session.me.roles.join(', ')}
        </span>
        <button
          type="button"
          onClick={() => {
            setSession(undefined);
            window.location.hash = '';
          }}
        >
          Sign out
        </button>
      </header>
      <main id="main" tabIndex={-1}>
        {page}
      </main>
    </>
  );
}
