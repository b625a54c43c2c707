import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { loadSession, signIn, signOut, whenSessionLost, type Session } from './api.js';
import { link, navigate, useRoute } from './router.js';
import { FormError } from './ui.js';
import { AssociationsPage } from './pages/associations.js';
import { QuarantinePage } from './pages/quarantine.js';
import { LicencePage } from './pages/licence.js';
import { SettingsPage } from './pages/settings.js';
import { AuditPage } from './pages/audit.js';
import { OverviewPage } from './pages/overview.js';
import './style.css';

const NAV: [string, string][] = [
  ['overview', 'Overview'],
  ['associations', 'Associations'],
  ['quarantine', 'Quarantine'],
  ['licence', 'Licence and domains'],
  ['settings', 'Settings'],
  ['audit', 'Audit'],
];

/** Sign-in with an API token; the browser keeps only the session cookie (the token is forgotten here at once). */
function SignIn({ onDone, again }: { onDone: (s: Session) => void; again: boolean }) {
  const [token, setToken] = useState('');
  const [err, setErr] = useState<unknown>();
  const submit = async (e: Event): Promise<void> => {
    e.preventDefault();
    try {
      const s = await signIn(token.trim());
      setToken('');
      onDone(s);
    } catch (x) {
      setErr(x);
    }
  };
  return (
    <div class="modal-backdrop signin-backdrop">
      <form class="modal signin" aria-label="Sign in" onSubmit={submit}>
        <h2>easgate console</h2>
        <p>{again ? 'Your session has ended. Sign in again to carry on where you were.' : 'Sign in with an API token.'}</p>
        <label>
          API token
          <input name="token" type="password" autoComplete="off" value={token} onInput={(e) => setToken(e.currentTarget.value)} />
        </label>
        <FormError err={err} />
        <div class="buttons">
          <button type="submit" class="primary" disabled={token.trim() === ''}>
            Sign in
          </button>
        </div>
      </form>
    </div>
  );
}

function Content({ route, session }: { route: string[]; session: Session }) {
  const [top = 'overview', ...rest] = route;
  switch (top) {
    case 'associations':
      return <AssociationsPage session={session} open={rest.length >= 2 ? { user: rest[0]!, deviceId: rest.slice(1).join('/') } : undefined} />;
    case 'quarantine':
      return <QuarantinePage session={session} />;
    case 'licence':
      return <LicencePage session={session} domain={rest[0]} />;
    case 'settings':
      return <SettingsPage session={session} />;
    case 'audit':
      return <AuditPage />;
    default:
      return <OverviewPage />;
  }
}

function App() {
  const route = useRoute();
  const [session, setSession] = useState<Session | null | undefined>(undefined);
  const [lost, setLost] = useState(false);
  useEffect(() => {
    whenSessionLost(() => setLost(true));
    loadSession().then(setSession, () => setSession(null));
  }, []);
  if (session === undefined) return <div class="loading">Loading…</div>;
  if (session === null) return <SignIn again={false} onDone={setSession} />;
  const top = route[0] ?? 'overview';
  return (
    <div class="shell" data-role={session.role}>
      <nav class="nav" aria-label="Pages">
        <div class="brand">easgate</div>
        {NAV.map(([path, label]) => (
          <a {...link(path)} class={top === path ? 'active' : ''} aria-current={top === path ? 'page' : undefined}>
            {label}
          </a>
        ))}
        <div class="who">
          <span class="who-name">{session.name}</span> <span class="who-role">{session.role}</span>
          <button
            type="button"
            class="signout"
            onClick={async () => {
              await signOut();
              setSession(null);
              navigate('', true);
            }}
          >
            Sign out
          </button>
        </div>
      </nav>
      <main class="main">
        <Content route={route} session={session} />
      </main>
      {lost && (
        <SignIn
          again
          onDone={(s) => {
            setSession(s);
            setLost(false);
          }}
        />
      )}
    </div>
  );
}

render(<App />, document.getElementById('app')!);
